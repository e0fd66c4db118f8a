// On a software adapter (SwiftShader here) the page offers the CPU engine and says why; chosen, video files run
// there with the labels the WebGPU engine gives; and the choice can be undone.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { cpuEngineText, dropFiles, openWithGoldenWeights } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

async function analyseAndExport(page: Page, engine: 'webgpu' | 'wasm'): Promise<{ clips: { top: { index: number; probability: number }[] }[] }> {
  await dropFiles(page, 'main', [{ path: CRICKET_MP4 }]);
  // The last video's results stay 'done' until the new analysis replaces them: wait for the new one first.
  await expect(page.getByTestId('analysis-engine')).toHaveAttribute('data-engine', engine, { timeout: 60_000 });
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON', exact: true }).click()]);
  return JSON.parse(readFileSync(await file.path(), 'utf8'));
}

test('a software adapter: the CPU engine is offered, runs video files with the same labels, and can be turned off', async ({ page }) => {
  await openWithGoldenWeights(page);
  const status = page.locator('.gpu-status');
  await expect(status).toHaveAttribute('data-engine', 'webgpu');
  await expect(page.getByTestId('engine-offer')).toContainText('On a software adapter the CPU engine (WebAssembly) is usually several times faster');
  const onGpu = await analyseAndExport(page, 'webgpu');

  await page.getByRole('button', { name: 'Use the CPU engine' }).click();
  await expect(status).toHaveAttribute('data-engine', 'wasm');
  await expect(page.getByTestId('engine')).toHaveText(cpuEngineText());
  const onCpu = await analyseAndExport(page, 'wasm');
  expect(onCpu.clips.length).toBe(onGpu.clips.length);
  onCpu.clips.forEach((c, i) => {
    expect(c.top[0].index).toBe(onGpu.clips[i].top[0].index);
    expect(Math.abs(c.top[0].probability - onGpu.clips[i].top[0].probability)).toBeLessThan(0.01);
  });

  // The choice is kept across visits, and undone with one click.
  await page.reload();
  await expect(status).toHaveAttribute('data-engine', 'wasm', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Use WebGPU' }).click();
  await expect(status).toHaveAttribute('data-engine', 'webgpu');
});
