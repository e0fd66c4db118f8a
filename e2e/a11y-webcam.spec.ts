// The camera view under axe-core's checks, with the camera on and labels showing; at a phone's width too.
// Runs in the 'fake-camera' project.
import { expect, test } from '@playwright/test';
import { overflowAt, seriousViolations } from './a11y.ts';
import { openWithGoldenWeights, screenshot } from './helpers.ts';

test('the webcam view, camera on, has no serious or critical axe violations, and fits a phone', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await openWithGoldenWeights(page);
  await page.getByRole('tab', { name: 'Webcam' }).click();
  expect(await seriousViolations(page)).toEqual([]);
  // Keyboard: the camera starts and stops with Enter.
  await page.getByRole('button', { name: 'Start camera' }).focus();
  await page.keyboard.press('Enter');
  const webcam = page.getByTestId('webcam');
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await overflowAt(page)).toEqual({ scroll: 0, wide: [] });
  await screenshot(page, 'phone-webcam-on');
  await page.getByRole('button', { name: 'Stop camera' }).focus();
  await page.keyboard.press('Enter');
  await expect(webcam).toHaveAttribute('data-status', 'off');
});
