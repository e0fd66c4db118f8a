import { expect, test, type Page } from '@playwright/test';
import { dropFiles, screenshot } from './helpers.ts';
import { CRICKET_MP4, GOLDEN_CHECKPOINT } from './paths.ts';

const widget = 'http://localhost:4173';
const host = 'http://localhost:4174';

interface Event {
  type: string;
  scope?: string;
  mode?: string;
  top?: { label: string; probability: number }[];
  start?: number;
  end?: number;
  weights?: string | null;
  name?: string | null;
  message?: string;
}
const events = (page: Page) => page.evaluate(() => (window as unknown as { events: Event[] }).events);
const send = (page: Page, message: unknown) => page.evaluate((m) => (window as unknown as { send: (m: unknown) => void }).send(m), message);

test('a host page on another origin drives the widget and receives labels', async ({ page }) => {
  await page.goto(`${host}/host.html?widget=${widget}&origins=${host}&widgetParams=${encodeURIComponent('cam=1')}`);
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'ready'), { timeout: 60_000 }).toMatchObject({ type: 'ready', weights: null, precision: 'f32' });

  // Weights as a Blob, the video as a URL the widget fetches.
  await page.evaluate(() => (window as unknown as { sendFile: (u: string, t: string, x: object) => Promise<void> }).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'checkpoint.pyth' }));
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'weights'), { timeout: 60_000 }).toMatchObject({ name: 'checkpoint.pyth' });
  // The host names the head's classes; a list of the wrong length is refused with a reason.
  await send(page, { type: 'loadLabels', labels: ['wave', 'clap'] });
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'error')).toMatchObject({ scope: 'labels', message: "labels has 2 labels, but the model's head has 400 classes" });
  await send(page, { type: 'loadLabels', labels: Array.from({ length: 400 }, (_, i) => `host action ${i}`), name: 'host-labels' });
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'labelsLoaded')).toMatchObject({ name: 'host-labels', classes: 400 });
  await send(page, { type: 'classify', video: `${host}/media/cricket.mp4` });
  await expect.poll(async () => (await events(page)).some((e) => e.type === 'done'), { timeout: 120_000 }).toBe(true);

  const all = await events(page);
  const labels = all.filter((e) => e.type === 'labels');
  expect(labels.length).toBeGreaterThanOrEqual(2);
  for (const l of labels) {
    expect(l.mode).toBe('video');
    expect(l.top).toHaveLength(5);
    expect(l.end! - l.start!).toBeCloseTo(2.13, 1);
    expect(l.top![0].probability).toBeGreaterThanOrEqual(l.top![4].probability);
    expect(l.top![0].label).toMatch(/^host action \d+$/);
  }
  expect(all.some((e) => e.type === 'progress')).toBe(true);
  // Opted in (cam=1): each clip's labels are followed by where the model looked, for its top classes, named.
  const cams = all.filter((e) => e.type === 'cam') as unknown as { start: number; classes: { index: number; label: string }[]; slow: { shape: number[]; data: Float32Array }; fast: { shape: number[]; data: Float32Array } }[];
  expect(cams).toHaveLength(labels.length);
  cams.forEach((c, i) => {
    expect(c.start).toBe(labels[i].start);
    expect(c.classes.map((x) => x.label)).toEqual(labels[i].top!.map((l) => l.label));
    expect(c.slow.shape).toEqual([5, 8, 2, 2]);
    expect(c.fast.shape).toEqual([5, 32, 2, 2]);
    expect(c.slow.data).toBeInstanceOf(Float32Array);
    expect(c.slow.data.length).toBe(5 * 8 * 2 * 2);
  });
  // After 'done': the verdict and the segments, under the default thresholds.
  const seg = all.find((e) => e.type === 'segments') as unknown as { verdict: { label: string }[]; segments: { label: string; start: number; end: number }[]; thresholds: object };
  expect(all.findIndex((e) => e.type === 'segments')).toBeGreaterThan(all.findIndex((e) => e.type === 'done'));
  expect(seg.thresholds).toEqual({ enter: 0.5, exit: 0.3, minDuration: 1 });
  expect(seg.verdict[0].label).toBe(labels[0].top![0].label);
  expect(seg.segments.map((x) => x.label)).toContain(labels[0].top![0].label);
  // A bad command is answered with an error event, not silence.
  await send(page, { type: 'runThis', code: 'alert(1)' });
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'error' && e.scope === 'command')).toMatchObject({ message: 'unknown command "runThis"' });
  await expect(page.frameLocator('iframe').getByTestId('results')).toHaveAttribute('data-status', 'done');
  await screenshot(page, 'embed-host');
});

test('messages from an origin the embedder did not list are ignored, and no events go to it', async ({ page }) => {
  // The widget is told to trust only another origin, not this host page's.
  await page.goto(`${host}/host.html?widget=${widget}&origins=${encodeURIComponent('http://localhost:4999')}`);
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(frame.getByTestId('weights-state')).toBeVisible({ timeout: 30_000 });
  await page.evaluate(() => (window as unknown as { sendFile: (u: string, t: string, x: object) => Promise<void> }).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights' }));
  await send(page, { type: 'classify', video: `${host}/media/cricket.mp4` });
  await send(page, { type: 'nonsense' });
  await page.waitForTimeout(3000);
  await expect(frame.getByTestId('weights-state')).toBeVisible();
  await expect(frame.getByTestId('opening')).toHaveCount(0);
  await expect(frame.getByTestId('results')).toHaveCount(0);
  expect(await events(page)).toEqual([]);
  // The person at the page can still drop files on the widget: the weights load, the first video is classified
  // and the other left out, with a word on it (not the browser opening the file in the widget's place).
  const widgetFrame = page.frames().find((f) => f.url().startsWith(widget))!;
  await dropFiles(widgetFrame, 'main', [{ path: GOLDEN_CHECKPOINT }]);
  await expect(frame.getByTestId('weights-state')).toHaveCount(0, { timeout: 60_000 });
  await dropFiles(widgetFrame, 'main', [{ path: CRICKET_MP4 }, { path: CRICKET_MP4, name: 'second.mp4' }]);
  await expect(frame.getByTestId('drop-note')).toHaveText('The widget classifies one video at a time: cricket.mp4 opened, 1 other video left out.');
  await expect(frame.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(frame.getByTestId('top-labels').locator('li').first()).toHaveAttribute('data-label', 'presenting weather forecast');
  expect(widgetFrame.url()).toMatch(/\/embed\.html/);
  expect(await events(page)).toEqual([]);
});

test('the widget compares two models on a video its host sends: both clips\' labels, and the comparison after the verdict', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`${host}/host.html?widget=${widget}&origins=${host}`);
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'ready'), { timeout: 60_000 }).toBeTruthy();
  const sendFile = (url: string, field: string, extra: object) =>
    page.evaluate(([u, f, x]) => (window as unknown as { sendFile: (u: string, f: string, x: object) => Promise<void> }).sendFile(u, f, x), [url, field, extra] as const);
  await sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'slowfast.pyth' });
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'weights'), { timeout: 60_000 }).toMatchObject({ name: 'slowfast.pyth' });
  // A command without weights is refused with its reason; the Slow-only checkpoint as a Blob is taken.
  await send(page, { type: 'compare' });
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'error')).toMatchObject({ scope: 'command', message: '"compare" needs "weights" (a Blob, an http(s) URL, or null to stop comparing) or "model" (a zoo model\'s name)' });
  await sendFile('/golden/slow_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'compare', name: 'slow.pyth' });
  await expect.poll(async () => (await events(page)).find((e) => e.type === 'compare'), { timeout: 60_000 }).toMatchObject({ name: 'slow.pyth' });
  await send(page, { type: 'classify', video: `${host}/media/cricket.mp4` });
  await expect.poll(async () => (await events(page)).some((e) => e.type === 'comparison'), { timeout: 180_000 }).toBe(true);

  const all = await events(page);
  const labels = all.filter((e) => e.type === 'labels');
  const second = all.filter((e) => e.type === 'compareLabels');
  expect(second.map((e) => [e.start, e.end])).toEqual(labels.map((e) => [e.start, e.end]));
  for (const e of second) expect(e.top).toHaveLength(5);
  const comparison = all.find((e) => e.type === 'comparison') as unknown as { models: { name: string; verdict: { index: number }[] }[]; gainsOf: string; gains: { delta: number }[] };
  expect(all.findIndex((e) => e.type === 'comparison')).toBeGreaterThan(all.findIndex((e) => e.type === 'segments'));
  expect(comparison.models.map((m) => m.name)).toEqual(['slowfast.pyth', 'slow.pyth']);
  // The first model's verdict is the one 'segments' gave; the gains are SlowFast's, largest first.
  const segments = all.find((e) => e.type === 'segments') as unknown as { verdict: { index: number }[] };
  expect(comparison.models[0].verdict.map((v) => v.index)).toEqual(segments.verdict.map((v) => v.index));
  expect(comparison.gainsOf).toBe('slowfast.pyth');
  expect(comparison.gains.map((g) => g.delta)).toEqual([...comparison.gains.map((g) => g.delta)].sort((a, b) => b - a));
  // null stops comparing; a zoo model by name is compared with (here from the stand-in zoo).
  await send(page, { type: 'compare', weights: null });
  await expect.poll(async () => (await events(page)).filter((e) => e.type === 'compare').at(-1)).toMatchObject({ name: null });
  await send(page, { type: 'compare', model: 'SLOW_8x8_R50' });
  await expect.poll(async () => (await events(page)).filter((e) => e.type === 'compare').at(-1), { timeout: 60_000 }).toMatchObject({ name: 'Slow R50 8×8' });
});
