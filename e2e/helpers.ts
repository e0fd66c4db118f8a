import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { expect, type Frame, type Locator, type Page } from '@playwright/test';
import { GOLDEN_CHECKPOINT, SCREENSHOTS } from './paths.ts';

export interface DropFile {
  /** Read from disk, or given as bytes. */
  path?: string;
  bytes?: Buffer;
  name?: string;
  type?: string;
}

/**
 * Drops files on `selector` in a page or a frame (the embed widget's) the way a user's drag and drop does: a
 * `drop` event carrying a DataTransfer.
 */
export async function dropFiles(page: Page | Frame, selector: string, files: DropFile[]): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name ?? basename(f.path!),
    type: f.type ?? '',
    base64: (f.bytes ?? readFileSync(f.path!)).toString('base64'),
    // As a real drop: a file on disk keeps its modification time, in whole milliseconds as the browser's file
    // picker gives it (the queue knows files again by it).
    lastModified: f.path ? Math.floor(statSync(f.path).mtimeMs) : Date.now(),
  }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type, lastModified: f.lastModified }));
    return dt;
  }, payload);
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

/**
 * The CPU engine's name on a cross-origin isolated page (the app's, served with COOP and COEP): WebAssembly on as
 * many threads as the browser says this machine has cores (WebKit may say another number), up to four; elsewhere (a widget in a host page that is not isolated) one.
 */
export const cpuEngineText = (isolated = true, cores = availableParallelism()) => {
  const threads = isolated ? Math.min(4, cores) : 1;
  return `CPU (WebAssembly, onnxruntime-web, ${threads} ${threads === 1 ? 'thread' : 'threads'})`;
};

export const screenshot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

/** Opens the app, waits for WebGPU, and loads the golden quarter-width checkpoint at 64 px (SwiftShader speed). */
export async function openWithGoldenWeights(page: Page, how: 'drop' | 'picker' = 'drop'): Promise<void> {
  await page.goto('/');
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  if (how === 'drop') await dropFiles(page, 'main', [{ path: GOLDEN_CHECKPOINT }]);
  else await page.getByTestId('weights-input').setInputFiles(GOLDEN_CHECKPOINT);
  await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth', { timeout: 60_000 });
  await page.getByTestId('input-size').selectOption('64');
}

/** The share of a map overlay's pixels that are drawn (alpha above zero). */
export const drawnShare = (overlay: Locator) => overlay.evaluate((c: HTMLCanvasElement) => {
  const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
  return n / (c.width * c.height);
});
