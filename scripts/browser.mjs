// Starts the Vite dev server and the system Chromium (with the WebGPU flags) for the Node entry points that
// run engine code in a browser: benchmarks and the CLI.
import { chromiumArgs, chromiumPath, root } from './prereqs.mjs';

/**
 * `extraArgs` are added to Chromium's command line (e.g. a fake camera). `isolated` serves the page
 * cross-origin isolated (COOP + COEP), which multi-threaded WebAssembly needs.
 */
export async function openEnginePage({ extraArgs = [], isolated = false } = {}) {
  const { createServer } = await import('vite');
  const { chromium: playwright } = await import('playwright');
  // No file watching and no HMR: an edit elsewhere must not reload the page in the middle of a run.
  const server = await createServer({ root, logLevel: 'error', server: {
    port: 0, host: 'localhost', hmr: false, watch: null,
    headers: isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {},
  } });
  await server.listen();
  const url = server.resolvedUrls.local[0];
  const browser = await playwright.launch({ executablePath: chromiumPath, args: [...chromiumArgs, ...extraArgs] });
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[browser] ${m.text()}`);
  });
  await page.goto(new URL('scripts/bench.html', url).href);
  return {
    page,
    /** Calls `fn(arg)` exported by an engine module (a path the dev server serves), in the page. */
    async run(module, fn, arg) {
      // A string, not a function: test runners that import this file rewrite import() inside functions.
      return page.evaluate(`import(${JSON.stringify(module)}).then((m) => m[${JSON.stringify(fn)}](${JSON.stringify(arg)}))`);
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
