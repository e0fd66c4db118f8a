// The page in Firefox (Debian's firefox-esr, driven by puppeteer-core): on Gecko's WebGPU (wgpu on Mesa's
// lavapipe here: no subgroups, no texture_external, 128 MiB a binding), and with WebGPU off on the CPU engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { makeSweep, type Sweep } from './activities.ts';
import { cpuEngineText } from './helpers.ts';
import { APP, attributeOf, byTestId, chooseFiles, classifyCricket, clickButton, firefoxScreenshot, openWithGoldenWeights, pollPage, textOf, waitForAttribute, waitForText, withFirefox } from './firefoxPage.ts';
import { CRICKET_MP4, HOST_PORT, SHARED } from './paths.ts';

test('Firefox with WebGPU: weights from a file, a video, a verdict on WebGPU; two files queued; the weights kept across a reload', async () => {
  await withFirefox({ webgpu: true }, async (page) => {
    await openWithGoldenWeights(page);
    expect(await attributeOf(page, '.gpu-status', 'data-engine')).toBe('webgpu');
    // The golden checkpoint (random weights) calls this clip "presenting weather forecast", on any engine.
    expect(await classifyCricket(page)).toEqual({ engine: 'webgpu', top: 'presenting weather forecast' });
    await firefoxScreenshot(page, 'firefox-webgpu-verdict');
    // Two files chosen at once go into the queue and are analysed one after another.
    await chooseFiles(page, 'video-input', CRICKET_MP4, join(SHARED, 'media/cricket.webm'));
    for (const path of ['cricket.mp4', 'cricket.webm']) await page.waitForSelector(`${byTestId('queue')} li[data-path="${path}"][data-status="done"]`, { timeout: 240_000 });
    await firefoxScreenshot(page, 'firefox-webgpu-queue');
    // A later visit finds the weights in the browser (OPFS).
    await page.reload();
    await waitForText(page, byTestId('weights-ready'), 'checkpoint.pyth');
  });
});

test('Firefox without WebGPU: the page says so and labels the video on the CPU engine', async () => {
  await withFirefox({ webgpu: false }, async (page) => {
    await openWithGoldenWeights(page);
    expect(await textOf(page, '.gpu-status')).toContain(`Engine: ${cpuEngineText()}`);
    expect(await classifyCricket(page)).toEqual({ engine: 'wasm', top: 'presenting weather forecast' });
    await firefoxScreenshot(page, 'firefox-cpu-engine-verdict');
  });
});

test('Firefox: the widget on another origin labels a video its host sends', async () => {
  await withFirefox({ webgpu: true }, async (page) => {
    const host = `http://localhost:${HOST_PORT}`;
    await page.goto(`${host}/host.html?widget=${APP}&origins=${host}`);
    type Event = { type: string; engine?: string; top?: { label: string }[] };
    const events = () => (window as unknown as { events: Event[] }).events;
    const ready = await pollPage(page, events, (e) => e.some((x) => x.type === 'ready'));
    expect(ready.find((e) => e.type === 'ready')!.engine).toBe('webgpu');
    await page.evaluate(() => (window as unknown as { sendFile: (u: string, t: string, x: object) => Promise<void> }).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'checkpoint.pyth' }));
    await pollPage(page, events, (e) => e.some((x) => x.type === 'weights'));
    await page.evaluate((video) => (window as unknown as { send: (m: unknown) => void }).send({ type: 'classify', video }), `${host}/media/cricket.mp4`);
    const all = await pollPage(page, events, (e) => e.some((x) => x.type === 'done' || x.type === 'error'), 180_000);
    expect(all.filter((e) => e.type === 'error')).toEqual([]);
    expect(all.find((e) => e.type === 'labels')!.top![0].label).toBe('presenting weather forecast');
  });
});

test('Firefox: live labels from its fake camera', async () => {
  await withFirefox({ webgpu: true, prefs: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true } }, async (page) => {
    await openWithGoldenWeights(page);
    await clickButton(page, 'Webcam');
    await clickButton(page, 'Start camera');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="webcam"]')?.getAttribute('data-updates')) >= 3, { timeout: 180_000 });
    expect(await page.$$eval(`${byTestId('top-labels')} li`, (li) => li.length)).toBe(5);
    expect(await page.$(byTestId('webcam-error'))).toBeNull();
    // Firefox has no MediaStreamTrackProcessor: frames come from a video element, and the page says so.
    expect(await textOf(page, byTestId('webcam-frame-source'))).toContain('no MediaStreamTrackProcessor');
    await firefoxScreenshot(page, 'firefox-webcam');
    await clickButton(page, 'Stop camera');
    await waitForAttribute(page, 'webcam', 'data-status', 'off');
  });
});

test('Firefox: Teach trains a head from video files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'firefox-teach-'));
  try {
    await withFirefox({ webgpu: true }, async (page) => {
      await openWithGoldenWeights(page);
      await clickButton(page, 'Teach');
      const sweeps: Sweep[] = ['left to right', 'right to left'];
      for (const sweep of sweeps) {
        await page.type('input[aria-label="New class name"]', sweep);
        await clickButton(page, 'Add class');
        await page.waitForSelector(`[data-testid="teach-class"][data-name="${sweep}"]`);
      }
      for (const sweep of sweeps) {
        await chooseFiles(page, `teach-files-${sweep}`, ...[1, 3, 5].map((variant) => makeSweep(dir, sweep, { variant })));
        await page.waitForSelector(`[data-testid="teach-class"][data-name="${sweep}"][data-takes="3"]`, { timeout: 180_000 });
      }
      await clickButton(page, 'Train');
      await page.waitForSelector(byTestId('teach-trained'), { timeout: 120_000 });
      expect(Number(await attributeOf(page, byTestId('teach-trained'), 'data-accuracy'))).toBeGreaterThanOrEqual(0.9);
      await waitForAttribute(page, 'head-state', 'data-status', 'ready');
      await firefoxScreenshot(page, 'firefox-teach');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
