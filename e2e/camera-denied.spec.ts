import { expect, test } from '@playwright/test';
import { openWithGoldenWeights } from './helpers.ts';

// Runs in the 'camera-denied' project: a fake camera exists, but nobody answers the permission prompt.
test('with camera permission denied, starting the webcam says how to allow it', async ({ page }) => {
  await openWithGoldenWeights(page, 'picker');
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('webcam-error')).toContainText('Camera permission was denied');
});
