// Starts the Vite dev server and the system Chromium (with the WebGPU flags) for the Node entry points that
// run engine code in a browser: benchmarks and the CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, root } from './prereqs.mjs';

const chromium = JSON.parse(readFileSync(join(root, 'scripts', 'chromium.json'), 'utf8'));

export async function openEnginePage() {
  const { createServer } = await import('vite');
  const { chromium: playwright } = await import('playwright');
  // No file watching and no HMR: an edit elsewhere must not reload the page in the middle of a run.
  const server = await createServer({ root, logLevel: 'error', server: { port: 0, host: 'localhost', hmr: false, watch: null } });
  await server.listen();
  const url = server.resolvedUrls.local[0];
  const browser = await playwright.launch({ executablePath: chromiumPath, args: chromium.args });
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[browser] ${m.text()}`);
  });
  await page.goto(new URL('scripts/bench.html', url).href);
  return {
    page,
    /** Calls `fn(arg)` exported by an engine module (a path the dev server serves), in the page. */
    async run(module, fn, arg) {
      return page.evaluate(async ([m, f, a]) => (await import(m))[f](a), [module, fn, arg]);
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
