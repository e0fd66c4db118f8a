import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

test('without weights the page says how to get them and shows no labels', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const missing = page.locator('[data-status=missing]');
  await expect(missing).toContainText('SlowFast R50 8×8 is not in this browser yet. Download it from the model zoo', { timeout: 30_000 });
  await expect(missing).toContainText('drop its SLOWFAST_8x8_R50.pyth on the page');
  await expect(page.getByTestId('download-model')).toBeVisible();
  await expect(page.getByTestId('drop-zone')).toContainText('Weights are needed first');
  await expect(page.getByRole('tab', { name: 'Webcam' })).toBeVisible();
  await expect(page.getByTestId('top-labels')).toHaveCount(0);
  await screenshot(page, 'app-no-weights');
});

test('drop a checkpoint and a video: labels, a timeline over the whole video, exports that match the page', async ({ page }) => {
  await openWithGoldenWeights(page, 'drop');
  // Per-layer GPU times (SwiftShader has timestamp-query).
  await page.locator('details.perf-panel summary').click();
  await page.getByLabel(/Time every layer on the GPU/).check();
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  const results = page.getByTestId('results');
  await expect(results).toBeVisible({ timeout: 60_000 });

  // While the worker builds the model and runs the clips, the page's own thread stays free: input is answered
  // at once, and its event loop never stalls for long. (Painting is no measure here: SwiftShader's compositor
  // shares the CPU with the inference.)
  // (Playwright waits for two painted frames before it clicks, and painting is slow here: default timeouts.)
  const crops = page.getByLabel(/3 crops per clip/);
  await crops.check();
  await expect(crops).toBeChecked();
  await crops.uncheck();
  const loop = await page.evaluate(
    () => new Promise<{ worstGapMs: number; runningMs: number }>((resolve) => {
      const start = performance.now();
      let last = start;
      let worstGapMs = 0;
      let runningMs = 0;
      const tick = () => {
        const now = performance.now();
        worstGapMs = Math.max(worstGapMs, now - last);
        const status = document.querySelector('[data-testid=results]')?.getAttribute('data-status');
        if (status === 'running') runningMs += now - last;
        last = now;
        if (status === 'done' || now - start > 110_000) resolve({ worstGapMs, runningMs });
        else setTimeout(tick, 10);
      };
      setTimeout(tick, 10);
    }),
  );
  // Each clip takes hundreds of milliseconds here, building the model seconds: on the page's thread either
  // would stall the loop for that long.
  expect(loop.runningMs).toBeGreaterThan(1000);
  expect(loop.worstGapMs).toBeLessThan(300);

  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const timeline = page.getByTestId('timeline');
  const duration = Number(await timeline.getAttribute('data-duration'));
  expect(duration).toBeCloseTo(3.16, 1);
  expect(Number(await timeline.getAttribute('data-covered-start'))).toBe(0);
  expect(Number(await timeline.getAttribute('data-covered-end'))).toBeGreaterThanOrEqual(duration - 0.05);
  const clips = Number(await timeline.getAttribute('data-clips'));
  expect(clips).toBeGreaterThanOrEqual(2);

  const shown = page.getByTestId('top-labels').locator('li');
  await expect(shown).toHaveCount(5);
  const shownLabels = await shown.evaluateAll((lis) => lis.map((li) => ({ label: li.getAttribute('data-label'), text: li.querySelector('.value')!.textContent })));
  await expect(page.getByTestId('latency')).toContainText('ms');
  const layers = page.locator('table.layers tr');
  await expect(layers).toHaveCount(15);
  await expect(layers.first()).toContainText(/blocks\.\d.* ms/);
  await expect(page.getByTestId('gpu-memory')).toContainText('MiB');
  await screenshot(page, 'app-video-results');

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  expect(json.suggestedFilename()).toBe('cricket.labels.json');
  const record = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(record.file).toBe('cricket.mp4');
  expect(record.inputSize).toBe(64);
  expect(record.clips).toHaveLength(clips);
  // The player is at 0 s: the page shows the first clip.
  expect(record.clips[0].start).toBe(0);
  expect(record.clips[0].top.map((l: { label: string; probability: number }) => ({ label: l.label, text: `${(l.probability * 100).toFixed(1)}%` }))).toEqual(shownLabels);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const rows = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(rows[0]).toBe('start_s,end_s,rank,class_index,label,probability');
  expect(rows).toHaveLength(1 + clips * 5);
  expect(rows[1]).toContain(`"${shownLabels[0].label}"`);

  // Clicking the timeline seeks the video.
  const box = (await timeline.boundingBox())!;
  await timeline.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
  await expect.poll(() => page.locator('.player video').evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(duration * 0.6);

  // A file that is not a video: a clear message, and the earlier results stay.
  await dropFiles(page, 'main', [{ bytes: Buffer.from('these are not the frames you are looking for'), name: 'notes.mp4', type: 'video/mp4' }]);
  await expect(page.getByTestId('video-error')).toContainText('notes.mp4: This file is not a video we can read');
  await expect(results).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-clips', String(clips));
  await expect(page.locator('.player video')).toHaveAttribute('src', /^blob:/);
  await screenshot(page, 'app-bad-file-keeps-results');
});

test('a bad weights file is refused with its reason and the loaded model stays', async ({ page }) => {
  await openWithGoldenWeights(page, 'picker');
  await page.getByTestId('weights-input').setInputFiles({ name: 'broken.pyth', mimeType: 'application/octet-stream', buffer: Buffer.from('PK\u0003\u0004 truncated zip') });
  await expect(page.getByTestId('weights-error')).toContainText('broken.pyth is not usable weights');
  await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth');
});

test('converted weights are cached: after a reload they load from the browser, and clear cache forgets them', async ({ page }) => {
  await openWithGoldenWeights(page, 'picker');
  await expect(page.locator('.cache-line')).toContainText('checkpoint.pyth', { timeout: 30_000 });
  // Chromium keeps them in its private file system, and the page says so.
  await expect(page.getByTestId('cache-storage')).toHaveAttribute('data-storage', 'opfs');
  await expect(page.locator('.cache-line')).toContainText("Kept in the browser's private file system (OPFS) for offline use: checkpoint.pyth");
  await page.reload();
  await expect(page.getByTestId('weights-ready')).toContainText('cached in this browser', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Clear cache' }).click();
  await expect(page.locator('.cache-line')).toContainText("Nothing kept in the browser's private file system (OPFS) yet");
  await page.reload();
  await expect(page.locator('[data-status=missing]')).toBeVisible({ timeout: 60_000 });
});

test('precision: auto is f32 on a GPU without shader-f16, f16 is not offered there, and an f16 kept from another visit runs the video on the CPU engine, saying why', async ({ page }) => {
  test.setTimeout(240_000);
  await openWithGoldenWeights(page);
  const precision = page.getByTestId('precision');
  await expect(precision).toHaveValue('auto');
  await expect(precision.locator('option[value="auto"]')).toHaveText('auto: f32 on this GPU (it has no shader-f16)');
  await expect(precision.locator('option[value="f16"]')).toBeDisabled();
  const results = page.getByTestId('results');
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('perf-precision')).toHaveText('f32');

  // The choice is kept across visits; one this GPU cannot do (set on another machine) falls back, and says so.
  await page.evaluate((key) => localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key) ?? '{}'), precision: 'f16' })), 'slowfast-web.settings');
  await page.reload();
  await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth', { timeout: 60_000 });
  await expect(precision).toHaveValue('f16');
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(page.getByTestId('analysis-notice')).toHaveText(
    'WebGPU cannot run this here (f16 precision needs a GPU with shader-f16, which this one does not have: choose auto or f32): this video runs on the CPU engine instead.', { timeout: 60_000 });
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('analysis-engine')).toHaveAttribute('data-engine', 'wasm');
  await expect(page.getByTestId('top-labels').locator('li').first()).toHaveAttribute('data-label', 'presenting weather forecast');
});
