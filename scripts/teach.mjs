// `npm run teach -- …`: teaches the model new actions from video files, in headless Chromium, and
// writes the head as one small file for `npm run classify -- --head`, the page and the widget.
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from './cli.mjs';

const HELP = `Usage: npm run teach -- --checkpoint FILE --class NAME VIDEO… --class NAME VIDEO… [options] --out FILE

Teaches the model your own actions: every clip of each class's videos (and, with --views 3, each of its three
crops) is an example; the backbone's pooled features are computed in headless Chromium, and a softmax
head is trained on them. It is graded on videos it did not see (a fifth of each class's videos held out when
there are 5 or more, else k-fold over them; on clips when a class has a single video) and written as one
.safetensors file: the head, its class names, and the backbone it was taught on.

Options:
  --checkpoint FILE       the backbone: an official .pyth/.pth or our .safetensors (as for npm run classify)
  --class NAME VIDEO…     a class and its videos (mp4, mov, webm, mkv, gif); at least two classes
  --out FILE              where to write the head (.safetensors)
  --preset NAME           as for npm run classify (default: read off the checkpoint)
  --size N                input size (default: the model's)
  --stride S              seconds between clips; overlapping clips vary the takes in time (default 0.5)
  --views 1|3             crops per clip, each an example (default 3)
  --mirror                each crop mirrored left to right is an example too (only for actions that
                          mean the same mirrored: not for "swipe left" against "swipe right")
  --epochs N              training steps (default 200)
  --seed N                orders the held-out split (default 1)
  --json                  print what was done as JSON
  --engine webgpu|wasm    WebGPU (our shaders) or the CPU engine (the same network exported to ONNX and run by
                          onnxruntime-web's WebAssembly backend, a thread per core up to four); default:
                          WebGPU on a hardware adapter, the CPU engine on a software one (SwiftShader,
                          llvmpipe) or where there is no adapter
  -h, --help              show this help

Then: npm run classify -- VIDEO --checkpoint FILE --head head.safetensors

Exit codes: 0 ok, 1 teaching failed (message on stderr), 2 bad arguments or unreadable files.`;

const usage = (message) => usageError(HELP, message);
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true, tokens: true,
    options: {
      checkpoint: { type: 'string' }, class: { type: 'string', multiple: true }, out: { type: 'string' }, preset: { type: 'string' },
      size: { type: 'string' }, stride: { type: 'string', default: '0.5' }, views: { type: 'string', default: '3' },
      mirror: { type: 'boolean', default: false }, engine: { type: 'string' },
      epochs: { type: 'string', default: '200' }, seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (e) {
  usage(e.message);
}
const args = parsed.values;
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
// Each video belongs to the --class before it.
const classes = [];
for (const t of parsed.tokens) {
  if (t.kind === 'option' && t.name === 'class') classes.push({ name: t.value, videos: [] });
  else if (t.kind === 'positional') {
    if (!classes.length) usage(`${t.value}: name its class first (--class NAME VIDEO…)`);
    classes.at(-1).videos.push(t.value);
  }
}
if (!args.checkpoint) usage('--checkpoint is required (the backbone the head is taught on)');
if (!args.out) usage('--out is required (where to write the head)');
if (classes.length < 2) usage('give at least two classes (--class NAME VIDEO… --class NAME VIDEO…), for example the action and "nothing"');
const empty = classes.filter((c) => !c.videos.length);
if (empty.length) usage(`class "${empty[0].name}" has no videos: list them after its name`);
const names = classes.map((c) => c.name.trim());
if (names.some((n) => !n)) usage('a class name is empty');
if (new Set(names).size !== names.length) usage(`two classes share a name: ${names.find((n, i) => names.indexOf(n) !== i)}`);
const stride = Number(args.stride);
if (!(stride > 0)) usage(`--stride must be a positive number of seconds, got '${args.stride}'`);
if (args.views !== '1' && args.views !== '3') usage(`--views must be 1 or 3, got '${args.views}'`);
const epochs = Number(args.epochs);
if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 100000)) usage(`--epochs must be a whole number from 1, got '${args.epochs}'`);
const seed = Number(args.seed);
if (!Number.isInteger(seed)) usage(`--seed must be a whole number, got '${args.seed}'`);
const size = args.size === undefined ? undefined : Number(args.size);
if (size !== undefined && !(Number.isInteger(size) && size >= 32 && size % 32 === 0)) usage('--size must be a multiple of 32');
if (args.engine !== undefined && !['webgpu', 'wasm'].includes(args.engine)) usage(`--engine must be webgpu or wasm, got '${args.engine}'`);
for (const f of [args.checkpoint, ...classes.flatMap((c) => c.videos)]) if (!existsSync(f)) usage(`file not found: ${f}`);

const { ensureNodeModules, ensureSystemPackages } = await import('./prereqs.mjs');
ensureNodeModules();
ensureSystemPackages({ needFfmpeg: false });
const { openEnginePage } = await import('./browser.mjs');
const engine = await openEnginePage();
let code = 0;
try {
  let n = 0;
  const result = await engine.run('/app/video/cli.ts', 'teach', {
    checkpointUrl: engine.serveFile('checkpoint', args.checkpoint), checkpointName: basename(args.checkpoint),
    preset: args.preset, size, stride, views: Number(args.views), mirrored: args.mirror, seed, epochs, engine: args.engine,
    classes: classes.map((c, k) => ({ name: names[k], videos: c.videos.map((v) => ({ url: engine.serveFile(`video-${n++}`, v), name: basename(v) })) })),
  });
  writeFileSync(args.out, Buffer.from(result.file));
  const { file, ...summary } = result;
  if (args.json) console.log(JSON.stringify({ ...summary, out: args.out }));
  else {
    for (const c of result.examples) console.log(`${c.class}: ${c.examples} examples from ${c.files} video${c.files > 1 ? 's' : ''}`);
    const e = result.evaluation;
    const graded = e.method === 'none'
      ? 'not graded: each class needs two videos (or two clips) for that'
      : `${(e.accuracy * 100).toFixed(1)}% of ${e.graded} examples it did not see (${e.method === 'k-fold' ? `${e.folds}-fold over ${result.gradedBy}` : `held-out ${result.gradedBy}`})`;
    console.log(`held-out accuracy: ${graded}`);
    console.log(`features in ${(result.extractMs / 1000).toFixed(1)} s on ${result.adapter}, trained in ${(result.trainMs / 1000).toFixed(2)} s (final loss ${result.finalLoss.toFixed(4)})`);
    console.log(`head written to ${args.out}`);
  }
} catch (e) {
  console.error(`error: ${e.message.replace(/^page\.evaluate: (\w*Error: )?/, '').split('\n')[0]}`);
  code = 1;
} finally {
  await engine.close();
}
process.exit(code);
