import { expect, test, type Page } from '@playwright/test';
import { statSync } from 'node:fs';
import { OFFICIAL_8X8_PARAMETERS, officialShapedCheckpoint } from './officialCheckpoint.ts';
import { screenshot } from './helpers.ts';
import { CRICKET_MP4, GOLDEN_CHECKPOINT } from './paths.ts';
import { serveZooCheckpoint as serve, zooSent as sent } from './zooControl.ts';

// The page's first visit fetches only a zoo checkpoint's weights, by HTTP Range through the site's relay, from the
// stand-in zoo (e2e/zoo-server.mjs) acting as a CDN with a network's faults: a dropped connection, a stall, a
// damaged byte, a size that is a lie, 503s. What arrived is kept in the browser's storage, so a reload resumes.

test.describe.configure({ mode: 'serial' });

test.afterEach(() => serve());

async function openWithoutWeights(page: Page) {
  await page.goto('/');
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('weights-missing')).toContainText('SlowFast R50 8×8 is not in this browser yet', { timeout: 30_000 });
}

/** The files the page keeps beside its cached models (a download's blocks among them). */
const keptFiles = (page: Page) => page.evaluate(async () => {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('models', { create: true });
  const names: string[] = [];
  for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  return names.sort();
});

const MB = 2 ** 20;

test('an official-sized checkpoint: only its weights are fetched, a reload and a dropped connection resume, and the panel says size and time left', async ({ page }) => {
  test.setTimeout(400_000);
  const fixture = officialShapedCheckpoint();
  const size = statSync(fixture.checkpoint).size;
  try {
    // First visit: the download stalls 40 MB in, and the user reloads.
    await serve(fixture.checkpoint, { stallAt: 40e6 });
    await openWithoutWeights(page);
    const offer = page.getByTestId('download-model');
    // The weights' half of a 264 MB checkpoint.
    await expect(offer).toHaveText('Download (≈ 131.9 MB)');
    await offer.click();
    const loading = page.getByTestId('weights-loading');
    await expect(loading).toContainText(/Downloading SlowFast R50 8×8… (3\d|[4-9]\d)\.\d MB of 13\d\.\d MB \(\d+%\) · about (\d+ min )?\d+ s left/, { timeout: 120_000 });
    const first = (await sent()).bytes!;
    await page.reload();
    await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });

    // Second visit: what arrived is offered to resume; the connection then drops 60 MB into the file, and resumes.
    await serve(fixture.checkpoint, { dropAt: 60e6 });
    await expect(offer).toHaveText(/^Resume the download \(≈ \d+\.\d MB left; (3\d|40)\.\d MB kept from before\)$/, { timeout: 30_000 });
    await screenshot(page, 'app-zoo-resume');
    await offer.click();
    await expect(loading).toContainText(/Downloading SlowFast R50 8×8… (3\d|40)\.\d MB of 13\d\.\d MB/);
    const ready = page.getByTestId('weights-ready');
    await expect(ready).toContainText('downloaded from the model zoo (now cached)', { timeout: 300_000 });
    await expect(ready).toContainText(`${(OFFICIAL_8X8_PARAMETERS / 1e6).toFixed(2)} M parameters`);
    await expect(page.getByTestId('weights-error')).toHaveCount(0);
    const second = await sent();
    expect(second.dropped).toBe(true);
    // Both visits together: at most 0.55 of the file (never the optimizer's half), and the second never refetched the first's.
    expect(first).toBeGreaterThan(30e6);
    expect(first + second.bytes!).toBeLessThanOrEqual(0.55 * size);
    // The blocks are gone once converted: only the cached weights and their index stay.
    await expect.poll(() => keptFiles(page), { timeout: 60_000 }).toEqual(['SLOWFAST_8x8_R50.safetensors', 'index.json']);
  } finally {
    fixture.dispose();
  }
});

test('a cancelled download leaves nothing kept; damaged bytes are fetched again; two tabs download once', async ({ page, context }) => {
  test.setTimeout(240_000);
  const size = statSync(GOLDEN_CHECKPOINT).size;
  await serve(GOLDEN_CHECKPOINT, { stallAt: 5e6 });
  await openWithoutWeights(page);
  await page.getByTestId('download-model').click();
  const loading = page.getByTestId('weights-loading');
  await expect(loading).toContainText(/Downloading SlowFast R50 8×8… [1-4]\.\d MB of/, { timeout: 30_000 });
  expect((await keptFiles(page)).filter((n) => n.includes('.blocks'))).not.toEqual([]);
  await page.getByTestId('cancel-download').click();
  await expect(page.getByTestId('weights-missing')).toContainText('The download of SlowFast R50 8×8 was cancelled.');
  await expect(page.getByTestId('download-model')).toHaveText(/^Download \(≈ [\d.]+ MB\)$/);
  expect(await keptFiles(page)).toEqual([]);

  // One byte damaged on the way: its record fails its CRC-32 and is fetched again. A second tab asking for the
  // same model meanwhile waits for the first, then takes the weights it cached.
  await serve(GOLDEN_CHECKPOINT, { corruptAt: 5_000_000, everyMs: 100 });
  const other = await context.newPage();
  await openWithoutWeights(other);
  await page.getByTestId('download-model').click();
  await expect(loading).toContainText('Downloading SlowFast R50 8×8…');
  await other.getByTestId('download-model').click();
  await expect(other.getByTestId('weights-loading')).toContainText('Waiting for another tab, which is downloading SlowFast R50 8×8…');
  await expect(page.getByTestId('weights-ready')).toContainText('downloaded from the model zoo (now cached)', { timeout: 60_000 });
  await expect(other.getByTestId('weights-ready')).toContainText('cached in this browser', { timeout: 60_000 });
  const stats = await sent();
  expect(stats.corrupted).toBe(true);
  // One download: the file once, and the damaged record's blocks again (at most a few MB).
  expect(stats.bytes!).toBeGreaterThanOrEqual(size);
  expect(stats.bytes!).toBeLessThan(size + 4 * MB);
  await other.close();

  // The weights so fetched label a video as PyTorch does: the golden checkpoint (random weights) calls the
  // cricket clip "presenting weather forecast" (../shared/golden's manifest).
  await page.getByTestId('input-size').selectOption('64');
  await page.getByTestId('video-input').setInputFiles(CRICKET_MP4);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('top-labels').locator('li').first()).toHaveAttribute('data-label', 'presenting weather forecast');
});

test('a server in trouble and a size that is a lie are explained, and what arrived stays for later', async ({ page }) => {
  test.setTimeout(240_000);
  // 503 from 6 MB on: five tries with backoff, then the sentence; the first 5 MB stay kept.
  await serve(GOLDEN_CHECKPOINT, { refuseFrom: 6e6 });
  await openWithoutWeights(page);
  await page.getByTestId('download-model').click();
  const error = page.getByTestId('weights-error');
  await expect(error).toContainText(/The download of SlowFast R50 8×8 broke off at \d+\.\d MB of 9\.3 MB \(HTTP 502\), 5 times\. What arrived is kept in this browser: download again to resume\./, { timeout: 60_000 });
  await expect(page.getByTestId('download-model')).toHaveText(/^Resume the download \(≈ [\d.]+ MB left; [1-5]\.\d MB kept from before\)$/);
  // Only the blocks and their list are kept: no half-written weights.
  expect(await keptFiles(page)).toEqual(['SLOWFAST_8x8_R50.blocks', 'SLOWFAST_8x8_R50.blocks.json']);

  // A server that says the file is longer than it is: the range past its end is refused (416), in a sentence.
  await serve(GOLDEN_CHECKPOINT, { claimedSize: statSync(GOLDEN_CHECKPOINT).size + 10 * MB });
  await page.getByTestId('download-model').click();
  await expect(error).toContainText('SlowFast R50 8×8 could not be downloaded: the server\'s answers disagree on the file\'s size (HTTP 416). Check the connection and try again', { timeout: 60_000 });
});
