// The soak test (`npm run soak`; not in `npm test`): live labels from the fake camera for SOAK_MINUTES
// (default 10), sampling every 30 s the page's and the engine worker's JS heap (after a garbage
// collection), the GPU buffers and textures the engine holds, and the camera frames it has not closed.
// After a minute's warm-up all of them must stay flat. Writes bench-results/soak.json.
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openWithGoldenWeights } from './helpers.ts';

const minutes = Number(process.env.SOAK_MINUTES || 10);

/** A CDP session into the page's engine worker (non-flattened: Playwright drives the flattened ones). */
async function workerSession(cdp: CDPSession) {
  const attached: { sessionId: string; targetInfo: { type: string; url: string } }[] = [];
  const replies = new Map<number, (m: { result: unknown }) => void>();
  cdp.on('Target.attachedToTarget', (e) => attached.push(e));
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    replies.get(m.id)?.(m);
    replies.delete(m.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await expect.poll(() => attached.some((t) => t.targetInfo.url.includes('worker'))).toBe(true);
  const { sessionId } = attached.find((t) => t.targetInfo.url.includes('worker'))!;
  let id = 0;
  return <T>(method: string): Promise<T> =>
    new Promise((resolve) => {
      replies.set(++id, (m) => resolve(m.result as T));
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
    });
}

async function sample(page: Page, cdp: CDPSession, inWorker: <T>(method: string) => Promise<T>) {
  await cdp.send('HeapProfiler.collectGarbage');
  await inWorker('HeapProfiler.collectGarbage');
  const pageHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const workerHeap = (await inWorker<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
  const resources = page.getByTestId('resources');
  const n = async (a: string) => Number(await resources.getAttribute(a));
  return {
    at: new Date().toISOString(),
    updates: Number(await page.getByTestId('webcam').getAttribute('data-updates')),
    pageHeap, workerHeap,
    gpuBuffers: await n('data-buffers'), gpuTextures: await n('data-textures'), openVideoFrames: await n('data-frames'),
  };
}

test(`${minutes} minutes of live webcam labels: heap, GPU objects and open frames stay flat`, async ({ page }) => {
  test.setTimeout((minutes + 3) * 60_000);
  await openWithGoldenWeights(page);
  const cdp = await page.context().newCDPSession(page);
  const inWorker = await workerSession(cdp);
  await page.getByRole('tab', { name: 'Webcam' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await page.locator('details.perf-panel summary').click();
  await expect.poll(async () => Number(await page.getByTestId('webcam').getAttribute('data-updates')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);

  const samples: Awaited<ReturnType<typeof sample>>[] = [];
  const end = Date.now() + minutes * 60_000;
  while (Date.now() < end) {
    samples.push(await sample(page, cdp, inWorker));
    await page.waitForTimeout(Math.min(30_000, Math.max(0, end - Date.now())));
  }
  samples.push(await sample(page, cdp, inWorker));
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/soak.json', JSON.stringify({ minutes, samples }, null, 2));

  // Warm-up (pipelines, first allocations) is the first minute; after it, nothing may grow.
  const warm = samples.find((s) => Date.parse(s.at) >= Date.parse(samples[0].at) + 60_000) ?? samples[0];
  const last = samples.at(-1)!;
  expect(last.updates - warm.updates).toBeGreaterThan(((Date.parse(last.at) - Date.parse(warm.at)) / 1000) * 0.5);
  for (const s of samples.slice(samples.indexOf(warm))) {
    expect(s.gpuBuffers).toBe(warm.gpuBuffers);
    expect(s.gpuTextures).toBe(warm.gpuTextures);
    expect(s.openVideoFrames).toBeLessThanOrEqual(1);
    expect(s.pageHeap).toBeLessThan(warm.pageHeap * 1.1 + 2 ** 21);
    expect(s.workerHeap).toBeLessThan(warm.workerHeap * 1.1 + 2 ** 21);
  }
  await expect(page.getByTestId('webcam-error')).toHaveCount(0);
});
