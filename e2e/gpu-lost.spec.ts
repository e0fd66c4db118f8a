// A real device loss: Chromium's GPU process is crashed (CDP Browser.crashGpuProcess), as a driver reset or
// a GPU-process crash would. The engine starts a new device and carries on; the page says so and keeps what
// it showed.
import { expect, test, type Browser } from '@playwright/test';
import { join } from 'node:path';
import { CORPUS_DIR } from './corpus.mjs';
import { openWithGoldenWeights, screenshot } from './helpers.ts';

async function crashGpu(browser: Browser): Promise<void> {
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.crashGpuProcess');
  await cdp.detach();
}

test('a video being analysed carries on after the GPU device is lost, from the clip it had reached', async ({ page, browser }) => {
  await openWithGoldenWeights(page, 'picker');
  await page.getByTestId('video-input').setInputFiles(join(CORPUS_DIR, 'twenty-minutes.mp4'));
  const timeline = page.getByTestId('timeline');
  await expect.poll(async () => Number(await timeline.getAttribute('data-clips')), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  const before = Number(await timeline.getAttribute('data-clips'));

  await crashGpu(browser);
  await expect(page.getByTestId('gpu-notice')).toContainText('The GPU device was lost and has been started again', { timeout: 60_000 });
  await expect.poll(async () => Number(await timeline.getAttribute('data-clips')), { timeout: 90_000 }).toBeGreaterThanOrEqual(before + 3);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'running');
  // The clips carry on one second apart: none lost, none repeated.
  await page.getByRole('button', { name: 'Cancel' }).click();
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const starts = (JSON.parse(await (await json.createReadStream()).toArray().then((c) => Buffer.concat(c).toString())) as { clips: { start: number }[] }).clips.map((c) => c.start);
  expect(starts).toEqual(starts.map((_, i) => i));
  await screenshot(page, 'gpu-lost-recovered');
});
