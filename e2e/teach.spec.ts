import { expect, test, type Browser, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSweep, type Sweep } from './activities.ts';
import { dropFiles, openWithGoldenWeights, screenshot } from './helpers.ts';
import { E2E_PORT, GOLDEN_CHECKPOINT, HOST_PORT } from './paths.ts';

const SWEEPS: Sweep[] = ['left to right', 'right to left'];

/** Analyses a video on the Video tab and returns its clips' top labels (from the page's JSON export). */
async function clipLabels(page: Page, path: string): Promise<{ label: string; probability: number }[][]> {
  await page.getByRole('tab', { name: 'Video file' }).click();
  await dropFiles(page, 'main', [{ path, type: 'video/mp4' }]);
  const results = page.getByTestId('results');
  await expect(results).toContainText(path.split('/').pop()!, { timeout: 60_000 });
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  return (JSON.parse(readFileSync(await json.path(), 'utf8')) as { clips: { top: { label: string; probability: number }[] }[] }).clips.map((c) => c.top);
}

/**
 * The widget embedded in a page of another origin: loads the weights and the head (Blobs from the host), then
 * classifies `video`; returns the clips' top labels from its events.
 */
async function embeddedLabels(browser: Browser, headPath: string, video: string): Promise<{ head: unknown; labels: string[] }> {
  const page = await browser.newPage();
  try {
    const host = `http://localhost:${HOST_PORT}`;
    const events = () => page.evaluate(() => (window as unknown as { events: { type: string; top?: { label: string }[] }[] }).events);
    await page.goto(`${host}/host.html?widget=http://localhost:${E2E_PORT}&origins=${host}`);
    await expect.poll(async () => (await events()).some((e) => e.type === 'ready'), { timeout: 60_000 }).toBe(true);
    const file = (path: string) => readFileSync(path).toString('base64');
    await page.evaluate(([weights, head, clip]) => {
      const blob = (b64: string) => new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]);
      const send = (window as unknown as { send: (m: unknown) => void }).send;
      // The head right after its weights: it waits for them.
      send({ type: 'loadWeights', weights: blob(weights), name: 'checkpoint.pyth' });
      send({ type: 'loadHead', head: blob(head), name: 'sweeps.head.safetensors' });
      send({ type: 'classify', video: blob(clip), name: 'unseen.mp4' });
    }, [file(GOLDEN_CHECKPOINT), file(headPath), file(video)]);
    await expect.poll(async () => (await events()).some((e) => e.type === 'done'), { timeout: 120_000, message: JSON.stringify(await events()).slice(0, 2000) }).toBe(true);
    const all = await events();
    await screenshot(page, 'embed-taught-head');
    return { head: all.find((e) => e.type === 'head'), labels: all.filter((e) => e.type === 'labels').map((e) => e.top![0].label) };
  } finally {
    await page.close();
  }
}

/** The head file with its backbone fingerprint changed: a head as taught on other weights. */
function forOtherWeights(file: Buffer): Buffer {
  const headerLength = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as { __metadata__: { backbone: string } };
  const hash = (JSON.parse(header.__metadata__.backbone) as { hash: string }).hash;
  const other = hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  return Buffer.from(file.toString('latin1').replaceAll(hash, other), 'latin1');
}

test('teach two actions from video files: train, label unseen videos with them, save and reload the head (here and in the widget), refuse bad head files', async ({ page, browser }) => {
  test.setTimeout(360_000);
  const dir = mkdtempSync(join(tmpdir(), 'slowfast-teach-'));
  try {
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openWithGoldenWeights(page);
    await page.getByRole('tab', { name: 'Teach' }).click();
    const teach = page.getByTestId('teach');
    await expect(teach).toHaveAttribute('data-storage', 'kept');

    // No classes yet: training says what is missing.
    await page.getByRole('button', { name: 'Train' }).click();
    await expect(page.getByTestId('teach-error')).toContainText('name at least two classes');
    for (const sweep of SWEEPS) {
      await page.getByLabel('New class name').fill(sweep);
      await page.getByRole('button', { name: 'Add class' }).click();
    }
    await expect(page.getByTestId('teach-class')).toHaveCount(2);
    // A class with no examples: a clear message naming it.
    await page.getByTestId(`teach-files-left to right`).setInputFiles(makeSweep(dir, 'left to right', { variant: 1 }));
    await expect(page.getByTestId('teach-class').first()).toHaveAttribute('data-takes', '1', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Train' }).click();
    await expect(page.getByTestId('teach-error')).toContainText('"right to left" has no examples yet');

    // Three takes of each (files), one deleted and added again.
    for (const sweep of SWEEPS) {
      const files = [1, 3, 5].map((variant) => makeSweep(dir, sweep, { variant })).filter((f) => !(sweep === 'left to right' && f.endsWith('-1.mp4')));
      await page.getByTestId(`teach-files-${sweep}`).setInputFiles(files);
      await expect(page.locator(`[data-testid=teach-class][data-name="${sweep}"]`)).toHaveAttribute('data-takes', '3', { timeout: 120_000 });
    }
    const takes = page.getByTestId('take');
    await expect(takes).toHaveCount(6);
    // Each take shows a thumbnail drawn from its video.
    await expect(takes.locator('img')).toHaveCount(6);
    await page.getByRole('button', { name: /^Delete right-to-left-5\.mp4/ }).click();
    await expect(takes).toHaveCount(5);
    await page.getByTestId('teach-files-right to left').setInputFiles(makeSweep(dir, 'right to left', { variant: 5 }));
    await expect(takes).toHaveCount(6, { timeout: 60_000 });

    await page.getByRole('button', { name: 'Train' }).click();
    const trained = page.getByTestId('teach-trained');
    await expect(trained).toBeVisible({ timeout: 60_000 });
    await expect(trained).toHaveAttribute('data-method', 'k-fold');
    expect(Number(await trained.getAttribute('data-accuracy'))).toBeGreaterThanOrEqual(0.9);
    // The loss curve falls.
    const curve = page.getByTestId('loss-curve');
    const ys = (await curve.locator('polyline.loss').getAttribute('points'))!.split(' ').map((p) => Number(p.split(',')[1]));
    expect(ys.at(-1)!).toBeGreaterThan(ys[0]); // SVG y grows downwards: a lower loss is drawn lower
    await expect(page.getByTestId('head-state')).toHaveAttribute('data-status', 'ready');
    await expect(page.getByTestId('head-line')).toContainText('left to right, right to left');
    await screenshot(page, 'app-teach-files');

    // Unseen videos (other bars) get the taught labels, through the page's own analysis.
    const seen: boolean[] = [];
    let reference: { label: string; probability: number }[][] = [];
    for (const sweep of SWEEPS) {
      for (const variant of [2, 4]) {
        const clips = await clipLabels(page, makeSweep(dir, sweep, { variant }));
        expect(clips.length).toBeGreaterThan(0);
        for (const top of clips) seen.push(top[0].label === sweep);
        if (sweep === 'left to right' && variant === 2) reference = clips;
      }
    }
    expect(seen.filter(Boolean).length / seen.length).toBeGreaterThanOrEqual(0.9);
    // The model's own labels beside the taught ones, on request.
    await page.getByTestId('head-line').getByLabel("Show the model's own labels too").check();
    const own = page.locator('figure.top-labels', { hasText: "The model's own labels" }).locator('li');
    await expect(own).toHaveCount(5);
    await expect(own.first()).not.toHaveAttribute('data-label', /left to right|right to left/);
    await screenshot(page, 'app-teach-labels');

    // Save the head, switch back to the model's classes, load the saved head: the same labels, to the digit.
    await page.getByRole('tab', { name: 'Teach' }).click();
    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save head' }).click()]);
    const headPath = join(dir, 'saved.head.safetensors');
    await saved.saveAs(headPath);
    await page.getByRole('button', { name: "Use the model's own classes" }).first().click();
    await expect(page.getByTestId('head-state')).toHaveAttribute('data-status', 'none');
    await page.getByTestId('head-input').setInputFiles(headPath);
    await expect(page.getByTestId('head-state')).toHaveAttribute('data-status', 'ready');
    expect(await clipLabels(page, makeSweep(dir, 'left to right', { variant: 2 }))).toEqual(reference);

    // The saved head in the widget, embedded in another site's page.
    const embedded = await embeddedLabels(browser, headPath, makeSweep(dir, 'right to left', { variant: 4 }));
    expect(embedded.head).toMatchObject({ name: 'sweeps', classes: SWEEPS });
    expect(embedded.labels.length).toBeGreaterThan(0);
    expect(embedded.labels.every((l) => l === 'right to left')).toBe(true);

    // Bad head files are refused; the head in use and the results on screen stay.
    await page.getByRole('tab', { name: 'Teach' }).click();
    const file = readFileSync(headPath);
    const corrupt = join(dir, 'corrupt.head.safetensors');
    writeFileSync(corrupt, file.subarray(0, file.length - 100));
    await page.getByTestId('head-input').setInputFiles(corrupt);
    await expect(page.getByTestId('head-error')).toContainText('corrupt.head.safetensors was not loaded');
    const other = join(dir, 'other-model.head.safetensors');
    writeFileSync(other, forOtherWeights(file));
    await page.getByTestId('head-input').setInputFiles(other);
    await expect(page.getByTestId('head-error')).toContainText('this head was taught on');
    await expect(page.getByTestId('head-error')).toContainText('load the model it was taught on, or teach a new head');
    await expect(page.getByTestId('head-state')).toContainText('left to right, right to left');
    await expect(page.getByTestId('take')).toHaveCount(6);
    await screenshot(page, 'app-teach-bad-head');
    await page.getByRole('tab', { name: 'Video file' }).click();
    await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId('top-labels').locator('li').first()).toHaveAttribute('data-label', /left to right|right to left/);

    // A segment of the analysed video (an unseen left-to-right bar) as more examples of its class, mirrored too.
    await page.getByRole('tab', { name: 'Teach' }).click();
    await page.getByTestId('mirror-files').check();
    const segment = page.getByTestId('teach-segment');
    await expect(segment).toContainText('left-to-right-2.mp4');
    await segment.getByLabel('Segment start (s)').fill('0.2');
    await segment.getByLabel('Segment end (s)').fill('2.5');
    await segment.getByLabel('Segment class').selectOption({ label: 'left to right' });
    await segment.getByRole('button', { name: 'Add segment' }).click();
    const segmentTake = page.locator('[data-testid=take][data-source=segment]');
    await expect(segmentTake).toHaveCount(1, { timeout: 60_000 });
    // Its clips centred inside 0.2–2.5 s, each as 3 crops and 3 mirrored crops.
    expect(Number(await segmentTake.getAttribute('data-clips')) % 6).toBe(0);
    expect(Number(await segmentTake.getAttribute('data-clips'))).toBeGreaterThan(0);
    await expect(segmentTake).toContainText('left-to-right-2.mp4 0.2–2.5 s');

    // The project (classes, takes, head) is kept in the browser: a reload brings it back, labelling with its head.
    // (Once the page has written it: saving follows each change by a moment. A read that meets that write mid-way
    // is refused by the browser, NotReadableError; it counts as not written yet and the poll asks again.)
    await expect.poll(() => page.evaluate(async () => {
      try {
        const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('slowfast-web-teach');
        let takes = 0;
        for await (const dir of root.values()) {
          if (dir.kind !== 'directory') continue;
          const file = await (dir as FileSystemDirectoryHandle).getFileHandle('project.json').catch(() => undefined);
          if (file) takes += JSON.parse(await (await file.getFile()).text()).takes.length;
        }
        return takes;
      } catch {
        return -1;
      }
    }), { timeout: 30_000 }).toBe(7);
    await page.reload();
    await expect(page.getByTestId('weights-ready')).toBeVisible({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Teach' }).click();
    await expect(page.getByTestId('take')).toHaveCount(7);
    await expect(page.getByTestId('head-state')).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
    expect(pageErrors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
