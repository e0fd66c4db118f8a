import { expect, test } from '@playwright/test';
import { openWithGoldenWeights } from './helpers.ts';

test('with no camera attached, starting the webcam says so', async ({ page, context }) => {
  await context.grantPermissions(['camera']);
  await openWithGoldenWeights(page, 'picker');
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('webcam-error')).toContainText('No camera was found');
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
});
