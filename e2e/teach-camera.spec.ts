import { chromium, expect, test, type BrowserContext, type LaunchOptions, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSweep, makeSweepLoop, type Sweep } from './activities.ts';
import { openWithGoldenWeights, screenshot } from './helpers.ts';

// The camera shows one action per browser launch: Chromium's fake camera loops one .y4m. The profile (and so
// the project in the browser's storage, and the cached weights) carries over from launch to launch, the way a
// user's browser keeps them between visits.
const ACTIONS: Sweep[] = ['left to right', 'right to left', 'nothing'];

async function launchWithCamera(profile: string, camera: string, launchOptions: LaunchOptions, baseURL: string | undefined): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profile, {
    ...launchOptions, baseURL,
    args: [...(launchOptions.args ?? []), '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${camera}`, '--use-fake-ui-for-media-stream'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Opens the page on the weights cached by the first launch and starts the camera on the Teach tab. */
async function openTeach(page: Page, first: boolean): Promise<void> {
  if (first) await openWithGoldenWeights(page);
  else {
    await page.goto('/');
    await expect(page.getByTestId('weights-ready')).toContainText('checkpoint.pyth', { timeout: 60_000 });
    await expect(page.getByTestId('input-size')).toHaveValue('64');
  }
  await page.getByRole('tab', { name: 'Teach' }).click();
  await expect(page.getByTestId('teach')).toHaveAttribute('data-storage', 'kept');
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('teach-live').locator('li').first()).toBeVisible({ timeout: 120_000 });
}

/** The live top label over the next `n` updates, once the labels are the taught classes. */
async function liveLabels(page: Page, n: number): Promise<string[]> {
  const live = page.getByTestId('teach-live');
  const top = live.locator('li').first();
  await expect(top).toHaveAttribute('data-label', new RegExp(`^(${ACTIONS.join('|')})$`), { timeout: 120_000 });
  const labels: string[] = [];
  let last = await live.getAttribute('data-updates');
  while (labels.length < n) {
    await expect.poll(() => live.getAttribute('data-updates'), { timeout: 60_000 }).not.toBe(last);
    last = await live.getAttribute('data-updates');
    labels.push((await top.getAttribute('data-label'))!);
  }
  return labels;
}

test('teach three actions with webcam takes, train, and the live labels follow the action shown (fake camera)', async ({ launchOptions, baseURL }) => {
  test.setTimeout(900_000);
  const dir = mkdtempSync(join(tmpdir(), 'slowfast-teach-camera-'));
  const profile = join(dir, 'profile');
  try {
    // Takes: two of each action, the camera showing three different bars (or empty frames) in turn.
    for (const [i, action] of ACTIONS.entries()) {
      const { context, page } = await launchWithCamera(profile, makeSweepLoop(dir, action, [1, 3, 5]), launchOptions, baseURL);
      try {
        await openTeach(page, i === 0);
        await page.getByLabel('New class name').fill(action);
        await page.getByRole('button', { name: 'Add class' }).click();
        await page.getByTestId('take-seconds').selectOption('10');
        const row = page.locator(`[data-testid=teach-class][data-name="${action}"]`);
        for (const n of [1, 2]) {
          await row.getByRole('button', { name: 'Record a take' }).click();
          await expect(page.getByTestId('take-countdown')).toHaveAttribute('data-phase', 'countdown');
          if (i === 0 && n === 1) {
            await expect(page.getByTestId('take-countdown')).toHaveAttribute('data-phase', 'recording', { timeout: 10_000 });
            await screenshot(page, 'app-teach-recording');
          }
          await expect(row).toHaveAttribute('data-takes', String(n), { timeout: 60_000 });
        }
        expect(Number(await row.getAttribute('data-examples'))).toBeGreaterThanOrEqual(2);
        await expect(page.getByTestId('teach-error')).toHaveCount(0);
        if (i === ACTIONS.length - 1) {
          await page.getByRole('button', { name: 'Train' }).click();
          await expect(page.getByTestId('teach-trained')).toBeVisible({ timeout: 60_000 });
          await expect(page.getByTestId('head-state')).toContainText(ACTIONS.join(', '));
          // The camera carries on with the taught classes.
          expect(await liveLabels(page, 2)).toEqual([action, action]);
          await screenshot(page, 'app-teach-camera');
        }
      } finally {
        await context.close();
      }
    }
    // Unseen bars in front of the camera: the project's head labels them, visit after visit.
    for (const action of ACTIONS) {
      const { context, page } = await launchWithCamera(profile, makeSweep(dir, action, { variant: 4, format: 'y4m', seconds: 4 }), launchOptions, baseURL);
      try {
        await openTeach(page, false);
        await expect(page.getByTestId('head-state')).toHaveAttribute('data-status', 'ready');
        const labels = await liveLabels(page, 10);
        expect(labels.filter((l) => l === action).length / labels.length, `${action}: ${labels.join(', ')}`).toBeGreaterThanOrEqual(0.9);
      } finally {
        await context.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
