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

Where the server answers HTTP Range requests (the zoo does; a mirror should), only the weights' records are
fetched (about half the file: never the optimizer state), and a connection that drops, an error 5xx or a
stall resumes from the byte reached. A run that still breaks off keeps what it fetched beside the output
(.NAME.safetensors.download and its .json); the next run resumes from there. Every record is checked against
its zip CRC-32, and one that fails is fetched again. A legacy (non-zip) checkpoint has no directory to find
the weights by: it is fetched whole, resumably. A server without Range gets the whole file, as before.

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

/** A download that failed: exit code 3. */
const downloadError = (message) => Object.assign(new Error(message), { exitCode: 3 });
const refused = (status, statusText) => downloadError(`could not download ${url}: HTTP ${status} ${statusText}`);
const refusedBy = (response) => refused(response.status, response.statusText);
const unreachable = (cause) => downloadError(`could not download ${url} (${cause}). Check your network connection, or set SLOWFAST_ZOO_URL to a mirror.`);

/** The ranged download's DownloadError as this CLI says it. */
function fromDownloadError(e) {
  switch (e.kind) {
    case 'unreachable': return unreachable(e.detail.why);
    case 'refused': return refused(e.detail.status, e.detail.statusText);
    case 'broke-off': return downloadError(`${e.message}; run npm run weights again to resume`);
    case 'changed': return downloadError(`${e.message}; run npm run weights again to start over`);
    default: return downloadError(e.message);
  }
}

/** The server's answer, or the reason it cannot be reached, in a sentence. */
async function ask(init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    throw unreachable(e.cause?.code || e.cause?.message || e.message);
  }
}

/** Streams the download to `file` (never whole in memory); resolves to its size. */
async function download(file) {
  const response = await ask();
  if (!response.ok) throw refusedBy(response);
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
    throw downloadError(`the download of ${url} broke off after ${received} bytes (${e.message})`);
  } finally {
    out.end();
    await once(out, 'close');
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (total && received !== total) throw downloadError(`the download of ${url} stopped at ${received} of ${total} bytes`);
  console.log(`downloaded ${mb(received)} from ${url}`);
  return received;
}

/** The longest wait for a byte before a try counts as stalled. */
const STALL_MS = Number(process.env.SLOWFAST_STALL_MS || 30_000);

/** A download's blocks in `file` beside the output, at their offsets, and the list of those held in `file`.json. */
async function fileBlockStore(file, blockBytes) {
  const { open, readFile, writeFile } = await import('node:fs/promises');
  const { existsSync } = await import('node:fs');
  const index = `${file}.json`;
  const handle = await open(file, existsSync(file) ? 'r+' : 'w+');
  return {
    readIndex: () => readFile(index, 'utf8').then(JSON.parse, () => undefined),
    writeIndex: (kept) => writeFile(index, JSON.stringify(kept)),
    async readBlock(i, length) {
      const bytes = new Uint8Array(length);
      const { bytesRead } = await handle.read(bytes, 0, length, i * blockBytes);
      return bytesRead === length ? bytes : bytes.subarray(0, bytesRead);
    },
    writeBlock: (i, bytes) => handle.write(bytes, 0, bytes.length, i * blockBytes).then(() => {}),
    close: () => handle.close().catch(() => {}),
    remove: async () => {
      await handle.close().catch(() => {});
      rmSync(file, { force: true });
      rmSync(index, { force: true });
    },
  };
}

let code = 0;
mkdirSync(outDir, { recursive: true });
const partial = join(outDir, `.${zoo.convertedFileName(model)}.download`);
let source;
try {
  const module = await engine.load('/model/weights/convert.ts');
  const ranged = await engine.load('/model/weights/rangedDownload.ts');
  let ranges;
  try {
    ranges = await ranged.probeRanges(url);
  } catch (e) {
    // A web page where the file should be: fetched whole, and the reader says it is no checkpoint.
    if (e.name !== 'DownloadError') throw e;
    if (e.kind !== 'not-a-file') throw fromDownloadError(e);
  }
  let report = () => {};
  if (ranges) {
    // Progress counts what will be fetched: the weights' records (an estimate until the reader says which).
    source = await ranged.rangedSource({
      url, support: ranges, store: await fileBlockStore(partial, ranged.BLOCK_BYTES), estimate: zoo.approximateWeightBytes(model), stallMs: STALL_MS,
      onProgress: (s) => progress(s.fetched, s.expected),
    });
    const stats = source.stats;
    if (source.keptBlocks) console.log(`resuming the download of ${url}: ${mb(stats.kept)} kept from an earlier run`);
    report = () => console.log(`downloaded ${mb(stats.fetched)} of ${mb(ranges.total)} from ${url} (only the weights' records, by HTTP Range${stats.resumed ? `; resumed ${stats.resumed} ${stats.resumed === 1 ? 'time' : 'times'}` : ''}${stats.refetched ? `; ${stats.refetched} ${stats.refetched === 1 ? 'record' : 'records'} failed the CRC-32 check and ${stats.refetched === 1 ? 'was' : 'were'} fetched again` : ''})`);
  } else {
    console.log(`${url}'s server does not answer Range requests: downloading the whole file`);
    await download(partial);
    source = await openAsBlob(partial);
  }
  let out;
  try {
    out = await module.convertCheckpoint(source, { f16: args.f16, likelyPreset: model.preset });
  } catch (e) {
    throw e.name === 'DownloadError' ? fromDownloadError(e) : e;
  }
  if (process.stderr.isTTY && ranges) process.stderr.write('\n');
  report();
  const file = join(outDir, zoo.convertedFileName(model));
  writeFileSync(file, out.bytes);
  const c = out.config;
  console.log(`wrote ${file} (${model.title}: ${c.slowOnly ? 'Slow' : 'SlowFast'} R${c.depth}, ${c.fastFrames / c.alpha}×${c.tau}, ` +
    `${c.numClasses} classes, ${(out.parameters / 1e6).toFixed(2)}M parameters, ${mb(out.bytes.byteLength)}, ${args.f16 ? 'f16' : 'f32'})`);
  await source.discard?.();
} catch (e) {
  console.error(`error: ${e.message}`);
  code = e.exitCode ?? 1;
  // A ranged download that broke off is kept (beside the output, with its list of blocks) for the next run to resume.
  if (code === 3 && source?.close) await source.close();
  else await source?.discard?.();
} finally {
  if (!source?.close) rmSync(partial, { force: true });
  await engine.close();
}
process.exit(code);
