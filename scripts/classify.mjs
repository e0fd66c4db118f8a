// `npm run classify -- …`: runs the engine in headless Chromium (SwiftShader here, the user's GPU elsewhere).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCli, usageError } from './cli.mjs';

const HELP = `Usage: npm run classify -- [<video>] --checkpoint FILE [options]

Classifies a clip with SlowFast on WebGPU in headless Chromium and prints the top-k Kinetics-400 labels.

Input (one of):
  <video>                 a video file (needs the video pipeline, which is not built yet: use the tensors)
  --input-fast FILE       raw float32 (1, 3, T, S, S), normalised, as in ../shared/golden/*/input_fast.bin
  --input-slow FILE       raw float32 (1, 3, T/alpha, S, S) for the Slow pathway (SlowFast models)

Options:
  --checkpoint FILE       weights: an official .pyth/.pth (pytorchvideo or PySlowFast names, zip or legacy)
                          or our .safetensors (npm run convert); the architecture is read off the weights
  --preset NAME           slowfast_r50_8x8 | slowfast_r50_4x16 | slowfast_r101_8x8 | slow_r50_8x8
                          (settings the weights cannot tell, such as alpha; default: inferred)
  --topk N                how many labels to print (default 5)
  --json                  print JSON: top-k, all logits, config, timing, GPU memory
  -h, --help              show this help

Exit codes: 0 ok, 1 the engine failed (message on stderr), 2 bad arguments or unreadable files.`;

const usage = (message) => usageError(HELP, message);
const { args, positionals } = parseCli(HELP, {
  checkpoint: { type: 'string' },
  'input-slow': { type: 'string' },
  'input-fast': { type: 'string' },
  preset: { type: 'string' },
  topk: { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
}, { positionals: true });
const PRESETS = ['slowfast_r50_8x8', 'slowfast_r50_4x16', 'slowfast_r101_8x8', 'slow_r50_8x8'];
if (args.preset && !PRESETS.includes(args.preset)) usage(`unknown preset '${args.preset}'; one of ${PRESETS.join(', ')}`);
const topK = Number(args.topk);
if (!Number.isInteger(topK) || topK < 1 || topK > 1000) usage(`--topk must be a whole number from 1 to 1000, got '${args.topk}'`);
if (!args.checkpoint) usage('--checkpoint is required (an official .pyth or a converted .safetensors)');
if (positionals.length > 0) {
  console.error(`classifying a video file (${positionals[0]}) needs the video pipeline, which is not built yet; ` +
    'pass preprocessed clips with --input-fast/--input-slow');
  process.exit(2);
}
if (!args['input-fast']) usage('--input-fast is required');
const files = { checkpoint: args.checkpoint, fast: args['input-fast'], slow: args['input-slow'] };
for (const [what, file] of Object.entries(files)) {
  if (file && !existsSync(file)) usage(`${what} file not found: ${file}`);
}

const { ensureNodeModules, ensureSystemPackages } = await import('./prereqs.mjs');
ensureNodeModules();
ensureSystemPackages({ needFfmpeg: false });
const { openEnginePage } = await import('./browser.mjs');
const engine = await openEnginePage();
let code = 0;
try {
  // The page fetches the files from these URLs; Playwright answers from disk.
  for (const [what, file] of Object.entries(files)) {
    if (!file) continue;
    await engine.page.route(`**/__cli/${what}`, (route) => route.fulfill({ body: readFileSync(resolve(file)) }));
  }
  const result = await engine.run('/model/cli.ts', 'classifyTensors', {
    checkpointUrl: '/__cli/checkpoint',
    fastUrl: '/__cli/fast',
    slowUrl: files.slow ? '/__cli/slow' : undefined,
    preset: args.preset,
    topK,
  });
  if (args.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`${result.config.slowOnly ? 'Slow' : 'SlowFast'} R${result.config.depth} on ${result.adapter}, ` +
      `${result.ms.toFixed(0)} ms, ${(result.memory.totalBytes / 2 ** 20).toFixed(1)} MiB on the GPU`);
    for (const t of result.top) console.log(`${(t.probability * 100).toFixed(2).padStart(6)}%  ${t.label}`);
  }
} catch (e) {
  console.error(`error: ${e.message.replace(/^page\.evaluate: (Error: )?/, '').split('\n')[0]}`);
  code = 1;
} finally {
  await engine.close();
}
process.exit(code);
