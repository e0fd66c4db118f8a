import { expect, test } from '@playwright/test';
import { OFFICIAL_8X8_PARAMETERS, officialShapedCheckpoint } from './officialCheckpoint.ts';
import { screenshot } from './helpers.ts';

// A checkpoint of the official SLOWFAST_8x8_R50.pyth's size and shape (≈ 276 MB: weights, optimizer state,
// epoch, cfg) chosen in the page: the worker reads only the weights from the file, converts them and caches
// them, and the page names the full-width network.
test('the page loads an official-sized checkpoint with its optimizer state', async ({ page }) => {
  const fixture = officialShapedCheckpoint();
  try {
    await page.goto('/');
    await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    await page.getByTestId('weights-input').setInputFiles(fixture.checkpoint);
    const ready = page.getByTestId('weights-ready');
    await expect(ready).toContainText('SLOWFAST_8x8_R50-shaped.pyth', { timeout: 180_000 });
    await expect(ready).toContainText(`${(OFFICIAL_8X8_PARAMETERS / 1e6).toFixed(2)} M parameters`);
    await expect(ready).toContainText('stem widths 64/8 · 400 classes');
    await expect(page.locator('.cache-line')).toContainText(/SLOWFAST_8x8_R50-shaped\.pyth \(132\.\d MB\)/, { timeout: 60_000 });
    await expect(page.getByTestId('weights-error')).toHaveCount(0);
    await screenshot(page, 'app-official-sized-checkpoint');
  } finally {
    fixture.dispose();
  }
});
