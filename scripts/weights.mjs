// `npm run weights`: downloads the official Kinetics-400 SlowFast R50 8×8 checkpoint from the pytorchvideo
// model zoo and converts it into public/models/, where the app finds it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCli } from './cli.mjs';
import { root } from './prereqs.mjs';

/** The one place the model-zoo address lives; SLOWFAST_WEIGHTS_URL overrides it (a mirror, or a test server). */
export const DEFAULT_WEIGHTS_URL = 'https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo/kinetics/SLOWFAST_8x8_R50.pyth';

const HELP = `Usage: npm run weights -- [options]

Downloads the official Kinetics-400 SLOWFAST_8x8_R50.pyth (pytorchvideo model zoo, about 265 MB) and
converts it into public/models/slowfast_r50_8x8.safetensors for the app.

Options:
  --f16         store conv and linear weights as float16 (half the size)
  --out DIR     where to write (default public/models)
  -h, --help    show this help

Environment:
  SLOWFAST_WEIGHTS_URL   download from here instead of ${DEFAULT_WEIGHTS_URL}

Exit codes: 0 ok, 1 the download is not a usable checkpoint, 2 bad arguments, 3 the download failed.`;

const { args } = parseCli(HELP, { f16: { type: 'boolean', default: false }, out: { type: 'string' } });
const url = process.env.SLOWFAST_WEIGHTS_URL || DEFAULT_WEIGHTS_URL;
const outDir = resolve(args.out ?? join(root, 'public', 'models'));

function progress(received, total) {
  const mib = (n) => (n / 2 ** 20).toFixed(1);
  if (!process.stderr.isTTY) return;
  const width = 30;
  const line = total
    ? `[${'#'.repeat(Math.round((received / total) * width)).padEnd(width)}] ${mib(received)}/${mib(total)} MiB ${((received / total) * 100).toFixed(0)}%`
    : `${mib(received)} MiB`;
  process.stderr.write(`\r${line}`);
}

async function download() {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    const cause = e.cause?.code || e.cause?.message || e.message;
    throw Object.assign(new Error(`could not download ${url} (${cause}). Check your network connection, or set SLOWFAST_WEIGHTS_URL to a mirror.`), { exitCode: 3 });
  }
  if (!response.ok) throw Object.assign(new Error(`could not download ${url}: HTTP ${response.status} ${response.statusText}`), { exitCode: 3 });
  const total = Number(response.headers.get('content-length')) || 0;
  const chunks = [];
  let received = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      received += chunk.length;
      progress(received, total);
    }
  } catch (e) {
    throw Object.assign(new Error(`the download of ${url} broke off after ${received} bytes (${e.message})`), { exitCode: 3 });
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (total && received !== total) throw Object.assign(new Error(`the download of ${url} stopped at ${received} of ${total} bytes`), { exitCode: 3 });
  console.log(`downloaded ${(received / 2 ** 20).toFixed(1)} MiB from ${url}`);
  return new Uint8Array(Buffer.concat(chunks));
}

let code = 0;
try {
  const bytes = await download();
  const { ensureNodeModules } = await import('./prereqs.mjs');
  ensureNodeModules();
  const { loadEngineModule } = await import('./engine-node.mjs');
  const { module, close } = await loadEngineModule('/model/weights/convert.ts');
  try {
    const out = await module.convertCheckpoint(bytes, { f16: args.f16 });
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, 'slowfast_r50_8x8.safetensors');
    writeFileSync(file, out.bytes);
    console.log(`wrote ${file} (${(out.bytes.byteLength / 2 ** 20).toFixed(1)} MiB, ${(out.parameters / 1e6).toFixed(2)}M parameters, ${args.f16 ? 'f16' : 'f32'})`);
  } finally {
    await close();
  }
} catch (e) {
  console.error(`error: ${e.message}`);
  code = e.exitCode ?? 1;
}
process.exit(code);
