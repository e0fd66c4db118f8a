// Firefox for the tests: Debian's firefox-esr (never a downloaded one), launched by puppeteer-core over WebDriver
// BiDi, with or without WebGPU (the launcher is scripts/browser.mjs's, shared with the CLI). Used by the vitest browser provider below (kernel and model tests on Gecko's
// WebGPU) and by the e2e tests that drive the page in Firefox.
import { defineBrowserProvider } from '@vitest/browser';
import type { Browser, Page } from 'puppeteer-core';
import type { BrowserProvider, TestProject } from 'vitest/node';
import { launchFirefox } from './browser.mjs';

export { launchFirefox };

export interface FirefoxOptions {
  /** Gecko's WebGPU on (default) or off. */
  webgpu?: boolean;
  /** More prefs, e.g. media.navigator.streams.fake for a fake camera. */
  prefs?: Record<string, string | number | boolean>;
}

/** A vitest browser provider that runs test files in Firefox (vitest ships Playwright's, which needs its own Firefox build). */
export function firefoxProvider(options: FirefoxOptions = {}) {
  return defineBrowserProvider({
    name: 'firefox-puppeteer',
    options,
    providerFactory: (project: TestProject) => new FirefoxProvider(project, options),
  });
}

class FirefoxProvider implements BrowserProvider {
  readonly name = 'firefox-puppeteer';
  readonly supportsParallelism = false;
  private browser?: Promise<Browser>;
  private readonly pages = new Map<string, Promise<Page>>();

  constructor(
    readonly project: TestProject,
    private readonly options: FirefoxOptions,
  ) {}

  getCommandsContext(): Record<string, unknown> {
    return {};
  }

  async openPage(sessionId: string, url: string): Promise<void> {
    this.browser ??= launchFirefox(this.options);
    const browser = await this.browser;
    if (!this.pages.has(sessionId)) this.pages.set(sessionId, browser.newPage());
    await (await this.pages.get(sessionId)!).goto(url);
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    this.pages.clear();
    await (await browser)?.close();
  }
}
