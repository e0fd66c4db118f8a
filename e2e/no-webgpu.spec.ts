// Chromium with WebGPU off (no adapter): the page says so, and classifies video files on the CPU engine.
import { availableParallelism } from 'node:os';
import { expect, test } from '@playwright/test';
import { cpuEngineText, dropFiles, screenshot } from './helpers.ts';
import { CRICKET_MP4, E2E_PORT, GOLDEN_CHECKPOINT, HOST_PORT } from './paths.ts';

test('without WebGPU the page says why and which engine runs, and still labels a video on the CPU', async ({ page }) => {
  await page.goto('/');
  const status = page.locator('.gpu-status');
  await expect(status).toHaveAttribute('data-status', 'cpu', { timeout: 30_000 });
  await expect(status).toHaveAttribute('data-engine', 'wasm');
  // The page is cross-origin isolated, so the CPU engine's WebAssembly runs on threads.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(status).toContainText(`Engine: ${cpuEngineText()}`);
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
  // The threads are real: onnxruntime-web's thread pool (Emscripten's pthread workers) runs beside the engine worker.
  if (availableParallelism() > 1) {
    const { targetInfos } = await (await page.context().newCDPSession(page)).send('Target.getTargets');
    expect(targetInfos.filter((t) => t.type === 'worker').map((t) => t.title)).toEqual(expect.arrayContaining(['slowfast-engine', 'em-pthread']));
  }
  await screenshot(page, 'page-no-webgpu-cpu-engine');
});

test('the widget without WebGPU: ready on the CPU engine, and labels a video its host sends', async ({ page }) => {
  const widget = `http://localhost:${E2E_PORT}`;
  const host = `http://localhost:${HOST_PORT}`;
  await page.goto(`${host}/host.html?widget=${widget}&origins=${host}`);
  const events = () => page.evaluate(() => (window as unknown as { events: { type: string; engine?: string; mode?: string; top?: { label: string }[] }[] }).events);
  // The widget listens once it says 'ready': a message sent before then is not for it yet. This host page is not
  // cross-origin isolated, so neither is the widget in it: its CPU engine runs on one thread.
  await expect.poll(async () => (await events()).find((e) => e.type === 'ready'), { timeout: 60_000 }).toMatchObject({ engine: 'wasm', adapter: cpuEngineText(false) });
  await page.evaluate(() => (window as unknown as { sendFile: (u: string, t: string, x: object) => Promise<void> }).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'checkpoint.pyth' }));
  await expect.poll(async () => (await events()).some((e) => e.type === 'weights' || (e.type === 'ready' && (e as { weights?: string }).weights)), { timeout: 60_000 }).toBe(true);
  await page.evaluate((video) => (window as unknown as { send: (m: unknown) => void }).send({ type: 'classify', video }), `${host}/media/cricket.mp4`);
  await expect.poll(async () => (await events()).some((e) => e.type === 'done'), { timeout: 120_000 }).toBe(true);
  const labels = (await events()).filter((e) => e.type === 'labels');
  expect(labels.length).toBeGreaterThanOrEqual(2);
  expect(labels[0].top![0].label).toBe('presenting weather forecast');
  expect((await events()).some((e) => e.type === 'error')).toBe(false);
});

test('the widget in a cross-origin isolated host page (require-corp, allow="cross-origin-isolated") runs its CPU engine on threads', async ({ page }) => {
  const widget = `http://localhost:${E2E_PORT}`;
  const host = `http://localhost:${HOST_PORT}`;
  await page.goto(`${host}/host.html?widget=${widget}&origins=${host}&isolated=1`);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const events = () => page.evaluate(() => (window as unknown as { events: { type: string }[] }).events);
  await expect.poll(async () => (await events()).find((e) => e.type === 'ready'), { timeout: 60_000 }).toMatchObject({ engine: 'wasm', adapter: cpuEngineText(true) });
});
