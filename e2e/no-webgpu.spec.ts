// Chromium with WebGPU off (no adapter): the page says so, and classifies video files on the CPU engine.
import { expect, test } from '@playwright/test';
import { dropFiles, screenshot } from './helpers.ts';
import { CRICKET_MP4, GOLDEN_CHECKPOINT } from './paths.ts';

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
  await dropFiles(page, 'main', [{ path: CRICKET_MP4 }]);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-clips', '3');
  await expect(page.getByTestId('analysis-engine')).toHaveAttribute('data-engine', 'wasm');
  // The golden checkpoint (random weights) calls this clip "presenting weather forecast", on any engine.
  await expect(page.getByTestId('top-labels').locator('li').first()).toHaveAttribute('data-label', 'presenting weather forecast');
  await screenshot(page, 'page-no-webgpu-cpu-engine');
});
