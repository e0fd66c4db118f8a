import { execFile } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Plugin } from 'vite';
import { answerRange, fileSource } from './e2e/rangeServer.mjs';
import { ZOO, ZOO_BASE_URL, ZOO_PROXY_PATH } from './model/zoo.ts';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import chromium from './scripts/chromium.json' with { type: 'json' };
import { makePhoneVideos, parsePhoneVideoName } from './scripts/phoneVideos.mjs';
import { firefoxProvider } from './scripts/firefox.ts';

const root = import.meta.dirname;
const sharedDir = resolve(root, '../shared');

/** Test media made from ../shared/media by ffmpeg on first request (so no binaries are committed). */
const mediaCache = resolve(root, 'node_modules/.cache/slowfast-media');
const MEDIA_RECIPES: Record<string, (media: string) => string[]> = {
  'cricket-hevc.mp4': (m) => ['-i', `${m}/cricket.mp4`, '-t', '1', '-an', '-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', 'log-level=error'],
  'cricket-30fps.mp4': (m) => ['-i', `${m}/cricket.mp4`, '-an', '-vf', 'fps=30', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
  'cricket-wide.mp4': (m) => ['-i', `${m}/cricket.mp4`, '-an', '-vf', 'scale=336:224', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
  // The same frames, and the same frames mirrored left to right, without loss (VP9 lossless).
  'cricket-lossless.webm': (m) => ['-i', `${m}/cricket.mp4`, '-an', '-c:v', 'libvpx-vp9', '-lossless', '1', '-pix_fmt', 'yuv420p'],
  'cricket-mirrored.webm': (m) => ['-i', `${m}/cricket.mp4`, '-an', '-vf', 'hflip', '-c:v', 'libvpx-vp9', '-lossless', '1', '-pix_fmt', 'yuv420p'],
  'tone.m4a': () => ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac'],
};

/**
 * Serves ../shared (golden fixtures, media) at /shared/ to tests running in the browser, and at
 * /shared-rgb24/<media> the video decoded by the ffmpeg CLI into raw RGB frames, as the golden inputs were.
 */
function serveShared(): Plugin {
  return {
    name: 'serve-shared',
    configureServer(server) {
      server.middlewares.use('/shared-rgb24', (req, res, next) => {
        const file = resolve(sharedDir, '.' + decodeURIComponent((req.url ?? '/').split('?')[0]));
        if (!file.startsWith(sharedDir + '/')) return next();
        const args = ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-vsync', 'passthrough', '-'];
        execFile('ffmpeg', args, { encoding: 'buffer', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
          if (err) {
            res.statusCode = 500;
            res.end(`ffmpeg failed: ${stderr.toString()}`);
            return;
          }
          res.setHeader('content-type', 'application/octet-stream');
          res.end(stdout);
        });
      });
      server.middlewares.use('/generated-media', (req, res, next) => {
        const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]);
        const recipe = MEDIA_RECIPES[name];
        const phone = parsePhoneVideoName(name);
        if (!recipe && !phone) return next();
        const out = resolve(mediaCache, name);
        const send = () => {
          res.setHeader('content-type', 'application/octet-stream');
          createReadStream(out).pipe(res);
        };
        if (phone) {
          makePhoneVideos(phone.turn, mediaCache, resolve(sharedDir, 'media')).then(send, (e: Error) => {
            res.statusCode = 500;
            res.end(`ffmpeg failed for ${name}: ${e.message}`);
          });
          return;
        }
        if (existsSync(out)) return send();
        mkdirSync(mediaCache, { recursive: true });
        execFile('ffmpeg', ['-v', 'error', '-y', ...recipe!(resolve(sharedDir, 'media')), out], (err, _stdout, stderr) => {
          if (err) {
            res.statusCode = 500;
            res.end(`ffmpeg failed for ${name}: ${stderr}`);
            return;
          }
          send();
        });
      });
      // A stand-in mirror of the model zoo for the library's tests: each Kinetics-400 checkpoint is the golden one.
      server.middlewares.use('/test-zoo/kinetics', (req, res, next) => {
        if (!/^\/[\w.-]+\.pyth$/.test((req.url ?? '').split('?')[0])) return next();
        // As a CDN answers it: by ranges.
        void answerRange(req, res, fileSource(resolve(sharedDir, 'golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth')));
      });
      server.middlewares.use('/shared', (req, res, next) => {
        const file = resolve(sharedDir, '.' + decodeURIComponent((req.url ?? '/').split('?')[0]));
        if (!file.startsWith(sharedDir + '/')) return next();
        try {
          const { size } = statSync(file);
          res.setHeader('content-type', 'application/octet-stream');
          res.setHeader('content-length', size);
          createReadStream(file).pipe(res);
        } catch {
          next();
        }
      });
    },
  };
}

/**
 * Relays the model zoo's checkpoints to the page under its own origin (npm start, vite preview): the page
 * asks `/__zoo/<path>`, this server fetches `<zoo>/<path>` (SLOWFAST_ZOO_URL, else the official address) and
 * streams it back, so the page's Content-Security-Policy stays 'self'. Only the zoo's own files are relayed:
 * this is no open proxy. Failures answer 502 with a sentence the page shows.
 */
function zooRelay(): Plugin {
  const relay = async (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const path = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]);
    if (!ZOO.some((m) => m.path === path)) return next();
    const url = `${(process.env.SLOWFAST_ZOO_URL || ZOO_BASE_URL).replace(/\/$/, '')}/${path}`;
    const fail = (message: string) => {
      res.statusCode = 502;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(message);
    };
    // The page cancelling its download closes this response: stop fetching from the zoo too.
    const upstreamAbort = new AbortController();
    res.on('close', () => upstreamAbort.abort());
    let upstream: Response;
    try {
      // A ranged request goes on as one (with its validator), and its answer comes back with its status and range.
      const range = req.headers.range;
      const ifRange = req.headers['if-range'];
      upstream = await fetch(url, { signal: upstreamAbort.signal, headers: { ...(range ? { range } : {}), ...(typeof ifRange === 'string' ? { 'if-range': ifRange } : {}) } });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return fail(`the model zoo cannot be reached from this site's server (${url}: ${cause?.code ?? cause?.message ?? (e as Error).message})`);
    }
    if (upstream.status === 416) {
      res.statusCode = 416;
      const range = upstream.headers.get('content-range');
      if (range) res.setHeader('content-range', range);
      return res.end();
    }
    if (!upstream.ok || !upstream.body) return fail(`the model zoo answered HTTP ${upstream.status} ${upstream.statusText} for ${url}`);
    res.statusCode = upstream.status;
    res.setHeader('content-type', 'application/octet-stream');
    for (const name of ['content-length', 'content-range', 'accept-ranges', 'etag', 'last-modified']) {
      const value = upstream.headers.get(name);
      if (value) res.setHeader(name, value);
    }
    Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).on('error', () => res.destroy()).pipe(res);
  };
  return {
    name: 'zoo-relay',
    configureServer: (server) => void server.middlewares.use(`/${ZOO_PROXY_PATH}`, relay),
    configurePreviewServer: (server) => void server.middlewares.use(`/${ZOO_PROXY_PATH}`, relay),
  };
}

/** A mirror of the zoo a deployer sets at build time (VITE_ZOO_URL): the built page may fetch from its origin. */
const zooMirror = process.env.VITE_ZOO_URL ? new URL(process.env.VITE_ZOO_URL).origin : undefined;

/**
 * The Content-Security-Policy of the built pages: scripts only from our own files (no eval, no inline
 * script), the engine worker from our origin, dropped videos and images as blob: URLs. The widget may fetch
 * the http(s) URLs its host sends; the app fetches only its own weights (and from a zoo mirror, if set). (Not in dev: Vite's client needs more.)
 */
const CSP_COMMON = [
  "default-src 'self'", "script-src 'self'", "worker-src 'self'", "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:", "media-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "form-action 'none'",
];
export const CSP: Record<string, string> = {
  'index.html': [...CSP_COMMON, `connect-src 'self'${zooMirror ? ` ${zooMirror}` : ''}`].join('; '),
  'embed.html': [...CSP_COMMON, "connect-src 'self' http: https:"].join('; '),
};

function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html, ctx) => {
        const policy = CSP[ctx.filename.split('/').pop()!];
        if (!policy) throw new Error(`no Content-Security-Policy for ${ctx.filename}`);
        return html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
      },
    },
  };
}

/**
 * Cross-origin isolation (npm start, vite preview, and what docs ask of a host): only an isolated page may share
 * memory between threads, so only there does the CPU engine's WebAssembly run on several cores. The app's page
 * asks for require-corp, which every engine knows (WebKit has no credentialless); it loads nothing from other
 * origins but by CORS. The widget's page asks for credentialless, so it can still play media a host names from any
 * server (where the browser lacks credentialless, the widget is not isolated and runs on one thread). The resource
 * policy lets an isolated host page embed the widget. The tests' pages and the CLI's are served the same way, so
 * they run the engine as the app does.
 */
const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** The embedder policy of a path: the widget's page credentialless, everything else require-corp. */
export const embedderPolicyOf = (path: string) => (/^\/embed(\.html)?$/.test(path) ? 'credentialless' : 'require-corp');

function embedderPolicy(): Plugin {
  const set = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    res.setHeader('Cross-Origin-Embedder-Policy', embedderPolicyOf((req.url ?? '/').split('?')[0]));
    next();
  };
  return {
    name: 'embedder-policy',
    configureServer: (server) => void server.middlewares.use(set),
    configurePreviewServer: (server) => void server.middlewares.use(set),
  };
}

/** The browser tests that run in Firefox's WebGPU as well. */
const FIREFOX_TESTS = ['kernels/**/*.test.ts', 'model/slowfast.test.ts', 'model/variants.test.ts', 'app/engine/engineF16.test.ts'];

export default defineConfig({
  plugins: [embedderPolicy(), serveShared(), zooRelay(), contentSecurityPolicy()],
  build: {
    target: 'es2022',
    rollupOptions: {
      input: { main: resolve(root, 'index.html'), embed: resolve(root, 'embed.html') },
    },
  },
  worker: { format: 'es' },
  // Pre-bundle every dependency at start-up, so the dev server never reloads a page mid-run to add one.
  // onnxruntime-web (benchmark and export tests only) is served as is: it finds its .wasm files by URL.
  optimizeDeps: {
    include: ['fflate', 'protobufjs', 'react', 'react-dom/client', 'react/jsx-runtime', 'zustand'],
    exclude: ['onnxruntime-web'],
  },
  server: {
    host: 'localhost',
    fs: { allow: [root] },
    headers: ISOLATION_HEADERS,
  },
  preview: { headers: ISOLATION_HEADERS },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['**/*.node.test.ts'],
          exclude: ['node_modules/**', 'e2e/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['{app,kernels,model}/**/*.test.ts'],
          exclude: ['**/*.node.test.ts'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH || chromium.executablePath,
                args: chromium.args,
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      // The kernels and the golden whole-model checks again on Gecko's WebGPU (wgpu; its WGSL compiler is naga,
      // Chromium's is Tint), at its limits: no subgroups, 128 MiB a binding.
      {
        extends: true,
        test: {
          name: 'firefox',
          include: FIREFOX_TESTS,
          exclude: ['**/*.node.test.ts'],
          testTimeout: 240_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: firefoxProvider(),
            instances: [{ browser: 'firefox' }],
          },
        },
      },
    ],
  },
});
