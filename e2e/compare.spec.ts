import { expect, test } from '@playwright/test';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seriousViolations } from './a11y.ts';
import { drawnShare, dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4, SHARED } from './paths.ts';
import { writeTorchCheckpoint } from './torchCheckpoint.ts';
import { readPyTorchCheckpoint } from '../model/weights/pytorch.ts';

// The paper's Slow beside SlowFast on one video: the golden SlowFast (quarter width, 64 px) loaded, the golden
// Slow-only checkpoint chosen to compare with, and cricket.mp4 run through both on one decode.

/** A verdict as shown: class index and probability, the top three. */
type Verdict = { index: string | null; probability: number }[];
const shownVerdict = (items: import('@playwright/test').Locator): Promise<Verdict> =>
  items.evaluateAll((els) => els.slice(0, 3).map((el) => ({ index: el.getAttribute('data-index'), probability: Number(el.getAttribute('data-probability')) })));
const sameVerdict = (a: Verdict, b: Verdict) => {
  expect(a.map((v) => v.index)).toEqual(b.map((v) => v.index));
  a.forEach((v, i) => expect(v.probability).toBeCloseTo(b[i].probability, 5));
};

test('compare two models on one video: both sides as each runs alone, the gains by their definition, exports, by keyboard and axe-clean', async ({ page }) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'compare-'));
  const slow = join(dir, 'slow-r50.pyth');
  copyFileSync(join(SHARED, 'golden/slow_r50_w16_8x8_64px/checkpoint.pyth'), slow);
  await openWithGoldenWeights(page);

  // Alone first: SlowFast's verdict on the video (the mean over its clips).
  const main = page.getByTestId('results');
  const verdictAlone = async () => {
    await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
    await expect(main).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    return shownVerdict(page.getByTestId('verdict').locator('span[data-index]'));
  };
  const slowFastAlone = await verdictAlone();

  // A second model of another label set is refused, saying why; the Slow-only one is taken.
  // (The golden Slow-only weights with their head cut to Charades' 157 classes.)
  const charades = join(dir, 'charades-slow.pyth');
  const { dict } = await readPyTorchCheckpoint(new Uint8Array(readFileSync(slow)));
  const tensors = [...dict].map(([key, t]) => {
    if (!/proj\.(weight|bias)$/.test(key)) return { key, shape: t.shape, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
    const perRow = t.shape.slice(1).reduce((a, b) => a * b, 1);
    return { key, shape: [157, ...t.shape.slice(1)], data: new Uint8Array(t.data.buffer, t.data.byteOffset, 157 * perRow * 4) };
  });
  writeTorchCheckpoint(charades, { tensors: tensors.map(({ key, shape }) => ({ key, shape, dtype: 'float32' })), data: (i) => tensors[i].data });
  await page.getByTestId('partner-input').setInputFiles(charades);
  await expect(page.getByTestId('partner-error')).toContainText('charades-slow.pyth cannot be compared: it has 157 classes and checkpoint.pyth has 400: a comparison needs the same label set', { timeout: 60_000 });
  await page.getByTestId('partner-input').setInputFiles(slow);
  const partnerLine = page.getByTestId('partner-line');
  await expect(partnerLine).toContainText('Comparing with slow-r50.pyth (Slow pathway only', { timeout: 60_000 });
  await expect(page.getByTestId('partner-error')).toHaveCount(0);

  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  const compare = page.getByTestId('compare');
  await expect(compare).toBeVisible({ timeout: 60_000 });
  await expect(main).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(compare.getByRole('heading', { level: 3 })).toHaveText('checkpoint.pyth beside slow-r50.pyth');
  for (const m of [0, 1]) await expect(page.getByTestId(`compare-model-${m}`).getByTestId('timeline')).toHaveAttribute('data-clips', '3');
  // SlowFast's side is what it gives alone: the clip labels of the main view, the same verdict.
  const sides = [await shownVerdict(page.getByTestId('compare-verdict-0').locator('li')), await shownVerdict(page.getByTestId('compare-verdict-1').locator('li'))];
  sameVerdict(sides[0], slowFastAlone);
  // SlowFast beside Slow: the gains are SlowFast's (the Fast pathway's), whichever was loaded first.
  await expect(compare.getByRole('heading', { name: 'What checkpoint.pyth gains' })).toBeVisible();

  // The CSV holds every class's mean over each model's clips; each gain is the one minus the other, largest first.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the comparison as CSV' }).click()]);
  const rows = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
  expect(rows[0]).toBe('index,label,"mean probability: checkpoint.pyth","mean probability: slow-r50.pyth","gain of checkpoint.pyth"');
  const body = rows.slice(1).map((r) => r.match(/^(\d+),"(.*)",([\d.]+),([\d.]+),(-?[\d.]+)$/)!.slice(1));
  expect(body).toHaveLength(400);
  for (const [, , a, b, delta] of body) expect(Number(delta)).toBeCloseTo(Number(a) - Number(b), 5);
  const deltas = body.map((r) => Number(r[4]));
  expect(deltas).toEqual([...deltas].sort((x, y) => y - x));
  const shownGains = await page.getByTestId('compare-gains').locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-index')));
  expect(shownGains).toEqual(body.slice(0, 5).map((r) => r[0]));
  // The JSON: both models' clips and verdicts, and the gains.
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the comparison as JSON' }).click()]);
  const record = JSON.parse(readFileSync((await json.path())!, 'utf8'));
  expect(record.models.map((m: { model: string }) => m.model)).toEqual(['checkpoint.pyth', 'slow-r50.pyth']);
  expect(record.models[1].verdict.slice(0, 3).map((v: { index: number }) => String(v.index))).toEqual(sides[1].map((v) => v.index));
  expect(record.gains).toHaveLength(400);

  // By keyboard: the exports and the stop are reachable with Tab, and the compare view is axe-clean.
  await page.getByRole('button', { name: 'Export the comparison as JSON' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Export the comparison as CSV' })).toBeFocused();
  expect(await seriousViolations(page, '[data-testid="compare"]')).toEqual([]);
  await screenshot(page, 'app-compare');

  // Where each model looked: the overlay shows the second model's map of its top class at the playhead.
  await page.locator('.player video').evaluate(async (v: HTMLVideoElement) => {
    v.pause();
    v.currentTime = 0.5;
    await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
  });
  const overlay = page.getByTestId('class-map');
  const firstTop = await page.getByTestId('results').getByTestId('top-labels').first().locator('li').first().getAttribute('data-index');
  await expect(overlay).toHaveAttribute('data-class-index', firstTop!);
  await page.getByTestId('map-model').selectOption('1');
  const secondTop = await page.getByTestId('compare-model-1').getByTestId('top-labels').locator('li').first().getAttribute('data-index');
  await expect(overlay).toHaveAttribute('data-class-index', secondTop!);
  const drawn = await drawnShare(overlay);
  expect(drawn).toBeGreaterThan(0.3);
  await page.getByTestId('map-model').selectOption('0');

  // A class chosen from the gains shows both models' timelines of it and both maps (made on demand for a class
  // outside a clip's top five), by keyboard.
  const gain = page.getByTestId('compare-gains').locator('li').nth(2);
  const gainIndex = (await gain.getAttribute('data-index'))!;
  const gainLabel = body.find((r) => r[0] === gainIndex)![1];
  await gain.getByRole('button').focus();
  await page.keyboard.press('Enter');
  const focus = page.getByTestId('compare-focus');
  await expect(focus).toHaveAttribute('data-class-index', gainIndex);
  await expect(focus.getByRole('heading', { level: 4 })).toContainText(`${gainLabel} on both models`);
  for (const m of [0, 1]) {
    const side = page.getByTestId(`compare-focus-${m}`);
    await expect(side.getByTestId('timeline')).toHaveAttribute('data-clips', '3');
    await expect(side.locator('figcaption')).toHaveText(`${gainLabel}: its probability per clip (click, or arrow keys, to seek)`);
    await expect(side.getByTestId('timeline').locator('polyline')).toHaveCount(1);
    await expect(page.getByTestId(`compare-map-${m}`)).toHaveAttribute('data-class-index', gainIndex, { timeout: 60_000 });
  }
  // The overlay follows the class chosen.
  await expect(overlay).toHaveAttribute('data-class-index', gainIndex, { timeout: 60_000 });
  // A class in neither model's top five here, from the maps' class list: each model maps it for its clip on demand.
  const tops = async (m: number) => page.getByTestId(`compare-model-${m}`).getByTestId('top-labels').locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-index')));
  const topHere = [...(await tops(0)), ...(await tops(1))];
  expect(topHere.filter((i) => i !== null)).toHaveLength(10);
  const elsewhere = body.map((r) => r[0]).slice(150, 250).find((i) => !topHere.includes(i))!;
  await page.getByTestId('map-class').selectOption(elsewhere);
  await expect(focus).toHaveAttribute('data-class-index', elsewhere);
  for (const m of [0, 1]) await expect(page.getByTestId(`compare-map-${m}`)).toHaveAttribute('data-class-index', elsewhere, { timeout: 60_000 });
  await expect(overlay).toHaveAttribute('data-class-index', elsewhere);
  expect(await drawnShare(page.getByTestId('compare-map-1'))).toBeGreaterThan(0.9);
  expect(await seriousViolations(page, '[data-testid="compare"]')).toEqual([]);
  await focus.getByRole('button', { name: 'Back to each clip\'s top classes' }).click();
  await expect(focus).toHaveCount(0);

  // The Slow-only model alone gives the verdict its side showed.
  await partnerLine.getByRole('button', { name: 'Stop comparing' }).click();
  await expect(page.getByTestId('partner-input')).toBeAttached();
  await page.getByTestId('weights-input').setInputFiles(slow);
  await expect(page.getByTestId('weights-ready')).toContainText('slow-r50.pyth', { timeout: 60_000 });
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  // The new analysis (one model) replaces the comparison on screen, then finishes.
  await expect(compare).toHaveCount(0, { timeout: 60_000 });
  await expect(main).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  sameVerdict(await shownVerdict(page.getByTestId('verdict').locator('span[data-index]')), sides[1]);
});

test('the paper\'s partner from the zoo list: its GPU budget before it loads, downloaded and kept, compared; a memory limit under the pair runs the comparison on the CPU engine, saying why', async ({ page }) => {
  test.setTimeout(300_000);
  await openWithGoldenWeights(page);
  const partnerLine = page.getByTestId('partner-line');
  const choice = page.getByTestId('partner-choice');
  const budget = page.getByTestId('compare-budget');
  // SlowFast loaded: its Slow-only partner is offered first, with what the two take on the GPU and the download.
  await expect(choice).toHaveValue('SLOW_8x8_R50');
  await expect(budget).toContainText(/^On the GPU together at 64 px: about [\d.]+ MB: checkpoint\.pyth [\d.]+ MB \(weights [\d.]+ MB, working memory [\d.]+ MB\) and Slow R50 8×8 [\d.]+ MB/);
  await expect(budget).toContainText('Comparing downloads Slow R50 8×8 first (≈ 123.8 MB).');
  await expect(page.getByTestId('compare-over-limit')).toHaveCount(0);

  // Compare: it comes from the (stand-in) zoo, and is kept in this browser.
  await page.getByTestId('compare-model').click();
  await expect(partnerLine).toContainText('Comparing with Slow R50 8×8 (Slow pathway only', { timeout: 60_000 });
  await expect(budget).not.toContainText('downloads');
  const main = page.getByTestId('results');
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  const compare = page.getByTestId('compare');
  await expect(main).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(compare.getByRole('heading', { level: 3 })).toHaveText('checkpoint.pyth beside Slow R50 8×8');
  for (const m of [0, 1]) await expect(page.getByTestId(`compare-model-${m}`).getByTestId('timeline')).toHaveAttribute('data-clips', '3');
  // The budget's weights are those the GPU got.
  await page.getByTestId('perf').locator('summary').click();
  expect(await page.getByTestId('gpu-memory').getAttribute('data-weight-bytes')).toBe(await budget.getAttribute('data-first-weights'));

  await partnerLine.getByRole('button', { name: 'Stop comparing' }).click();
  await expect(choice.locator('option[value="SLOW_8x8_R50"]')).toContainText('in this browser');

  // A limit under the pair: said before it loads, and the video's comparison then runs on the CPU engine, saying why.
  await page.getByTestId('gpu-memory-limit').selectOption(String(128 * 2 ** 20));
  await page.getByTestId('input-size').selectOption('224');
  await expect(page.getByTestId('compare-over-limit')).toHaveText('That is over the 128.0 MB set under Performance, so the comparison will run on the CPU engine.');
  await page.getByTestId('compare-model').click();
  await expect(partnerLine).toContainText('Comparing with Slow R50 8×8', { timeout: 60_000 });
  await expect(page.getByTestId('partner-loading')).toHaveCount(0);
  await expect(page.getByTestId('compare-over-limit')).toBeVisible();
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(page.getByTestId('analysis-notice')).toHaveText(
    /^WebGPU cannot run this here \(checkpoint\.pyth and Slow R50 8×8 together need about \d+ MB of GPU memory, over the 128 MB limit set\): this video runs on the CPU engine instead\.$/,
    { timeout: 60_000 },
  );
  await expect(main).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  for (const m of [0, 1]) await expect(page.getByTestId(`compare-model-${m}`).getByTestId('timeline')).toHaveAttribute('data-clips', '3');

  // Alone, the first model fits under the limit: the video runs on WebGPU, with nothing to say.
  await partnerLine.getByRole('button', { name: 'Stop comparing' }).click();
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(compare).toHaveCount(0, { timeout: 60_000 });
  await expect(main).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(page.getByText('cricket.mp4 · 224×224, avc, 3.16 s · on WebGPU')).toBeVisible();
  await expect(page.getByTestId('analysis-notice')).toHaveCount(0);
});
