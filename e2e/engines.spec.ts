// The page in the other browser engines, as a user goes through it: Firefox (Debian's firefox-esr, through
// puppeteer-core) on Gecko's WebGPU — wgpu on Mesa's lavapipe here: no subgroups, no texture_external, 128 MiB a
// binding — and with WebGPU off; and WebKit (WebKitGTK's MiniBrowser, Safari's engine, through WebKitWebDriver),
// which has WebCodecs and no WebGPU. Each flow is written once (e2e/drivenPage.ts) and run in each engine.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { makeSweep, type Sweep } from './activities.ts';
import { cpuEngineText } from './helpers.ts';
import { APP, byTestId, poll, waitForText, withFirefox, withWebKit, type DrivenPage } from './drivenPage.ts';
import { CRICKET_MP4, GOLDEN_CHECKPOINT, HOST_PORT } from './paths.ts';
import { serveZooCheckpoint, zooSent } from './zooControl.ts';

interface Engine {
  name: string;
  run: <T>(use: (page: DrivenPage) => Promise<T>) => Promise<T>;
  /** Where video files run there. */
  engine: 'webgpu' | 'wasm';
  /** Where it keeps files. */
  storage: 'opfs' | 'indexeddb';
  /** Whether the page is cross-origin isolated there, so the CPU engine runs on threads. */
  isolated: boolean;
  /** What videos run in by default ('auto'): f16 on Gecko's WebGPU, which has shader-f16; f32 on the CPU engine. */
  precision: 'f32' | 'f16';
}

const ENGINES: Engine[] = [
  { name: 'Firefox with WebGPU', run: (use) => withFirefox({ webgpu: true }, use), engine: 'webgpu', storage: 'opfs', isolated: true, precision: 'f16' },
  { name: 'Firefox without WebGPU', run: (use) => withFirefox({ webgpu: false }, use), engine: 'wasm', storage: 'opfs', isolated: true, precision: 'f32' },
  { name: 'WebKit', run: (use) => withWebKit({}, use), engine: 'wasm', storage: 'indexeddb', isolated: true, precision: 'f32' },
];
const [firefox, , webkit] = ENGINES;

/** Opens the app and loads the golden checkpoint at 64 px from a file, as a user chooses it. */
async function openWithGoldenWeights(page: DrivenPage): Promise<void> {
  await page.goto(APP);
  await page.waitFor('.gpu-status[data-status="ready"], .gpu-status[data-status="cpu"]');
  await page.choose(byTestId('weights-input'), GOLDEN_CHECKPOINT);
  await waitForText(page, byTestId('weights-ready'), 'checkpoint.pyth');
  await page.select(byTestId('input-size'), '64');
}

for (const e of ENGINES) {
  test(`${e.name}: weights from a file, a video, a verdict; the weights kept across a reload`, async () => {
    test.setTimeout(300_000);
    await e.run(async (page) => {
      await openWithGoldenWeights(page);
      expect(await page.attribute('.gpu-status', 'data-engine')).toBe(e.engine);
      // The app's page asks for COEP require-corp, which every engine knows: it is isolated, and the CPU engine threaded.
      expect(await page.evaluate(() => crossOriginIsolated, undefined)).toBe(e.isolated);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency, undefined);
      if (e.engine === 'wasm') expect(await page.text('.gpu-status')).toContain(`Engine: ${cpuEngineText(e.isolated, cores)}`);
      await page.choose(byTestId('video-input'), CRICKET_MP4);
      await page.waitFor(`${byTestId('results')}[data-status="done"]`, 180_000);
      expect(await page.attribute(byTestId('analysis-engine'), 'data-engine')).toBe(e.engine);
      expect(await page.attribute(byTestId('timeline'), 'data-clips')).toBe('3');
      // The golden checkpoint (random weights) calls this clip "presenting weather forecast", on any engine.
      expect(await page.attribute(`${byTestId('top-labels')} li`, 'data-label')).toBe('presenting weather forecast');
      expect(await page.text(byTestId('perf-precision'))).toBe(e.precision === 'f16' ? 'f16 (sums in f32)' : 'f32');
      expect(await page.text('body')).not.toMatch(/could not be analysed|ShaderModule|invalid/i);
      await page.screenshot(`${page.engine}-${e.engine}-verdict`);
      // The weights are kept in this browser, and the page says where; a reload finds them there.
      expect(await page.attribute(byTestId('cache-storage'), 'data-storage')).toBe(e.storage);
      await waitForText(page, '.cache-line', 'checkpoint.pyth');
      await page.reload();
      await waitForText(page, byTestId('weights-ready'), 'cached in this browser');
    });
  });
}

for (const e of ENGINES) {
  test(`${e.name}: two files chosen at once are analysed one after another in the queue`, async () => {
    test.setTimeout(300_000);
    const dir = mkdtempSync(join(tmpdir(), 'engines-queue-'));
    try {
      await e.run(async (page) => {
        await openWithGoldenWeights(page);
        // One video alone first: the queue's videos are the engine's second and third.
        await page.choose(byTestId('video-input'), CRICKET_MP4);
        await page.waitFor(`${byTestId('results')}[data-status="done"]`, 180_000);
        const sweep = makeSweep(dir, 'left to right', { variant: 1 });
        await page.choose(byTestId('video-input'), CRICKET_MP4, sweep);
        for (const path of ['cricket.mp4', 'left-to-right-1.mp4']) await page.waitFor(`${byTestId('queue')} li[data-path="${path}"][data-status="done"]`, 240_000);
        const keptIn = e.storage === 'opfs' ? "the browser's private file system" : "the browser's IndexedDB";
        expect(await page.text(byTestId('queue-summary'))).toContain(`2 of 2 done · results are kept in ${keptIn}`);
        await page.screenshot(`${page.engine}-${e.engine}-queue`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const e of [firefox, webkit]) {
  test(`${e.name}: the widget on another origin labels a video its host sends`, async () => {
    await e.run(async (page) => {
      const host = `http://localhost:${HOST_PORT}`;
      await page.goto(`${host}/host.html?widget=${APP}&origins=${host}`);
      type Event = { type: string; engine?: string; precision?: string; top?: { label: string }[]; message?: string };
      const events = () => (window as unknown as { events: Event[] }).events;
      const ready = await poll(page, events, (all) => all.some((x) => x.type === 'ready'));
      expect(ready.find((x) => x.type === 'ready')).toMatchObject({ engine: e.engine, precision: e.precision });
      await page.evaluate(() => (window as unknown as { sendFile: (u: string, t: string, x: object) => Promise<void> }).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'checkpoint.pyth' }), undefined);
      await poll(page, events, (all) => all.some((x) => x.type === 'weights'));
      await page.evaluate((video) => (window as unknown as { send: (m: unknown) => void }).send({ type: 'classify', video }), `${host}/media/cricket.mp4`);
      const all = await poll(page, events, (x) => x.some((y) => y.type === 'done' || y.type === 'error'), 180_000);
      expect(all.filter((x) => x.type === 'error')).toEqual([]);
      expect(all.find((x) => x.type === 'labels')!.top![0].label).toBe('presenting weather forecast');
    });
  });
}

for (const e of [firefox, webkit]) {
  test(`${e.name}: Teach trains a head from video files`, async () => {
    test.setTimeout(300_000);
    const dir = mkdtempSync(join(tmpdir(), 'engines-teach-'));
    try {
      await e.run(async (page) => {
        await openWithGoldenWeights(page);
        await page.click('Teach');
        await page.waitFor(`${byTestId('teach-kept-in')}[data-storage="${e.storage}"]`);
        const sweeps: Sweep[] = ['left to right', 'right to left'];
        for (const sweep of sweeps) {
          await page.type('input[aria-label="New class name"]', sweep);
          await page.click('Add class');
          await page.waitFor(`[data-testid="teach-class"][data-name="${sweep}"]`);
        }
        for (const sweep of sweeps) {
          await page.choose(byTestId(`teach-files-${sweep}`), ...[1, 3, 5].map((variant) => makeSweep(dir, sweep, { variant })));
          await page.waitFor(`[data-testid="teach-class"][data-name="${sweep}"][data-takes="3"]`, 180_000);
        }
        await page.click('Train');
        await page.waitFor(byTestId('teach-trained'), 120_000);
        expect(Number(await page.attribute(byTestId('teach-trained'), 'data-accuracy'))).toBeGreaterThanOrEqual(0.9);
        await page.waitFor(`${byTestId('head-state')}[data-status="ready"]`);
        await page.screenshot(`${page.engine}-teach`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('Firefox with WebGPU: teaching files with mirrored copies at 224 px, whose frames do not fit in one of its GPU buffers, reads them on the CPU engine and says so', async () => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'engines-teach-224-'));
  try {
    await withFirefox({ webgpu: true }, async (page) => {
      await openWithGoldenWeights(page);
      // Teaching reads 3 crops of clips every half second, here mirrored too: at 224 px their frames make a ring of
      // over 128 MiB, Firefox's most in one binding, in f32 (in f16, auto's choice here, it is half that).
      await page.select(byTestId('input-size'), '224');
      await page.select(byTestId('precision'), 'f32');
      await page.click('Teach');
      await page.evaluate(() => (document.querySelector('[data-testid="mirror-files"]') as HTMLInputElement).click(), undefined);
      const sweeps: Sweep[] = ['left to right', 'right to left'];
      for (const sweep of sweeps) {
        await page.type('input[aria-label="New class name"]', sweep);
        await page.click('Add class');
        await page.waitFor(`[data-testid="teach-class"][data-name="${sweep}"]`);
        await page.choose(byTestId(`teach-files-${sweep}`), makeSweep(dir, sweep, { variant: 1 }));
        await page.waitFor(`[data-testid="teach-class"][data-name="${sweep}"][data-takes="1"]`, 240_000);
      }
      expect(await page.text(byTestId('teach-notice'))).toMatch(
        /^WebGPU cannot run this here \(this model needs a \d+ MiB buffer \(ring, shape \[1, 3, \d+, 224, 224\]\), but this GPU allows at most 128 MiB in one buffer\): (left-to-right|right-to-left)-1\.mp4 was read on the CPU engine instead\.$/,
      );
      expect(await page.count(byTestId('teach-error'))).toBe(0);
      await page.click('Train');
      await page.waitFor(`${byTestId('head-state')}[data-status="ready"]`, 120_000);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Starts the camera with weights loaded, waits for three label updates, runs `check`, stops the camera. */
async function liveLabels(page: DrivenPage, check: () => Promise<void>): Promise<void> {
  await openWithGoldenWeights(page);
  await page.click('Webcam');
  await page.click('Start camera');
  await poll(page, () => Number(document.querySelector('[data-testid="webcam"]')?.getAttribute('data-updates')), (n) => n >= 3, 180_000);
  expect(await page.count(`${byTestId('top-labels')} li`)).toBe(5);
  expect(await page.count(byTestId('webcam-error'))).toBe(0);
  await check();
  await page.screenshot(`${page.engine}-webcam`);
  await page.click('Stop camera');
  await page.waitFor(`${byTestId('webcam')}[data-status="off"]`);
}

test('Firefox: live labels from its fake camera', async () => {
  await withFirefox({ webgpu: true, prefs: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true } }, (page) =>
    liveLabels(page, async () => {
      // Firefox has no MediaStreamTrackProcessor: frames come from a video element, and the page says so.
      expect(await page.text(byTestId('webcam-frame-source'))).toContain('no MediaStreamTrackProcessor');
    }),
  );
});

// WebKit's mock capture devices (a generated picture), without the permission prompt.
test('WebKit: live labels from its mock camera', async () => {
  await withWebKit({ mockCamera: true }, (page) =>
    liveLabels(page, async () => {
      // On the CPU engine the camera view says maps need WebGPU instead of offering controls that draw nothing.
      expect(await page.text(`.webcam-panel ${byTestId('maps-need-webgpu')}`)).toContain('maps need WebGPU');
    }),
  );
});

// The first visit's download by ranges, in each engine's storage: OPFS blocks written in place from the worker
// (Firefox), IndexedDB parts (WebKit, which refuses OPFS to automated sessions).
for (const e of [firefox, webkit]) {
  test(`${e.name}: a zoo model downloaded by ranges, resumed after a dropped connection, kept in ${e.storage}`, async () => {
    test.setTimeout(240_000);
    const size = statSync(GOLDEN_CHECKPOINT).size;
    await serveZooCheckpoint(GOLDEN_CHECKPOINT, { dropAt: 5e6 });
    try {
      await e.run(async (page) => {
        await page.goto(APP);
        await page.waitFor('.gpu-status[data-status="ready"], .gpu-status[data-status="cpu"]');
        await waitForText(page, byTestId('weights-missing'), 'SlowFast R50 8×8 is not in this browser yet');
        await page.click('Download (≈ 131.9 MB)');
        await waitForText(page, byTestId('weights-ready'), 'downloaded from the model zoo (now cached)', 120_000);
        const sent = await zooSent();
        expect(sent.dropped).toBe(true);
        // The file once, and the span the drop cut short again: from the byte reached in Firefox, whole in WebKit,
        // which hands the page none of an answer that breaks off.
        expect(sent.bytes, sent.spans?.join(', ')).toBeLessThanOrEqual(size + (e === webkit ? 5 : 1) * 2 ** 20 + 1);
        expect(sent.spans?.filter((s) => !s.startsWith('206 '))).toEqual([]);
        expect(await page.attribute(byTestId('cache-storage'), 'data-storage')).toBe(e.storage);
      });
    } finally {
      await serveZooCheckpoint();
    }
  });
}

// Firefox's quota manager with a real limit (50 MB for all sites): a download that would not fit is refused first.
test('Firefox: a download that browser storage cannot hold is refused before it starts, in a sentence', async () => {
  await serveZooCheckpoint(GOLDEN_CHECKPOINT);
  try {
    await withFirefox({ webgpu: true, prefs: { 'dom.quotaManager.temporaryStorage.fixedLimit': 50 * 1024 } }, async (page) => {
      await page.goto(APP);
      await page.waitFor('.gpu-status[data-status="ready"]');
      await waitForText(page, byTestId('weights-missing'), 'SlowFast R50 8×8 is not in this browser yet');
      await page.click('Download (≈ 131.9 MB)');
      await waitForText(page, '[data-testid="weights-error"]', 'SlowFast R50 8×8 needs about 263.7 MB of browser storage, and this browser allows');
      expect(await page.text(byTestId('weights-error'))).toMatch(/allows \d+\.\d MB more\. Remove cached models \(Clear cache\) or free disk space, or drop SLOWFAST_8x8_R50\.pyth on the page\./);
      // Only the first byte was asked for (the file's size and version).
      expect((await zooSent()).bytes ?? 0).toBeLessThanOrEqual(1);
    });
  } finally {
    await serveZooCheckpoint();
  }
});
