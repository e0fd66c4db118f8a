import { expect, test, type Page } from '@playwright/test';
import { resolve } from 'node:path';
import { dropFiles, openWithGoldenWeights } from './helpers.ts';
import { CRICKET_MP4, SHARED } from './paths.ts';

// Runs in the 'fake-camera' project (its name ends in webcam.spec.ts): the camera start needs the fake camera.

/** What the engine has made since its GPU started, as the performance panel reports it after each clip or label. */
async function made(page: Page) {
  const cell = page.getByTestId('made');
  const n = async (a: string) => Number(await cell.getAttribute(a));
  return { builds: await n('data-builds'), pipelines: await n('data-pipelines'), buffers: await n('data-buffers'), uploaded: await n('data-uploaded') };
}

async function analyse(page: Page, path: string, type: string) {
  const results = page.getByTestId('results');
  await dropFiles(page, 'main', [{ path, type }]);
  await expect(results).not.toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
}

test('a second video and a camera start reuse the loaded model: no new build, pipeline or weight upload', async ({ page }) => {
  await openWithGoldenWeights(page);
  await page.locator('details.perf-panel summary').click();
  await analyse(page, CRICKET_MP4, 'video/mp4');
  const first = await made(page);
  const weightBytes = Number(await page.getByTestId('gpu-memory').getAttribute('data-weight-bytes'));
  expect(first.builds).toBe(1);
  expect(first.uploaded).toBeGreaterThan(weightBytes);

  await analyse(page, resolve(SHARED, 'media/cricket.webm'), 'video/webm');
  const second = await made(page);
  expect(second.builds).toBe(first.builds);
  expect(second.pipelines).toBe(first.pipelines);
  // Same frame size and rate: the ring, its uniforms and the read-back buffers are all reused.
  expect(second.buffers).toBe(first.buffers);
  // Only each clip's frame indices are written.
  expect(second.uploaded - first.uploaded).toBeLessThan(weightBytes / 100);

  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  const webcam = page.getByTestId('webcam');
  await expect.poll(async () => Number(await webcam.getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const live = await made(page);
  expect(live.builds).toBe(first.builds);
  expect(live.pipelines).toBe(first.pipelines);
  // The camera's ring holds more frames than the videos' did (a clip at 60 fps): its slots' uniforms are new, the weights are not.
  expect(live.uploaded - second.uploaded).toBeLessThan(weightBytes / 100);
  await page.getByRole('button', { name: 'Stop camera' }).click();
});
