// Driving the page in Firefox from a Playwright test: Playwright's own Firefox is a patched build we never
// download, so these tests launch Debian's firefox-esr through puppeteer-core (scripts/firefox.ts) against the
// same preview server, and act as a user does: choose files, read what the page shows.
import { mkdirSync } from 'node:fs';
import { expect } from '@playwright/test';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { launchFirefox, type FirefoxOptions } from '../scripts/firefox.ts';
import { CRICKET_MP4, E2E_PORT, GOLDEN_CHECKPOINT, SCREENSHOTS } from './paths.ts';

export const APP = `http://localhost:${E2E_PORT}`;

/** Runs `use` with a fresh Firefox page, and closes the browser however it ends. */
export async function withFirefox<T>(options: FirefoxOptions, use: (page: Page, browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchFirefox(options);
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    return await use(page, browser);
  } finally {
    await browser.close();
  }
}

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Chooses `paths` in the file input `testId`, as a user does through the file picker. */
export async function chooseFiles(page: Page, testId: string, ...paths: string[]): Promise<void> {
  const input = (await page.waitForSelector(byTestId(testId))) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(...paths);
}

/** Waits until the element with `testId` has `attribute` = `value`. */
export async function waitForAttribute(page: Page, testId: string, attribute: string, value: string, timeout = 60_000): Promise<void> {
  await page.waitForSelector(`${byTestId(testId)}[${attribute}="${value}"]`, { timeout });
}

/** Waits until `selector`'s text contains `text`; returns the whole text. */
export async function waitForText(page: Page, selector: string, text: string, timeout = 60_000): Promise<string> {
  const handle = await page.waitForFunction((s, t) => document.querySelector(s)?.textContent?.includes(t) && document.querySelector(s)!.textContent, { timeout }, selector, text);
  return (await handle.jsonValue()) as string;
}

export const textOf = (page: Page, selector: string) => page.$eval(selector, (e) => e.textContent ?? '');
export const attributeOf = (page: Page, selector: string, attribute: string) => page.$eval(selector, (e, a) => e.getAttribute(a), attribute);
export { byTestId };

/** Clicks the button (or tab) whose text is `name`, as a user does. */
export async function clickButton(page: Page, name: string): Promise<void> {
  const handle = await page.waitForFunction((n) => [...document.querySelectorAll('button, [role=tab]')].find((b) => b.textContent?.trim() === n && !(b as HTMLButtonElement).disabled), {}, name);
  await (handle as ElementHandle<HTMLElement>).click();
}

/** Waits until `read` (run in the page) gives a value `ok` accepts; returns it. */
export async function pollPage<T>(page: Page, read: () => T | Promise<T>, ok: (value: T) => boolean, timeout = 60_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = (await page.evaluate(read)) as T;
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Opens the app, loads the golden checkpoint at 64 px from a file, as openWithGoldenWeights does in Chromium. */
export async function openWithGoldenWeights(page: Page): Promise<void> {
  await page.goto(APP);
  await page.waitForSelector('.gpu-status[data-status="ready"], .gpu-status[data-status="cpu"]');
  await chooseFiles(page, 'weights-input', GOLDEN_CHECKPOINT);
  await waitForText(page, byTestId('weights-ready'), 'checkpoint.pyth');
  await page.select(byTestId('input-size'), '64');
}

/** Chooses cricket.mp4 and waits for its verdict: the engine it ran on and the top label. */
export async function classifyCricket(page: Page): Promise<{ engine: string | null; top: string | null }> {
  await chooseFiles(page, 'video-input', CRICKET_MP4);
  await waitForAttribute(page, 'results', 'data-status', 'done', 180_000);
  expect(await attributeOf(page, byTestId('timeline'), 'data-clips')).toBe('3');
  expect(await textOf(page, 'body')).not.toMatch(/could not be analysed|ShaderModule|invalid/i);
  return { engine: await attributeOf(page, byTestId('analysis-engine'), 'data-engine'), top: await attributeOf(page, `${byTestId('top-labels')} li`, 'data-label') };
}

export async function firefoxScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
