import type { Browser } from 'puppeteer-core';

export const ENGINE_BROWSERS: readonly ['chromium', 'firefox'];
export function launchFirefox(options?: { webgpu?: boolean; prefs?: Record<string, string | number | boolean> }): Promise<Browser>;
