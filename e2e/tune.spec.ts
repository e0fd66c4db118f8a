import { expect, test } from '@playwright/test';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

test('tuning the conv tiles for this GPU: progress, a table kept across reloads and used for analysis, forgotten by clear cache', async ({ page }) => {
  test.setTimeout(300_000);
  await openWithGoldenWeights(page, 'drop');
  await page.locator('details.perf-panel summary').click();
  const tiles = page.getByTestId('tiles');
  await expect(tiles).toHaveAttribute('data-status', 'default');
  // SwiftShader is a software adapter: the engine does not tune by itself after an analysis, and says so.
  await expect(tiles).toContainText('only on request');
  await page.getByRole('button', { name: 'Tune for this GPU' }).click();
  await expect(tiles).toHaveAttribute('data-status', 'tuning');
  await expect(tiles).toContainText(/of \d+ layer shapes/, { timeout: 60_000 });
  await expect(tiles).toHaveAttribute('data-status', 'tuned', { timeout: 240_000 });
  await expect(tiles).toContainText(/Tuned for this GPU in f32: \d+ layer shapes \([\d.]+ s\)/);
  await screenshot(page, 'app-tiles-tuned');

  // The next analysis runs with the tuned tiles and labels the video as before.
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('top-labels')).toContainText('presenting weather forecast');

  // Kept in browser storage: after a reload the table is there without tuning again.
  await page.reload();
  await expect(page.getByTestId('weights-ready')).toBeVisible({ timeout: 60_000 });
  await page.locator('details.perf-panel summary').click();
  await expect(page.getByTestId('tiles')).toHaveAttribute('data-status', 'tuned', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Clear cache' }).click();
  await expect(page.getByTestId('tiles')).toHaveAttribute('data-status', 'default');
});
