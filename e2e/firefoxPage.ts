// Driving the page in Firefox from a Playwright test: Playwright's own Firefox is a patched build we never
// download, so these tests launch Debian's firefox-esr through puppeteer-core (scripts/firefox.ts) against the
// same preview server, and act as a user does: choose files, read what the page shows.
import { mkdirSync } from 'node:fs';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { launchFirefox, type FirefoxOptions } from '../scripts/firefox.ts';
import { E2E_PORT, SCREENSHOTS } from './paths.ts';

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

export async function firefoxScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
