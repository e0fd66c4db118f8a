// `npm run weights`: downloads a checkpoint of pytorchvideo's model zoo (by default the Kinetics-400
// SlowFast R50 8×8) and converts it into public/models/, where the app finds it.
import { createWriteStream, mkdirSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { parseCli, usageError } from './cli.mjs';
import { ensureNodeModules, root } from './prereqs.mjs';

const HELP = `Usage: npm run weights -- [--model NAME] [options]

Downloads an official checkpoint from pytorchvideo's model zoo (default SLOWFAST_8x8_R50, Kinetics-400,
about 265 MB with its optimizer state) and converts it into public/models/NAME.safetensors for the app. The
architecture is read off the weights; frames and stride from the checkpoint's training config.

Options:
  --model NAME  which checkpoint (see --list): SLOWFAST_8x8_R50, SLOWFAST_4x16_R50, SLOWFAST_8x8_R101,
                SLOWFAST_16x8_R101_50_50, SLOW_8x8_R50, SLOW_4x16_R50, ssv2/SLOWFAST_8x8_R50,
                ssv2/SLOW_8x8_R50, charades/SLOWFAST_8x8_R50, charades/SLOW_8x8_R50
  --list        list the zoo's checkpoints: name, dataset, frames × stride, accuracy, size
  --f16         store conv and linear weights as float16 (half the size)
  --out DIR     where to write (default public/models)
  -h, --help    show this help

Environment:
  SLOWFAST_ZOO_URL       the zoo's address (a mirror), default https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo
  SLOWFAST_WEIGHTS_URL   download exactly this file instead (for the default model, or --model's)

Exit codes: 0 ok, 1 the download is not a usable checkpoint, 2 bad arguments, 3 the download failed.`;

const { args } = parseCli(HELP, {
  model: { type: 'string' }, list: { type: 'boolean', default: false }, f16: { type: 'boolean', default: false }, out: { type: 'string' },
});
const outDir = resolve(args.out ?? join(root, 'public', 'models'));
const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;

ensureNodeModules();
const { loadEngineModule } = await import('./engine-node.mjs');
const engine = await loadEngineModule('/model/zoo.ts');
const zoo = engine.module;

if (args.list) {
  const rows = zoo.ZOO.map((m) => [m.name, m.dataset, m.frames, `${m.score.toFixed(2)} ${m.metric}`, `${m.parametersM.toFixed(2)} M`, `≈ ${mb(zoo.approximateBytes(m))}`]);
  const header = ['name', 'dataset', 'frames×stride', 'accuracy', 'parameters', 'size'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  console.log('\nAccuracy and parameters from the zoo\'s table (Kinetics-400 and SSv2 top-1, Charades mAP); sizes estimated ' +
    '(weights and optimizer state), the download gives the exact one.');
  await engine.close();
  process.exit(0);
}

const model = args.model ? zoo.findZooModel(args.model) : zoo.DEFAULT_ZOO_MODEL;
if (!model) {
  await engine.close();
  usageError(HELP, `unknown model '${args.model}'; one of ${zoo.ZOO.map((m) => m.name).join(', ')} (npm run weights -- --list)`);
}
const base = (process.env.SLOWFAST_ZOO_URL || zoo.ZOO_BASE_URL).replace(/\/$/, '');
const url = process.env.SLOWFAST_WEIGHTS_URL || `${base}/${model.path}`;

function progress(received, total) {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const line = total
    ? `[${'#'.repeat(Math.round((received / total) * width)).padEnd(width)}] ${mb(received)}/${mb(total)} ${((received / total) * 100).toFixed(0)}%`
    : mb(received);
  process.stderr.write(`\r${line}`);
}

/** Streams the download to `file` (never whole in memory); resolves to its size. */
async function download(file) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    const cause = e.cause?.code || e.cause?.message || e.message;
    throw Object.assign(new Error(`could not download ${url} (${cause}). Check your network connection, or set SLOWFAST_ZOO_URL to a mirror.`), { exitCode: 3 });
  }
  if (!response.ok) throw Object.assign(new Error(`could not download ${url}: HTTP ${response.status} ${response.statusText}`), { exitCode: 3 });
  const total = Number(response.headers.get('content-length')) || 0;
  const out = createWriteStream(file);
  let received = 0;
  try {
    for await (const chunk of response.body) {
      if (!out.write(chunk)) await once(out, 'drain');
      received += chunk.length;
      progress(received, total);
    }
  } catch (e) {
    throw Object.assign(new Error(`the download of ${url} broke off after ${received} bytes (${e.message})`), { exitCode: 3 });
  } finally {
    out.end();
    await once(out, 'close');
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (total && received !== total) throw Object.assign(new Error(`the download of ${url} stopped at ${received} of ${total} bytes`), { exitCode: 3 });
  console.log(`downloaded ${mb(received)} from ${url}`);
  return received;
}

let code = 0;
mkdirSync(outDir, { recursive: true });
const partial = join(outDir, `.${zoo.convertedFileName(model)}.download`);
try {
  await download(partial);
  const module = await engine.load('/model/weights/convert.ts');
  const out = await module.convertCheckpoint(await openAsBlob(partial), { f16: args.f16, likelyPreset: model.preset });
  const file = join(outDir, zoo.convertedFileName(model));
  writeFileSync(file, out.bytes);
  const c = out.config;
  console.log(`wrote ${file} (${model.title}: ${c.slowOnly ? 'Slow' : 'SlowFast'} R${c.depth}, ${c.fastFrames / c.alpha}×${c.tau}, ` +
    `${c.numClasses} classes, ${(out.parameters / 1e6).toFixed(2)}M parameters, ${mb(out.bytes.byteLength)}, ${args.f16 ? 'f16' : 'f32'})`);
} catch (e) {
  console.error(`error: ${e.message}`);
  code = e.exitCode ?? 1;
} finally {
  rmSync(partial, { force: true });
  await engine.close();
}
process.exit(code);
