// The queue: several videos dropped or a folder chosen are analysed one after another, with per-file status,
// cancel and reorder; results survive a reload (the rest of the files are chosen again and matched); one export
// for all of them.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from './a11y.ts';
import { makeSweep } from './activities.ts';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4, SHARED } from './paths.ts';

const rows = (page: Page) => page.getByTestId('queue').locator('li');
const statusOf = (page: Page, path: string) => page.getByTestId('queue').locator(`li[data-path="${path}"]`);
/** The queue as the page last wrote it to its private file system (a reload finds this). A read that meets the
 *  page's own write mid-way is refused by the browser (NotReadableError): that counts as not written yet, so the
 *  poll asks again. */
const storedStatus = (page: Page, path: string) =>
  page.evaluate(async (path) => {
    try {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('slowfast-web-queue');
      const { items } = JSON.parse(await (await (await root.getFileHandle('queue.json')).getFile()).text()) as { items: { path: string; status: string }[] };
      return items.find((i) => i.path === path)?.status;
    } catch (error) {
      return `unreadable: ${String(error)}`;
    }
  }, path);

test('several dropped videos: one after another, reordered, one cancelled, exported together; a reload keeps the results and resumes', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-'));
  const sweep = makeSweep(dir, 'left to right', { variant: 2 });
  const webm = join(SHARED, 'media/cricket.webm');
  page.on('filechooser', () => {});
  await openWithGoldenWeights(page);
  // Weights first, so the queue starts the moment files arrive: the first file runs, the others wait.
  await dropFiles(page, 'main', [{ path: CRICKET_MP4 }, { path: webm }, { path: sweep }, { bytes: Buffer.from('no frames here'), name: 'broken.mp4' }]);
  await expect(rows(page)).toHaveCount(4);
  await expect(statusOf(page, 'cricket.mp4')).toHaveAttribute('data-status', 'running');
  // The sweep moves to second place; the webm is cancelled while it waits.
  await page.getByRole('button', { name: 'Move left-to-right-2.mp4 up' }).click();
  await page.getByRole('button', { name: 'Cancel cricket.webm' }).click();
  await expect(statusOf(page, 'cricket.webm')).toHaveAttribute('data-status', 'cancelled');
  await expect.poll(async () => rows(page).evaluateAll((li) => li.map((l) => l.getAttribute('data-path')))).toEqual(['cricket.mp4', 'left-to-right-2.mp4', 'cricket.webm', 'broken.mp4']);
  await expect(statusOf(page, 'broken.mp4')).toHaveAttribute('data-status', 'failed', { timeout: 120_000 });
  await expect(statusOf(page, 'broken.mp4')).toContainText('failed: broken.mp4: This file is not a video we can read');
  for (const path of ['cricket.mp4', 'left-to-right-2.mp4']) await expect(statusOf(page, path)).toHaveAttribute('data-status', 'done');
  await expect(statusOf(page, 'cricket.mp4')).toContainText('done: presenting weather forecast');
  await expect(page.getByTestId('queue-summary')).toContainText('2 of 4 done · 1 failed · 1 cancelled');
  await screenshot(page, 'app-queue');
  expect(await seriousViolations(page)).toEqual([]);

  // One JSON for every finished file (and the failures), and one CSV.
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export all JSON' }).click()]);
  const all = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(all.files.map((f: { file: string }) => f.file)).toEqual(['cricket.mp4', 'left-to-right-2.mp4']);
  expect(all.failed).toEqual([{ file: 'broken.mp4', error: expect.stringContaining('not a video') }]);
  const cricket = all.files[0];
  expect(cricket.clips.length).toBe(3);
  expect(cricket.verdict[0].label).toBe('presenting weather forecast');
  expect(cricket.duration).toBeCloseTo(3.16, 1);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export all CSV' }).click()]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('file,start_s,end_s,rank,class_index,label,probability');
  // Five ranks per clip of each file.
  const clipsOf = (i: number) => all.files[i].clips.length;
  expect(lines).toHaveLength(1 + 5 * (clipsOf(0) + clipsOf(1)));
  expect(lines[1]).toMatch(/^"cricket\.mp4",0,/);
  // And each file on its own.
  const [one] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export left-to-right-2.mp4 as JSON' }).click()]);
  expect(one.suggestedFilename()).toBe('left-to-right-2.labels.json');
  expect(JSON.parse(readFileSync(await one.path(), 'utf8'))).toEqual(all.files[1]);

  // Retry the cancelled one, and reload while it runs: the done files are kept, the rest wait for their files.
  await page.getByRole('button', { name: 'Retry cricket.webm' }).click();
  await expect(statusOf(page, 'cricket.webm')).toHaveAttribute('data-status', 'running');
  await expect.poll(() => storedStatus(page, 'cricket.webm')).toBe('running');
  await page.reload();
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(rows(page)).toHaveCount(4);
  await expect(statusOf(page, 'cricket.mp4')).toHaveAttribute('data-status', 'done');
  await expect(statusOf(page, 'cricket.webm')).toHaveAttribute('data-status', 'needs-file');
  await expect(page.getByTestId('queue-summary')).toContainText('1 from the last visit need their files again');
  // Choosing the same files again: the done ones are skipped, the rest go on.
  await page.getByTestId('weights-input').setInputFiles(join(SHARED, 'golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth'));
  await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth', { timeout: 60_000 });
  await page.getByTestId('video-input').setInputFiles([CRICKET_MP4, webm]);
  await expect(page.getByTestId('queue-added')).toContainText('Already done (their results are kept): 1 of the 2 files.');
  await expect(statusOf(page, 'cricket.webm')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('queue-summary')).toContainText('3 of 4 done · 1 failed');
  await page.getByRole('button', { name: 'Clear the queue' }).click();
  await expect(page.getByTestId('queue')).toHaveCount(0);
});

test('a folder: every video under it, in path order (the folder picker, and the folder input where there is none)', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-folder-'));
  const folder = join(dir, 'clips');
  mkdirSync(join(folder, 'b'), { recursive: true });
  copyFileSync(CRICKET_MP4, join(folder, 'b/one.mp4'));
  copyFileSync(join(SHARED, 'media/cricket.webm'), join(folder, 'a.webm'));
  copyFileSync(CRICKET_MP4, join(folder, 'notes.txt'));
  // Without showDirectoryPicker (Firefox, Safari): <input webkitdirectory>.
  await page.addInitScript(() => {
    delete (window as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  });
  await openWithGoldenWeights(page);
  await expect(page.getByTestId('folder-picker')).toHaveCount(0);
  // A folder without a video in it: said, not silently ignored.
  const notes = join(dir, 'notes');
  mkdirSync(notes);
  copyFileSync(CRICKET_MP4, join(notes, 'notes.txt'));
  await page.getByTestId('folder-input').setInputFiles(notes);
  await expect(page.getByTestId('queue-added')).toHaveText('No videos (MP4, M4V, MOV, WebM, MKV, GIF) there.');
  await page.getByTestId('folder-input').setInputFiles(folder);
  await expect.poll(async () => rows(page).evaluateAll((li) => li.map((l) => l.getAttribute('data-path')))).toEqual(['clips/a.webm', 'clips/b/one.mp4']);
  for (const path of ['clips/a.webm', 'clips/b/one.mp4']) await expect(statusOf(page, path)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
});

test('the folder picker (showDirectoryPicker) reads a folder through its handle, and after a reload one click reads it again', async ({ page }) => {
  await openWithGoldenWeights(page);
  // The picker's dialog cannot be answered by a test: it is given the folder a user would pick, as a real
  // directory handle (in the page's private file system) holding two videos, one in a subfolder.
  const bytes = readFileSync(CRICKET_MP4).toString('base64');
  await page.evaluate(async (b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('picked', { create: true });
    const put = async (dir: FileSystemDirectoryHandle, name: string) => {
      const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await w.write(data);
      await w.close();
    };
    await put(root, 'z.mp4');
    await put(await root.getDirectoryHandle('inner', { create: true }), 'y.mp4');
    await put(root, '._z.mp4');
    (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () => root;
  }, bytes);
  await page.getByTestId('folder-picker').click();
  await expect.poll(async () => rows(page).evaluateAll((li) => li.map((l) => l.getAttribute('data-path')))).toEqual(['picked/inner/y.mp4', 'picked/z.mp4']);
  await expect(statusOf(page, 'picked/inner/y.mp4')).toHaveAttribute('data-status', 'running');
  // Reload before either is done (once the queue is in storage): the folder is kept, so one click brings its
  // videos back, where dropped files would have to be found and chosen again.
  await expect.poll(() => storedStatus(page, 'picked/inner/y.mp4')).toBe('running');
  await page.reload();
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  for (const path of ['picked/inner/y.mp4', 'picked/z.mp4']) await expect(statusOf(page, path)).toHaveAttribute('data-status', 'needs-file');
  await page.getByTestId('weights-input').setInputFiles(join(SHARED, 'golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth'));
  await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Open picked again' }).click();
  for (const path of ['picked/inner/y.mp4', 'picked/z.mp4']) await expect(statusOf(page, path)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByRole('button', { name: 'Open picked again' })).toHaveCount(0);
  await expect(rows(page)).toHaveCount(2);
});
