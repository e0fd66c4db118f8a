// `npm run bench:video -- [--size 224] [--repeats 3]`: decode and decode + GPU preprocessing throughput of
// the shared test clips, in headless Chromium; writes JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCli, usageError } from './cli.mjs';
import { ensureNodeModules, ensureSystemPackages, root } from './prereqs.mjs';

const HELP = `Usage: npm run bench:video -- [options]

Measures frames per second of decoding ../shared/media/cricket.{mp4,webm,gif} with WebCodecs, and of decoding
plus GPU preprocessing (VideoFrame -> texture -> resize, crop, normalise into a clip slot) with each way of
getting the frame to the kernel (copyExternalImageToTexture; VideoFrame.copyTo + writeTexture;
importExternalTexture), in headless
Chromium on WebGPU. Medians of --repeats runs.

Options:
  --size N       preprocessing output size (default 224)
  --repeats N    runs per file (default 3)
  --out FILE     where to write the JSON (default bench-results/video.json)
  -h, --help     show this help`;

const { args } = parseCli(HELP, {
  size: { type: 'string', default: '224' },
  repeats: { type: 'string', default: '3' },
  out: { type: 'string', default: 'bench-results/video.json' },
});
const size = Number(args.size);
const repeats = Number(args.repeats);
if (!(Number.isInteger(size) && size > 0) || !(Number.isInteger(repeats) && repeats > 0)) usageError(HELP, '--size and --repeats must be positive integers');

ensureNodeModules();
ensureSystemPackages({ needFfmpeg: false });
const { openEnginePage } = await import('./browser.mjs');
const engine = await openEnginePage();
try {
  const urls = ['cricket.mp4', 'cricket.webm', 'cricket.gif'].map((f) => `/shared/media/${f}`);
  const result = await engine.run('/app/video/video.bench.ts', 'runVideoBench', { urls, size, repeats });
  const out = resolve(root, args.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2));
  console.log(`adapter: ${result.adapter}; preprocessing to ${size}²`);
  for (const r of result.results) {
    const p = r.decodeAndPreprocessFps;
    console.log(`  ${r.url}: ${r.frames} frames; decode ${r.decodeFps.toFixed(0)} frames/s; decode + preprocess ` +
      `${p.copyExternalImage.toFixed(0)} frames/s (copyExternalImageToTexture), ${p.copyTo.toFixed(0)} (VideoFrame.copyTo + writeTexture), ` +
      `${p.importExternal.toFixed(0)} (importExternalTexture)`);
  }
  console.log(`wrote ${out}`);
} finally {
  await engine.close();
}
