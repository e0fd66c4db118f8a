// The bad-input corpus (e2e/corpus.mjs) dropped on a page that already shows results: each case gets its own
// message, the page keeps working, and what was on screen stays. One page serves every case, as a user's
// would; each case is its own test.
import { test as base, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { CASES, CORPUS_DIR } from './corpus.mjs';
import { openWithGoldenWeights } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

const test = base.extend<object, { app: Page }>({
  app: [
    async ({ browser }, use, workerInfo) => {
      const page = await browser.newPage({ baseURL: workerInfo.project.use.baseURL });
      await openWithGoldenWeights(page, 'picker');
      await page.getByTestId('video-input').setInputFiles(CRICKET_MP4);
      await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
      await use(page);
      await page.close();
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

/** What the results area shows: its status, the file, and how many clips its timeline has. */
async function shown(app: Page) {
  const results = app.getByTestId('results');
  return {
    status: await results.getAttribute('data-status'),
    file: await results.locator('.player .detail').textContent(),
    clips: await app.getByTestId('timeline').getAttribute('data-clips'),
  };
}

for (const c of CASES) {
  const path = join(CORPUS_DIR, c.file);
  test(`${c.as === 'video' ? 'video' : 'weights'} ${c.file}: ${c.works ? 'labels' : 'a clear message'}${c.message && c.works ? ' and a notice' : ''}`, async ({ app }) => {
    if (c.as === 'weights') {
      await app.getByTestId('weights-input').setInputFiles(path);
      const error = app.getByTestId('weights-error');
      await expect(error).toContainText(`${c.file} is not usable weights: `, { timeout: 60_000 });
      await expect(error).toHaveText(c.message!);
      // The loaded model stays in use.
      await expect(app.getByTestId('weights-ready')).toContainText('checkpoint.pyth');
      return;
    }
    const before = await shown(app);
    await app.getByTestId('video-input').setInputFiles(path);
    if (!c.works) {
      const error = app.getByTestId('video-error');
      await expect(error).toContainText(`${c.file}: `, { timeout: 60_000 });
      await expect(error).toHaveText(c.message!);
      // Earlier results stay, and the page is still at work.
      expect(await shown(app)).toEqual(before);
      await expect(app.locator('.gpu-status')).toHaveAttribute('data-status', 'ready');
      return;
    }
    const results = app.getByTestId('results');
    await expect(results.locator('.player .detail')).toContainText(c.file, { timeout: 60_000 });
    if (c.long) {
      // Streaming: the first labels come long before the file could have been read whole, and cancel stops it.
      await expect(app.getByTestId('top-labels').locator('li')).toHaveCount(5, { timeout: 90_000 });
      await expect(app.getByTestId('progress')).toContainText(/of 11\d\d clips/);
      await app.getByRole('button', { name: 'Cancel' }).click();
      await expect(results).toHaveAttribute('data-status', 'cancelled');
      await expect(app.getByTestId('timeline')).toHaveAttribute('data-duration', /^1200/);
      return;
    }
    await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    await expect(app.getByTestId('top-labels').locator('li')).toHaveCount(5);
    expect(Number(await app.getByTestId('timeline').getAttribute('data-clips'))).toBeGreaterThanOrEqual(1);
    if (c.message) await expect(app.getByTestId('analysis-notice')).toHaveText(c.message);
    else await expect(app.getByTestId('analysis-notice')).toHaveCount(0);
  });
}
