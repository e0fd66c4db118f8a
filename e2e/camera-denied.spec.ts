import { expect, test } from '@playwright/test';
import { openWithGoldenWeights } from './helpers.ts';

// Runs in the 'camera-denied' project: a fake camera exists, but nobody answers the permission prompt, so the
// camera works only where the test grants it.
test('with camera permission denied, starting the webcam says how to allow it', async ({ page }) => {
  await openWithGoldenWeights(page, 'picker');
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('webcam-error')).toContainText('Camera permission was denied');
});

test('withdrawing the camera permission mid-stream stops the labels with its own message', async ({ page, browser, context }) => {
  await context.grantPermissions(['camera']);
  await openWithGoldenWeights(page);
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  const webcam = page.getByTestId('webcam');
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  // As when the user blocks the camera in the site settings: the permission turns to denied and the browser
  // stops the track.
  const { targetInfo } = await (await context.newCDPSession(page)).send('Target.getTargetInfo');
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.setPermission', {
    permission: { name: 'camera' }, setting: 'denied', origin: new URL(page.url()).origin, browserContextId: targetInfo.browserContextId,
  });
  await expect(page.getByTestId('webcam-error')).toContainText('Camera permission was withdrawn', { timeout: 30_000 });
  await expect(webcam).toHaveAttribute('data-status', 'off');
  // The labels already shown stay.
  await expect(page.getByTestId('top-labels').locator('li')).toHaveCount(5);
});
