// The page in browsers Playwright does not drive: Debian's firefox-esr through puppeteer-core (WebDriver BiDi)
// and WebKitGTK's MiniBrowser through WebKitWebDriver (selenium-webdriver) under Xvfb. Both are wrapped in one
// small interface, so each flow a user goes through is written once and run in every engine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { ElementHandle, Page } from 'puppeteer-core';
import { Builder, By, until, type WebDriver } from 'selenium-webdriver';
import { launchFirefox, type FirefoxOptions } from '../scripts/firefox.ts';
import webkit from '../scripts/webkit.json' with { type: 'json' };
import { E2E_PORT, SCREENSHOTS } from './paths.ts';

export const APP = `http://localhost:${E2E_PORT}`;

/** What a test does with the page, in any engine. Selectors are CSS; functions run in the page. */
export interface DrivenPage {
  readonly engine: 'firefox' | 'webkit';
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Chooses files in a file input, as the file picker does. */
  choose(selector: string, ...paths: string[]): Promise<void>;
  /** Waits for an element matching `selector`. */
  waitFor(selector: string, timeout?: number): Promise<void>;
  text(selector: string): Promise<string>;
  attribute(selector: string, name: string): Promise<string | null>;
  count(selector: string): Promise<number>;
  /** Types into an input. */
  type(selector: string, text: string): Promise<void>;
  /** Picks an option of a select by value. */
  select(selector: string, value: string): Promise<void>;
  /** Clicks the button (or tab) whose text is `name`. */
  click(name: string): Promise<void>;
  /** Runs `fn(arg)` in the page and returns its (JSON) result. */
  evaluate<A, T>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T>;
  screenshot(name: string): Promise<void>;
}

/** The selector of the element with this data-testid. */
export const byTestId = (id: string) => `[data-testid="${id}"]`;

/** Waits until `read` (run in the page) gives a value `ok` accepts; returns it. */
export async function poll<T>(page: DrivenPage, read: () => T, ok: (value: T) => boolean, timeout = 60_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(read, undefined);
    if (ok(value)) return value;
    if (Date.now() > end) {
      // What the page showed then, to tell a slow step from a stuck one when this happens in CI only.
      const shown = await page.evaluate(() => document.body?.innerText.replace(/\s+/g, ' ').slice(0, 4000) ?? '', undefined).catch((e: unknown) => `(unreadable: ${String(e)})`);
      throw new Error(`timed out after ${timeout} ms; last value ${JSON.stringify(value)}; the page showed: ${shown}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the text of `selector` contains `text`. */
export async function waitForText(page: DrivenPage, selector: string, text: string, timeout = 60_000): Promise<void> {
  await poll(page, new Function(`return document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`) as () => string, (t) => t.includes(text), timeout);
}

function saveScreenshot(name: string, png: Buffer | string): void {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(`${SCREENSHOTS}/${name}.png`, typeof png === 'string' ? Buffer.from(png, 'base64') : png);
}

/** Clicks, in the page, the first enabled button or tab whose text is `name`; false if there is none yet. */
const clickByName = (name: string) => {
  const target = [...document.querySelectorAll<HTMLElement>('button, [role=tab]')].find((b) => b.textContent?.trim() === name && !(b as HTMLButtonElement).disabled);
  target?.click();
  return !!target;
};

/** Runs `use` with a fresh Firefox page, and closes the browser however it ends. */
export async function withFirefox<T>(options: FirefoxOptions, use: (page: DrivenPage) => Promise<T>): Promise<T> {
  const browser = await launchFirefox(options);
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    return await use(firefoxPage(page));
  } finally {
    await browser.close();
  }
}

function firefoxPage(page: Page): DrivenPage {
  return {
    engine: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    choose: async (selector, ...paths) => ((await page.waitForSelector(selector)) as ElementHandle<HTMLInputElement>).uploadFile(...paths),
    waitFor: async (selector, timeout = 60_000) => void (await page.waitForSelector(selector, { timeout })),
    text: (selector) => page.$eval(selector, (e) => e.textContent ?? ''),
    attribute: (selector, name) => page.$eval(selector, (e, n) => e.getAttribute(n), name),
    count: async (selector) => (await page.$$(selector)).length,
    type: (selector, text) => page.type(selector, text),
    select: async (selector, value) => void (await page.select(selector, value)),
    click: async (name) => void (await page.waitForFunction(clickByName, {}, name)),
    evaluate: (fn, arg) => page.evaluate(fn as (a: unknown) => never, arg),
    screenshot: async (name) => saveScreenshot(name, Buffer.from(await page.screenshot({ fullPage: true }))),
  };
}

/** A free TCP port on this machine. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function untilListening(port: number, driver: ChildProcess, timeout = 30_000): Promise<void> {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode})`);
    const ok = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`WebKitWebDriver did not answer on port ${port}`);
}

export interface WebKitOptions {
  /** MiniBrowser's mock cameras (WebKit's MockCaptureDevices) instead of none. */
  mockCamera?: boolean;
}

/**
 * Runs `use` with WebKitGTK's MiniBrowser (Safari's engine) driven by WebKitWebDriver under a virtual display,
 * and stops both however it ends. MiniBrowser under automation keeps its site data in memory only: OPFS is
 * refused there (even getDirectory fails), IndexedDB works for the session.
 */
export async function withWebKit<T>(options: WebKitOptions, use: (page: DrivenPage) => Promise<T>): Promise<T> {
  const port = await freePort();
  const server = spawn('xvfb-run', ['-a', webkit.driverPath, `--port=${port}`], { detached: true, stdio: 'ignore' });
  let driver: WebDriver | undefined;
  try {
    await untilListening(port, server);
    const features = [...webkit.features, ...(options.mockCamera ? webkit.mockCamera.features : [])];
    const args = [...webkit.args, ...(options.mockCamera ? webkit.mockCamera.args : []), `--features=${features.join(',')}`];
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: webkit.binary, args } })
      .build();
    return await use(webkitPage(driver));
  } finally {
    await driver?.quit().catch(() => {});
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

function webkitPage(driver: WebDriver): DrivenPage {
  const find = async (selector: string, timeout = 60_000) => driver.wait(until.elementLocated(By.css(selector)), timeout);
  return {
    engine: 'webkit',
    goto: (url) => driver.get(url),
    reload: () => driver.navigate().refresh(),
    choose: async (selector, ...paths) => (await find(selector)).sendKeys(paths.join('\n')),
    waitFor: async (selector, timeout) => void (await find(selector, timeout)),
    text: async (selector) => driver.executeScript<string>((s: string) => document.querySelector(s)?.textContent ?? '', selector),
    attribute: async (selector, name) => (await find(selector, 5_000)).getAttribute(name),
    count: async (selector) => (await driver.findElements(By.css(selector))).length,
    type: async (selector, text) => (await find(selector)).sendKeys(text),
    select: async (selector, value) => (await find(selector)).findElement(By.css(`option[value="${value}"]`)).then((o) => o.click()),
    click: async (name) => {
      await driver.wait(async () => driver.executeScript<boolean>(clickByName, name), 60_000);
    },
    evaluate: <A, T>(fn: (arg: A) => T | Promise<T>, arg: A) => driver.executeScript<T>(`return (${fn.toString()})(arguments[0])`, arg),
    screenshot: async (name) => saveScreenshot(name, await driver.takeScreenshot()),
  };
}
