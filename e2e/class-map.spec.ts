import { expect, test, type Page } from '@playwright/test';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

/** The overlay's pixels: how many are drawn (alpha > 0), how many distinct colours, and whether any lies outside the video's picture. */
function overlayPixels(page: Page) {
  return page.getByTestId('class-map').evaluate((c: HTMLCanvasElement) => {
    const video = document.querySelector('.player video') as HTMLVideoElement;
    const { data, width, height } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    // The picture's box inside the element (object-fit: contain).
    const scale = Math.min(width / video.videoWidth, height / video.videoHeight);
    const [x0, y0] = [(width - video.videoWidth * scale) / 2, (height - video.videoHeight * scale) / 2];
    let drawn = 0;
    let outside = 0;
    const colours = new Set<string>();
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 4;
        if (data[o + 3] === 0) continue;
        drawn++;
        colours.add(`${data[o]},${data[o + 1]},${data[o + 2]}`);
        if (x < x0 - 1 || x > x0 + video.videoWidth * scale + 1 || y < y0 - 1 || y > y0 + video.videoHeight * scale + 1) outside++;
      }
    }
    return { drawn, outside, colours: colours.size, area: video.videoWidth * scale * video.videoHeight * scale };
  });
}

test('where it looks: a heatmap over the crop the network saw, for the top class, that follows playback and can be switched', async ({ page }) => {
  await openWithGoldenWeights(page);
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  const results = page.getByTestId('results');
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const video = page.locator('.player video');
  await video.evaluate(async (v: HTMLVideoElement) => {
    v.pause();
    v.currentTime = 0.5;
    await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
  });
  const overlay = page.getByTestId('class-map');
  // The map is of the clip's top class (cricket.mp4 is square: the crop is the whole picture).
  const top = await page.getByTestId('top-labels').locator('li').first().getAttribute('data-index');
  await expect(overlay).toHaveAttribute('data-class-index', top!);
  const both = await overlayPixels(page);
  expect(both.drawn).toBeGreaterThan(0.95 * both.area);
  expect(both.outside).toBe(0);
  expect(both.colours).toBeGreaterThan(20);
  await screenshot(page, 'app-class-map');

  // Off clears it; the Slow pathway alone draws a different map; another of the clip's classes another still.
  await page.getByTestId('map-view').selectOption('off');
  await expect.poll(async () => (await overlayPixels(page)).drawn).toBe(0);
  await page.getByTestId('map-view').selectOption('slow');
  await expect.poll(async () => (await overlayPixels(page)).drawn).toBeGreaterThan(0.95 * both.area);
  const second = await page.getByTestId('map-class').locator('option').nth(1).getAttribute('value');
  await page.getByTestId('map-class').selectOption(second!);
  await expect(overlay).not.toHaveAttribute('data-class-index', top!);
  await page.getByTestId('map-opacity').fill('1');
  await screenshot(page, 'app-class-map-slow-second-class');
});

test('a map for any class: every class in a searchable list, and one outside the clip\'s top five mapped on demand for the clip on screen', async ({ page }) => {
  test.setTimeout(240_000);
  await openWithGoldenWeights(page);
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  const results = page.getByTestId('results');
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const clips = await page.getByTestId('timeline').getAttribute('data-clips');
  await page.locator('.player video').evaluate(async (v: HTMLVideoElement) => {
    v.pause();
    v.currentTime = 0.5;
    await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
  });
  const picker = page.getByTestId('map-class');
  // The clip's five mapped classes first, then the other 395 of Kinetics-400.
  await expect(picker.getByTestId('map-class-top').locator('option')).toHaveCount(5);
  await expect(picker.getByTestId('map-class-all').locator('option')).toHaveCount(395);
  const top = await picker.getByTestId('map-class-top').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));

  // Found by typing, taken with Enter: a class the clip did not map.
  const search = page.getByTestId('map-class-search');
  await search.fill('juggling');
  const matches = await picker.getByTestId('map-class-all').locator('option').allTextContents();
  expect(matches.length).toBeGreaterThan(0);
  expect(matches.every((m) => m.includes('juggling'))).toBe(true);
  await search.press('Enter');
  const chosen = await picker.inputValue();
  expect(top).not.toContain(chosen);
  expect(await picker.locator('option:checked').textContent()).toBe(matches[0]);
  const overlay = page.getByTestId('class-map');
  await expect(overlay).toHaveAttribute('data-class-index', chosen, { timeout: 120_000 });
  const drawn = await overlayPixels(page);
  expect(drawn.drawn).toBeGreaterThan(0.95 * drawn.area);
  await expect(page.getByTestId('map-class-status')).toHaveCount(0);
  // Only the clip on screen ran again: the analysis on screen is unchanged.
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-clips', clips!);
  await expect(page.getByTestId('weights-error')).toHaveCount(0);
  await screenshot(page, 'app-class-map-any-class');

  // Back to one of the clip's own classes: shown at once, from its own maps.
  await search.fill('');
  await picker.selectOption(top[1]);
  await expect(overlay).toHaveAttribute('data-class-index', top[1]);
});
