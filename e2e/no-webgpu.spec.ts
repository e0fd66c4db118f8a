// Chromium with WebGPU off (no adapter): the page says so, and classifies video files on the CPU engine.
import { expect, test } from '@playwright/test';
import { dropFiles, screenshot } from './helpers.ts';
import { CRICKET_MP4, E2E_PORT, GOLDEN_CHECKPOINT, HOST_PORT } from './paths.ts';

test('without WebGPU the page says why and which engine runs, and still labels a video on the CPU', async ({ page }) => {
  await page.goto('/');
  const status = page.locator('.gpu-status');
  await expect(status).toHaveAttribute('data-status', 'cpu', { timeout: 30_000 });
  await expect(status).toHaveAttribute('data-engine', 'wasm');
  await expect(status).toContainText('Engine: CPU (WebAssembly, onnxruntime-web)');
  // Why: the browser's WebGPU explanation, with the flags that would turn it on.
  await expect(status).toContainText('WebGPU is needed');
  await expect(status).toContainText('--enable-unsafe-webgpu');
  await dropFiles(page, 'main', [{ path: GOLDEN_CHECKPOINT }]);
  await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth', { timeout: 60_000 });
  await page.getByTestId('input-size').selectOption('64');
  await expect(page.locator('main')).toContainText('one clip start per stride, on the CPU engine (WebAssembly); nothing is uploaded');
  await dropFiles(page, 'main', [{ path: CRICKET_MP4 }]);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-clips', '3');
  await expect(page.getByTestId('analysis-engine')).toHaveAttribute('data-engine', 'wasm');
  // No activation maps on the CPU engine: the page says so instead of offering map controls that show nothing.
  await expect(page.getByTestId('maps-need-webgpu')).toContainText('maps need WebGPU');
  await expect(page.getByTestId('map-view')).toHaveCount(0);
  // The golden checkpoint (random weights) calls this clip "presenting weather forecast", on any engine.
  await expect(page.getByTestId('top-labels').locator('li').first()).toHaveAttribute('data-label', 'presenting weather forecast');
  await screenshot(page, 'page-no-webgpu-cpu-engine');
});

test('the widget without WebGPU: ready on the CPU engine, and labels a video its host sends', async ({ page }) => {
  const widget = `http://localhost:${E2E_PORT}`;
  const host = `http://localhost:${HOST_PORT}`;
  await page.goto(`${host}/host.html?widget=${widget}&origins=${host}`);
  const events = () => page.evaluate(() => (window as unknown as { events: { type: string; engine?: string; mode?: string; top?: { label: string }[] }[] }).events);
  // The widget listens once it says 'ready': a message sent before then is not for it yet.
  await expect.poll(async () => (await events()).find((e) => e.type === 'ready'), { timeout: 60_000 }).toMatchObject({ engine: 'wasm', adapter: 'CPU (WebAssembly)' });
  await page.evaluate(() => (window as unknown as { sendFile: (u: string, t: string, x: object) => Promise<void> }).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'checkpoint.pyth' }));
  await expect.poll(async () => (await events()).some((e) => e.type === 'weights' || (e.type === 'ready' && (e as { weights?: string }).weights)), { timeout: 60_000 }).toBe(true);
  await page.evaluate((video) => (window as unknown as { send: (m: unknown) => void }).send({ type: 'classify', video }), `${host}/media/cricket.mp4`);
  await expect.poll(async () => (await events()).some((e) => e.type === 'done'), { timeout: 120_000 }).toBe(true);
  const labels = (await events()).filter((e) => e.type === 'labels');
  expect(labels.length).toBeGreaterThanOrEqual(2);
  expect(labels[0].top![0].label).toBe('presenting weather forecast');
  expect((await events()).some((e) => e.type === 'error')).toBe(false);
});
