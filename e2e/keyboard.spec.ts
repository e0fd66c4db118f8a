import { expect, test } from '@playwright/test';
import { openWithGoldenWeights, screenshot } from './helpers.ts';
import { CRICKET_MP4 } from './paths.ts';

test('by keyboard: the tabs move with the arrow keys, the file picker is in the tab order, and new top labels are announced', async ({ page }) => {
  await openWithGoldenWeights(page, 'picker');
  const tab = (name: string) => page.getByRole('tab', { name });
  await tab('Video file').focus();
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

  // Tab reaches "choose a file…" (the input itself, shown by its label), and Enter opens the picker.
  const input = page.getByTestId('video-input');
  let reached = false;
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await input.evaluate((el) => el === document.activeElement);
  }
  expect(reached).toBe(true);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
  await chooser.setFiles(CRICKET_MP4);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await screenshot(page, 'app-keyboard');
  // The top label is in a polite live region (read out when it changes, not every bar).
  const top = await page.getByTestId('top-labels').locator('li').first().getAttribute('data-label');
  await expect(page.locator('.top-labels [aria-live=polite]').first()).toHaveText(top!);
});
