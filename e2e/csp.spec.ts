// The built pages carry a Content-Security-Policy: no eval, no inline script, and nothing the app does
// (the worker, dropped videos and images) trips it. (Playwright's own evaluate runs outside the policy, so
// eval is checked by the policy's text; an injected inline script shows the policy at work.)
import { expect, test, type Page } from '@playwright/test';
import { dropFiles, openWithGoldenWeights } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

/** Collects CSP violations from the page and its frames from the start. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { violations: string[] };
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);
}

test('the app runs a whole analysis under its policy, and the policy refuses eval', async ({ page }) => {
  const violations = await watchViolations(page);
  await openWithGoldenWeights(page, 'picker');
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("script-src 'self'");
  expect(policy).toContain("connect-src 'self'");
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.locator('.player video')).toHaveJSProperty('readyState', 4);
  expect(await violations()).toEqual([]);
  // Script the page did not ship does not run: an injected inline script is refused (and with no
  // 'unsafe-eval' in script-src, so are eval and new Function).
  expect(policy).not.toContain('unsafe-eval');
  await page.addScriptTag({ content: 'window.injected = true;' }).catch(() => undefined);
  expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
  expect((await violations()).some((v) => v.startsWith('script-src'))).toBe(true);
  // The app fetches nothing but its own files.
  expect(await page.evaluate(() => fetch('http://localhost:4174/host.html').then(() => 'fetched', (e: Error) => e.name))).toBe('TypeError');
  expect((await violations()).some((v) => v.startsWith('connect-src'))).toBe(true);
});

test('the widget has its own policy, which lets it fetch the http(s) URLs a host sends', async ({ page }) => {
  await page.goto('http://localhost:4174/host.html?widget=http://localhost:4173&origins=http://localhost:4174');
  const frame = page.frames().find((f) => f.url().includes('/embed.html'))!;
  await expect(page.frameLocator('iframe').locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const policy = await page.frameLocator('iframe').locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(policy).toContain("connect-src 'self' http: https:");
  expect(policy).not.toContain('unsafe-eval');
  await frame.addScriptTag({ content: 'window.injected = true;' }).catch(() => undefined);
  expect(await frame.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
});
