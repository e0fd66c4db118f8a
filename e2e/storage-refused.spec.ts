import { chromium, expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWithGoldenWeights, screenshot } from './helpers.ts';

// A browser profile that blocks site storage (as "block all cookies and site data" does): OPFS and
// localStorage throw SecurityError, the way private windows and some iframes refuse them.
test('with browser storage refused, dropped weights still work, uncached, and the page says so', async ({ launchOptions, baseURL }) => {
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
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
