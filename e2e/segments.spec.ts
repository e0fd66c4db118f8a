import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

test('segments and a verdict for the whole video: a list that seeks, a WebVTT track the player reads, thresholds that apply', async ({ page }) => {
  await openWithGoldenWeights(page);
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  const results = page.getByTestId('results');
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

  // The verdict is the mean of the clips' probabilities (single-label head): checked against the exported clips.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const clips = (JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { clips: { top: { index: number; probability: number }[] }[] }).clips;
  const verdictTop = page.getByTestId('verdict').locator('span[data-index]').first();
  const index = Number(await verdictTop.getAttribute('data-index'));
  const perClip = clips.map((c) => c.top.find((l) => l.index === index)?.probability);
  expect(perClip.every((p) => p !== undefined)).toBe(true);
  const mean = perClip.reduce((a, p) => a! + p!, 0)! / clips.length;
  expect(Number(await verdictTop.getAttribute('data-probability'))).toBeCloseTo(mean, 4);

  // Segments, in the list and as the player's subtitle track (parsed by Chromium's WebVTT parser).
  const items = page.getByTestId('segments').locator('li');
  await expect(items.first()).toBeVisible();
  const listed = await items.evaluateAll((lis) => lis.map((li) => ({ start: Number(li.dataset.start), end: Number(li.dataset.end), text: li.textContent ?? '' })));
  const cues = await page.locator('.player video').evaluate(async (v: HTMLVideoElement) => {
    const track = v.querySelector('track')!;
    if (track.readyState !== 2) await new Promise((r) => track.addEventListener('load', r, { once: true }));
    return Array.from(v.textTracks[0].cues ?? [], (c) => ({ start: c.startTime, end: c.endTime, text: (c as VTTCue).text }));
  });
  expect(cues).toHaveLength(listed.length);
  cues.forEach((c, i) => {
    expect(c.start).toBeCloseTo(listed[i].start, 2);
    expect(c.end).toBeCloseTo(listed[i].end, 2);
    expect(listed[i].text).toContain(c.text.replace(/ \(\d+%\)$/, ''));
  });
  await screenshot(page, 'app-segments');

  // A segment seeks the player to its start.
  const last = items.last();
  const start = Number(await last.getAttribute('data-start'));
  await last.getByRole('button').click();
  await expect.poll(() => page.locator('.player video').evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(start, 1);

  // Thresholds no clip reaches for that long: no segments, and a sentence says so.
  await page.getByTestId('segment-min').fill('30');
  await expect(page.getByTestId('no-segments')).toContainText('for 30 s');
  await expect(page.getByTestId('segments')).toHaveCount(0);
});

test("the paper's protocol: 10 clips evenly spaced over the video, 3 crops each, averaged into the verdict", async ({ page }) => {
  await openWithGoldenWeights(page);
  await page.getByTestId('paper-protocol').check();
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const record = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { views: number; clips: { start: number }[] };
  expect(record.views).toBe(3);
  // Starts at i/10 of the slack (3.16 s video, 2.13 s clips), as PySlowFast samples its test clips.
  expect(record.clips.map((c) => c.start)).toEqual(Array.from({ length: 10 }, (_, i) => expect.closeTo((i * (3.16 - 64 / 30)) / 10, 2)));
  await expect(page.getByTestId('verdict')).toBeVisible();
});
