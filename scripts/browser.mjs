// Starts the Vite dev server and a system browser for the Node entry points that run engine code in a browser
// (benchmarks and the CLI): Chromium with the WebGPU flags (through Playwright), or Firefox with Gecko's WebGPU
// (Debian's firefox-esr, through puppeteer-core over WebDriver BiDi). The one launcher of Firefox, which the
// tests use too.
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromiumArgs, chromiumPath, firefoxPath, firefoxPrefs, root } from './prereqs.mjs';

/** The browsers `openEnginePage` can run the engine in. */
export const ENGINE_BROWSERS = ['chromium', 'firefox'];

/** Firefox, headless, with WebGPU on unless `webgpu` is false; `prefs` adds to its prefs (a fake camera, a quota). */
export async function launchFirefox({ webgpu = true, prefs = {} } = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  // No protocol timeout: one evaluate lasts as long as its work (a long video, or a bench, on a CPU's Vulkan takes
  // more than puppeteer's default of 3 minutes); the page's own errors end it, and a browser that dies rejects it.
  return puppeteer.launch({ browser: 'firefox', executablePath: firefoxPath, headless: true, protocolTimeout: 0, extraPrefsFirefox: { ...firefoxPrefs(webgpu), ...prefs } });
}

/** URL path under which `serveFile` makes local files available to the page. */
const FILES_PATH = '/__local';

/**
 * Streams files from disk to the page, any size: the page fetches them as Blobs, which the browser keeps on
 * disk when large, so a 2 GiB checkpoint never has to fit through one message or one JS array.
 */
function localFiles(files) {
  return {
    name: 'local-files',
    configureServer(server) {
      server.middlewares.use(FILES_PATH, (req, res, next) => {
        const path = files.get(decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]));
        if (!path) return next();
        let size;
        try {
          ({ size } = statSync(path));
        } catch (e) {
          res.statusCode = 404;
          return res.end(`${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
        }
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('content-length', size);
        createReadStream(path).on('error', () => res.destroy()).pipe(res);
      });
    },
  };
}

/**
 * `browser`: 'chromium' (default) or 'firefox'. `extraArgs` are added to Chromium's command line (e.g. a fake
 * camera). The page is cross-origin isolated (vite.config.ts's headers), so the CPU engine's WebAssembly runs on
 * several threads, as on the app's page.
 */
export async function openEnginePage({ extraArgs = [], browser: kind = 'chromium' } = {}) {
  const { createServer } = await import('vite');
  const files = new Map();
  // No file watching and no HMR: an edit elsewhere must not reload the page in the middle of a run.
  const server = await createServer({ root, logLevel: 'error', plugins: [localFiles(files)], server: {
    port: 0, host: 'localhost', hmr: false, watch: null,
  } });
  await server.listen();
  const url = server.resolvedUrls.local[0];
  let browser;
  if (kind === 'firefox') browser = await launchFirefox();
  else {
    const { chromium: playwright } = await import('playwright');
    browser = await playwright.launch({ executablePath: chromiumPath, args: [...chromiumArgs, ...extraArgs] });
  }
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[browser] ${m.text()}`);
  });
  await page.goto(new URL('scripts/bench.html', url).href);
  return {
    page,
    /** Which browser runs the page. */
    browser: kind,
    /** Serves a local file to the page under `name`; returns the URL path the page fetches it from. */
    serveFile(name, path) {
      files.set(name, resolve(path));
      return `${FILES_PATH}/${encodeURIComponent(name)}`;
    },
    /**
     * Runs `work()` while sampling the page's JS heap (objects and ArrayBuffer contents) every few milliseconds
     * through the DevTools protocol; resolves to its value and the peak, in bytes, above the heap at the start
     * (no peak in Firefox).
     */
    async sampleHeap(work) {
      // Only Chromium's DevTools protocol says how much heap the page holds.
      if (kind !== 'chromium') return { value: await work() };
      const cdp = await page.context().newCDPSession(page);
      const usage = async () => {
        const u = await cdp.send('Runtime.getHeapUsage');
        return { heap: u.usedSize, arrayBuffers: u.backingStorageSize ?? 0 };
      };
      const start = await usage();
      let peak = { ...start };
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const u = await usage().catch(() => undefined);
          if (u && u.heap + u.arrayBuffers > peak.heap + peak.arrayBuffers) peak = u;
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      try {
        const value = await work();
        return { value, start, peak };
      } finally {
        sampling = false;
        await sampler;
        await cdp.detach().catch(() => {});
      }
    },
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
