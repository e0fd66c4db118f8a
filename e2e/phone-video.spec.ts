// A phone's portrait video in the page: landscape frames with the turn in the container (made by ffmpeg here).
// The page must label it as its upright re-encode and draw where it looks over the upright picture.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { makePhoneVideos } from '../scripts/phoneVideos.mjs';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { SHARED } from './paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'phone-videos-'));
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Drops `path`, waits for its analysis, pauses at 0.5 s: the top labels there and the where-it-looks overlay's pixels. */
async function analysed(page: Page, path: string, name: string) {
  await dropFiles(page, 'main', [{ path, type: 'video/mp4' }]);
  await expect(page.getByTestId('video-details')).toContainText(name, { timeout: 60_000 });
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await page.locator('.player video').evaluate(async (v: HTMLVideoElement) => {
    v.pause();
    v.currentTime = 0.5;
    await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
  });
  const labels = await page.getByTestId('top-labels').locator('li').evaluateAll((items) => items.map((li) => li.textContent));
  // The overlay as drawn for the paused playhead: read once two looks a moment apart agree (it redraws after a seek).
  const look = () => page.getByTestId('class-map').evaluate((c: HTMLCanvasElement) => (c.width ? c.toDataURL() : ''));
  let last = await look();
  await expect.poll(async () => {
    await page.waitForTimeout(300);
    const now = await look();
    const settled = now !== '' && now === last;
    last = now;
    return settled;
  }, { timeout: 30_000 }).toBe(true);
  const overlay = await page.getByTestId('class-map').evaluate((c: HTMLCanvasElement) => ({
    size: [c.width, c.height],
    data: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
  }));
  return { labels, overlay, details: await page.getByTestId('video-details').textContent() };
}

test('a phone\'s portrait video labels as its upright re-encode, with the map drawn over the upright picture', async ({ page }) => {
  const files = await makePhoneVideos(90, dir, join(SHARED, 'media'));
  await openWithGoldenWeights(page);
  const tagged = await analysed(page, files.tagged, 'phone-90.mp4');
  // Shown upright (224 wide, 336 tall), and the page says the file turns its frames.
  expect(tagged.details).toMatch(/224×336 \(frames turned 270° as the file says\)/);
  await screenshot(page, 'app-phone-video');
  const upright = await analysed(page, files.upright, 'phone-90-upright.webm');
  expect(tagged.labels).toEqual(upright.labels);
  // The same map over the same picture: the overlay's pixels are those of the upright video's (to within a level).
  expect(tagged.overlay.size).toEqual(upright.overlay.size);
  const alpha = (o: typeof tagged.overlay) => o.data.filter((_, i) => i % 4 === 3 && o.data[i] > 0).length;
  expect(alpha(tagged.overlay)).toBeGreaterThan(0);
  expect(alpha(tagged.overlay)).toBe(alpha(upright.overlay));
  const meanDiff = tagged.overlay.data.reduce((sum, v, i) => sum + Math.abs(v - upright.overlay.data[i]), 0) / tagged.overlay.data.length;
  expect(meanDiff).toBeLessThan(1);
  // The stored frames untagged (what ignoring the turn would give) are labelled otherwise.
  const stored = await analysed(page, files.stored, 'phone-90-stored.mp4');
  expect(stored.labels).not.toEqual(tagged.labels);
});

test('a phone\'s portrait video gives Teach an upright thumbnail', async ({ page }) => {
  const files = await makePhoneVideos(90, dir, join(SHARED, 'media'));
  await openWithGoldenWeights(page);
  await page.getByRole('tab', { name: 'Teach' }).click();
  await page.getByLabel('New class name').fill('phone');
  await page.getByRole('button', { name: 'Add class' }).click();
  const takes = page.getByTestId('take');
  for (const [i, path] of [files.tagged, files.upright, files.stored].entries()) {
    await page.getByTestId('teach-files-phone').setInputFiles(path);
    await expect(takes).toHaveCount(i + 1, { timeout: 60_000 });
  }
  // Each thumbnail's pixels, as drawn: the tagged file's is portrait and is the upright re-encode's.
  const pixels = await takes.locator('img').evaluateAll((images) =>
    Promise.all((images as HTMLImageElement[]).map(async (img) => {
      await img.decode();
      const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return { width: img.naturalWidth, height: img.naturalHeight, data: Array.from(g.getImageData(0, 0, c.width, c.height).data) };
    })),
  );
  const [tagged, upright, stored] = pixels;
  expect(tagged.height).toBeGreaterThan(tagged.width);
  expect([tagged.width, tagged.height]).toEqual([upright.width, upright.height]);
  const meanDiff = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
  // JPEG at quality 0.7 of nearly the same picture: a few levels apart at most; the sideways one is far off.
  expect(meanDiff(tagged.data, upright.data)).toBeLessThan(4);
  expect(stored.height).toBeLessThan(stored.width);
});
