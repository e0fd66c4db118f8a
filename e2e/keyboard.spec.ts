import { expect, test, type Locator, type Page } from '@playwright/test';
import { screenshot } from './helpers.ts';
import { CRICKET_MP4, GOLDEN_CHECKPOINT } from './paths.ts';

/** Presses Tab until `target` has the focus (as a keyboard user would), failing if it is never reached. */
async function tabTo(page: Page, target: Locator, { max = 40, back = false } = {}): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

test('a whole analysis by keyboard alone: weights, input size, video, tabs, timeline and segments, export', async ({ page }) => {
  // Playwright turns on its file-chooser interception when the first listener is added; added before a key
  // press it may come too late for the dialog that press opens, so it is on from the start.
  page.on('filechooser', () => {});
  await page.goto('/');
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });

  // "Load weights file…" is in the tab order; Enter opens the picker.
  await tabTo(page, page.getByTestId('weights-input'));
  const [weightsChooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
  await weightsChooser.setFiles(GOLDEN_CHECKPOINT);
  await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth', { timeout: 60_000 });
  // What the page does is said in a polite status region.
  const announced = page.getByTestId('status-announcer');
  await expect(announced).toHaveAttribute('role', 'status');
  await expect(announced).toHaveText('checkpoint.pyth ready.');
  // The input size, by arrow keys on the focused select (64 px is the smallest, last choice).
  const size = page.getByTestId('input-size');
  await tabTo(page, size, { back: true });
  for (let i = 0; i < 8 && (await size.inputValue()) !== '64'; i++) await page.keyboard.press('ArrowDown');
  await expect(size).toHaveValue('64');

  // The view tabs follow the ARIA tabs pattern.
  const tab = (name: string) => page.getByRole('tab', { name });
  await tabTo(page, tab('Video file'));
  await page.keyboard.press('ArrowRight');
  await expect(tab('Webcam')).toHaveAttribute('aria-selected', 'true');
  await expect(tab('Webcam')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(tab('Teach')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel')).toHaveAttribute('aria-labelledby', 'tab-teach');
  await page.keyboard.press('ArrowRight'); // wraps around
  await expect(tab('Video file')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(tab('Teach')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(tab('Video file')).toBeFocused();

  // Tab reaches "choose files…" (the input itself, shown by its label), and Enter opens the picker.
  await tabTo(page, page.getByTestId('video-input'));
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
  await chooser.setFiles(CRICKET_MP4);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(announced).toHaveText('cricket.mp4 done: 3 clips, top label presenting weather forecast.');
  await screenshot(page, 'app-keyboard');
  // The top label is in a polite live region (read out when it changes, not every bar).
  const top = await page.getByTestId('top-labels').locator('li').first().getAttribute('data-label');
  await expect(page.locator('.top-labels [aria-live=polite]').first()).toHaveText(top!);

  // The timeline is a slider: End, the arrow keys and Home move between clips (to each clip's centre), and the
  // player follows.
  const timeline = page.getByTestId('timeline');
  const video = page.locator('.results video');
  const clips = Number(await timeline.getAttribute('data-clips'));
  expect(clips).toBeGreaterThanOrEqual(3);
  await tabTo(page, timeline);
  await page.keyboard.press('End');
  await expect(timeline).toHaveAttribute('aria-valuetext', new RegExp(`: clip ${clips} of ${clips}, `));
  const last = Number(await timeline.getAttribute('aria-valuenow'));
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(last, 1);
  await page.keyboard.press('ArrowLeft');
  await expect(timeline).toHaveAttribute('aria-valuetext', new RegExp(`: clip ${clips - 1} of ${clips}, `));
  expect(Number(await timeline.getAttribute('aria-valuenow'))).toBeLessThan(last);
  await page.keyboard.press('Home');
  await expect(timeline).toHaveAttribute('aria-valuetext', new RegExp(`: clip 1 of ${clips}, `));
  await page.keyboard.press('ArrowRight');
  await expect(timeline).toHaveAttribute('aria-valuetext', new RegExp(`: clip 2 of ${clips}, `));

  // A segment seeks with Enter.
  const segment = page.getByTestId('segments').locator('li button').first();
  await tabTo(page, segment);
  await page.keyboard.press('Enter');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(0, 1);

  // Export by keyboard.
  await tabTo(page, page.getByRole('button', { name: 'Export JSON' }), { back: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(download.suggestedFilename()).toBe('cricket.labels.json');
});
