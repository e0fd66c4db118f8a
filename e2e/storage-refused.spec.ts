import { chromium, expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSweep } from './activities.ts';
import { openWithGoldenWeights, screenshot } from './helpers.ts';

// A browser profile that blocks site storage (as "block all cookies and site data" does): OPFS and
// localStorage throw SecurityError, the way private windows and some iframes refuse them.
test('with browser storage refused, dropped weights still work, uncached, teaching works in memory, and the page says so', async ({ launchOptions, baseURL }) => {
  const profile = mkdtempSync(join(tmpdir(), 'slowfast-no-storage-'));
  mkdirSync(join(profile, 'Default'));
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await openWithGoldenWeights(page, 'picker');
    await expect(page.getByTestId('cache-unavailable')).toContainText('Browser storage is unavailable here');
    await expect(page.getByTestId('cache-unavailable')).toContainText('weights work for this visit but are not kept');
    await expect(page.getByTestId('weights-ready')).toContainText('from your file');
    await screenshot(page, 'app-storage-refused');

    // Teaching works in memory, and says so.
    await page.getByRole('tab', { name: 'Teach' }).click();
    await expect(page.getByTestId('teach')).toHaveAttribute('data-storage', 'memory');
    await expect(page.getByTestId('teach-storage')).toContainText('your examples are kept in memory for this visit only');
    for (const sweep of ['left to right', 'right to left'] as const) {
      await page.getByLabel('New class name').fill(sweep);
      await page.getByRole('button', { name: 'Add class' }).click();
      await page.getByTestId(`teach-files-${sweep}`).setInputFiles(makeSweep(profile, sweep, { variant: 1 }));
      await expect(page.locator(`[data-testid=teach-class][data-name="${sweep}"]`)).toHaveAttribute('data-takes', '1', { timeout: 60_000 });
    }
    await page.getByRole('button', { name: 'Train' }).click();
    await expect(page.getByTestId('head-state')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    await expect(page.getByTestId('teach-trained')).toContainText('Too few takes to grade');
    await screenshot(page, 'app-teach-storage-refused');
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
