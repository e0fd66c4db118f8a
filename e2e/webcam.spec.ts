import { expect, test } from '@playwright/test';
import { drawnShare, openWithGoldenWeights, screenshot } from './helpers.ts';

// Runs in the 'fake-camera' project: Chromium's fake camera plays a .y4m made from cricket.mp4.
test('live webcam labels update, show their rate and latency, and an unplugged camera is reported', async ({ page }) => {
  await openWithGoldenWeights(page);
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  const webcam = page.getByTestId('webcam');
  await expect(webcam).toHaveAttribute('data-status', /starting|on/);
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('top-labels').locator('li')).toHaveCount(5);
  await expect(page.getByTestId('webcam-stats')).toContainText(/per second · latency \d+ ms/);
  // Where it looks, over the camera view: the latest clip's map of its top class.
  const overlay = page.locator('.webcam-panel').getByTestId('class-map');
  await expect(overlay).toHaveAttribute('data-class-index', /^\d+$/);
  const drawn = await drawnShare(overlay);
  expect(drawn).toBeGreaterThan(0.2);
  await screenshot(page, 'app-webcam');

  // The camera goes away (as when it is unplugged): its track ends.
  await page.locator('.webcam-panel video').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0].dispatchEvent(new Event('ended')));
  await expect(page.getByTestId('webcam-error')).toContainText('The camera was disconnected');
  await expect(webcam).toHaveAttribute('data-status', 'off');
  await expect(page.getByTestId('top-labels').locator('li')).toHaveCount(5);
  await screenshot(page, 'app-webcam-unplugged');
});

test('live labels carry on, from the same camera, after the GPU device is lost', async ({ page, browser }) => {
  await openWithGoldenWeights(page);
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  const webcam = page.getByTestId('webcam');
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const before = Number(await webcam.getAttribute('data-updates'));

  // A real loss: Chromium's GPU process is crashed.
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.crashGpuProcess');
  await expect(page.getByTestId('gpu-notice')).toContainText('The GPU device was lost and has been started again', { timeout: 60_000 });
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(before + 2);
  await expect(webcam).toHaveAttribute('data-status', 'on');
  await expect(page.getByTestId('webcam-error')).toHaveCount(0);
});

test('without MediaStreamTrackProcessor (as in Safari and Firefox), frames come from a video element and labels still update', async ({ page }) => {
  await page.addInitScript(() => {
    delete (window as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor;
  });
  await openWithGoldenWeights(page);
  expect(await page.evaluate(() => 'MediaStreamTrackProcessor' in window)).toBe(false);
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  const webcam = page.getByTestId('webcam');
  await expect(page.getByTestId('webcam-frame-source')).toContainText('no MediaStreamTrackProcessor');
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 150_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('top-labels').locator('li')).toHaveCount(5);
  await expect(page.getByTestId('webcam-error')).toHaveCount(0);
  await screenshot(page, 'app-webcam-video-element');
  // Stopping ends the session and lets the camera go.
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await expect(webcam).toHaveAttribute('data-status', 'off');
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
});

test('live labels on the CPU engine (chosen on this software adapter)', async ({ page }) => {
  await openWithGoldenWeights(page);
  await page.getByRole('button', { name: 'Use the CPU engine' }).click();
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-engine', 'wasm');
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  const webcam = page.getByTestId('webcam');
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('top-labels').locator('li')).toHaveCount(5);
  await expect(page.getByTestId('webcam-error')).toHaveCount(0);
  // No maps on the CPU engine: the view says so instead of offering controls that draw nothing.
  await expect(page.getByTestId('maps-need-webgpu')).toContainText('maps need WebGPU');
  await expect(page.getByTestId('map-view')).toHaveCount(0);
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await expect(webcam).toHaveAttribute('data-status', 'off');
});
