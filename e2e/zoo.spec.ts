import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4, GOLDEN_CHECKPOINT, SHARED } from './paths.ts';
import { serveZooCheckpoint, zooSent } from './zooControl.ts';

// The page gets its own weights: the preview server relays the model zoo (here e2e/zoo-server.mjs, which
// serves the golden checkpoint slowly under SLOWFAST_8x8_R50's path, a download that never ends, a dropped
// connection and a refusal).

async function openWithoutWeights(page: Page) {
  await page.goto('/');
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

test('a newcomer downloads the default model from the page: progress, then cached for the next visit', async ({ page }) => {
  await openWithoutWeights(page);
  const missing = page.getByTestId('weights-missing');
  await expect(missing).toContainText('SlowFast R50 8×8 is not in this browser yet', { timeout: 30_000 });
  await expect(missing).toContainText('drop its SLOWFAST_8x8_R50.pyth on the page');
  // The list shows the zoo with accuracy and size.
  await expect(page.getByTestId('preset').locator('option')).toHaveCount(10);
  await expect(page.getByTestId('preset').locator('option', { hasText: 'SlowFast R101 16×8' })).toHaveText('SlowFast R101 16×8 · 78.7% top-1 · ≈ 410.2 MB');
  await page.getByTestId('download-model').click();
  const loading = page.getByTestId('weights-loading');
  await expect(loading).toContainText(/Downloading SlowFast R50 8×8… \d+\.\d MB of 9\.3 MB \(\d+%\)/);
  await expect(loading.locator('progress')).toHaveAttribute('value', /^\d+$/);
  await screenshot(page, 'app-zoo-downloading');
  const ready = page.getByTestId('weights-ready');
  await expect(ready).toContainText('downloaded from the model zoo (now cached)', { timeout: 60_000 });
  await expect(ready).toContainText('Kinetics-400 labels');
  await expect(page.locator('.cache-line')).toContainText('SlowFast R50 8×8');
  await page.reload();
  await expect(page.getByTestId('weights-ready')).toContainText('cached in this browser', { timeout: 60_000 });
  await expect(page.getByTestId('preset').locator('option:checked')).toHaveText(/SlowFast R50 8×8 .* · in this browser/);
});

test('a download can be cancelled, and an offline browser, an unreachable zoo and a refusing one are explained', async ({ page }) => {
  await openWithoutWeights(page);
  await page.getByTestId('preset').selectOption('SLOWFAST_8x8_R101');
  await expect(page.getByTestId('weights-missing')).toContainText('SlowFast R101 8×8 is not in this browser yet', { timeout: 30_000 });
  await page.getByTestId('download-model').click();
  const loading = page.getByTestId('weights-loading');
  await expect(loading).toContainText(/Downloading SlowFast R101 8×8… [1-9]\d*\.\d MB of 500\.0 MB/, { timeout: 30_000 });
  // This path of the stand-in zoo answers no Range requests: the whole file comes, and the page says so.
  await expect(loading).toContainText('this server answers no Range requests, so the whole checkpoint comes, optimizer state and all');
  await page.getByTestId('cancel-download').click();
  await expect(page.getByTestId('weights-missing')).toContainText('The download of SlowFast R101 8×8 was cancelled.');
  await expect(page.getByTestId('download-model')).toBeVisible();

  await page.getByTestId('preset').selectOption('SLOWFAST_4x16_R50');
  await page.getByTestId('download-model').click();
  await expect(page.getByTestId('weights-error')).toContainText(/SlowFast R50 4×16 could not be downloaded: the model zoo cannot be reached from this site's server .*\. Check the connection and try again, or drop SLOWFAST_4x16_R50\.pyth on the page\./, { timeout: 30_000 });
  await expect(page.getByTestId('download-model')).toBeVisible();

  // The browser itself offline: the page's own request fails.
  await page.context().setOffline(true);
  await page.getByTestId('preset').selectOption('SLOWFAST_8x8_R50');
  await page.getByTestId('download-model').click();
  await expect(page.getByTestId('weights-error')).toContainText(/SlowFast R50 8×8 could not be downloaded: the model zoo cannot be reached \(.+\)\. Check the connection and try again/, { timeout: 30_000 });
  await page.context().setOffline(false);

  await page.getByTestId('preset').selectOption('SLOW_4x16_R50');
  await page.getByTestId('download-model').click();
  await expect(page.getByTestId('weights-error')).toContainText('Slow R50 4×16 could not be downloaded: the model zoo answered HTTP 403 Forbidden', { timeout: 30_000 });
  await screenshot(page, 'app-zoo-refused');
});

// A site may serve converted weights itself (npm run weights puts them in public/models/, which the build copies):
// a first visit then takes them from the site, never asking the zoo. Made here by `npm run convert` into the
// built site the preview server serves, and deleted after.
test('a site that serves the default model\'s converted weights: a first visit loads them from there, not the zoo, labels as PyTorch does, and keeps them', async ({ page }) => {
  test.setTimeout(240_000);
  const root = resolve(import.meta.dirname, '..');
  const models = join(root, 'dist/models');
  const served = join(models, 'SLOWFAST_8x8_R50.safetensors');
  mkdirSync(models, { recursive: true });
  execFileSync(process.execPath, [join(root, 'scripts/convert.mjs'), GOLDEN_CHECKPOINT, served], { cwd: root, stdio: 'ignore' });
  try {
    await serveZooCheckpoint();
    await page.goto('/');
    const ready = page.getByTestId('weights-ready');
    await expect(ready).toContainText('downloaded from this site (now cached)', { timeout: 60_000 });
    expect((await zooSent()).requests ?? 0).toBe(0);
    await page.getByTestId('input-size').selectOption('64');
    await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
    await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    // PyTorch's label for the golden clip (../shared/golden's manifest), by the class list's name.
    const manifest = JSON.parse(readFileSync(join(SHARED, 'golden/slowfast_r50_w16_8x8_64px/manifest.json'), 'utf8')) as { top5: { indices: number[] } };
    const label = readFileSync(join(root, 'model/kinetics400_labels.txt'), 'utf8').split('\n')[manifest.top5.indices[0]].trim();
    await expect(page.getByTestId('top-labels').locator('li').first()).toContainText(label);
    await page.reload();
    await expect(page.getByTestId('weights-ready')).toContainText('cached in this browser', { timeout: 60_000 });
  } finally {
    rmSync(served, { force: true });
  }
});

test('a label file names the classes; one of the wrong length is refused and the labels stay', async ({ page }) => {
  await openWithGoldenWeights(page);
  const dir = tmpdir();
  const short = join(dir, 'two-labels.txt');
  writeFileSync(short, 'wave\nclap\n');
  await page.getByTestId('labels-input').setInputFiles(short);
  await expect(page.getByTestId('labels-error')).toContainText("two-labels.txt has 2 labels, but the model's head has 400 classes");
  await expect(page.getByTestId('labels-line')).toContainText('Kinetics-400 labels');
  const names = join(dir, 'my-actions.json');
  writeFileSync(names, JSON.stringify(Array.from({ length: 400 }, (_, i) => `my action ${i}`)));
  await page.getByTestId('labels-input').setInputFiles(names);
  await expect(page.getByTestId('labels-line')).toContainText('labels from my-actions.json');
  await expect(page.getByTestId('labels-error')).toHaveCount(0);
  await dropFiles(page, 'main', [{ path: CRICKET_MP4, type: 'video/mp4' }]);
  await expect(page.getByTestId('top-labels')).toContainText(/my action \d+/, { timeout: 90_000 });
  // Kept with the model: after a reload the cached weights come back with these names.
  await page.reload();
  await expect(page.getByTestId('labels-line')).toContainText('labels from my-actions.json', { timeout: 60_000 });
});

test('the site\'s relay to the zoo forwards a range request, its answer\'s status and range, as a mirror must', async ({ request }) => {
  const golden = readFileSync(GOLDEN_CHECKPOINT);
  const path = '/__zoo/kinetics/SLOWFAST_8x8_R50.pyth';
  const part = await request.get(path, { headers: { range: 'bytes=100-199' } });
  expect(part.status()).toBe(206);
  expect(part.headers()['content-range']).toBe(`bytes 100-199/${golden.length}`);
  expect(part.headers()['etag']).toBeTruthy();
  expect((await part.body()).equals(golden.subarray(100, 200))).toBe(true);
  const past = await request.get(path, { headers: { range: `bytes=${golden.length}-` } });
  expect(past.status()).toBe(416);
  expect(past.headers()['content-range']).toBe(`bytes */${golden.length}`);
});
