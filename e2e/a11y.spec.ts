// Accessibility: axe-core's checks (WCAG 2.x A and AA) on the page's views with real content in them, and the
// layout at a phone's width. The camera view is checked in a11y-webcam.spec.ts (it needs the fake camera).
import { expect, test } from '@playwright/test';
import { overflowAt, seriousViolations } from './a11y.ts';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4, E2E_PORT, HOST_PORT, SCREENSHOTS } from './paths.ts';

const WIDGET = `http://localhost:${E2E_PORT}`;
const HOST = `http://localhost:${HOST_PORT}`;

test('the file, model and teach views have no serious or critical axe violations, and every view fits a phone (360 px)', async ({ page }) => {
  await openWithGoldenWeights(page);
  expect(await seriousViolations(page)).toEqual([]);
  await dropFiles(page, 'main', [{ path: CRICKET_MP4 }]);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('tab', { name: 'Teach' }).click();
  expect(await seriousViolations(page)).toEqual([]);
  // The same page, results in it, at a phone's width (one analysis serves both widths).
  await page.setViewportSize({ width: 360, height: 780 });
  await page.getByRole('tab', { name: 'Video file' }).click();
  expect(await overflowAt(page)).toEqual({ scroll: 0, wide: [] });
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'phone-video');
  for (const view of ['Webcam', 'Teach']) {
    await page.getByRole('tab', { name: view }).click();
    expect(await overflowAt(page)).toEqual({ scroll: 0, wide: [] });
    await screenshot(page, `phone-${view.toLowerCase()}`);
  }
});

test('the embed widget, with results in it, has no serious or critical axe violations, and fits a small iframe', async ({ page }) => {
  await page.goto(`${HOST}/host.html?widget=${WIDGET}&origins=${HOST}`);
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.evaluate(() => (window as unknown as { sendFile: (u: string, t: string, x: object) => Promise<void> }).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'checkpoint.pyth' }));
  await page.evaluate((video) => (window as unknown as { send: (m: unknown) => void }).send({ type: 'classify', video }), `${HOST}/media/cricket.mp4`);
  await expect(frame.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  // Only the widget: the host page is the test's, not ours.
  expect(await seriousViolations(page, 'iframe')).toEqual([]);
  // At a phone's width the widget fills the width it is given.
  await page.evaluate(() => document.querySelector('iframe')!.setAttribute('style', 'width: 340px'));
  const widget = page.frames().find((f) => f.url().includes('/embed.html'))!;
  await expect.poll(() => widget.evaluate(() => document.documentElement.clientWidth)).toBeLessThanOrEqual(340);
  expect(await widget.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
  await page.locator('iframe').screenshot({ path: `${SCREENSHOTS}/phone-embed.png` });
});
