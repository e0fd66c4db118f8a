// `npm run bench -- [options]`: the whole network, ours against onnxruntime-web (WebGPU and wasm) on the same
// weights and inputs in one headless Chromium; writes JSON and an SVG chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { benchChart } from './benchChart.mjs';
import { parseCli, usageError } from './cli.mjs';
import { readKeymapShapes } from './keymap.mjs';
import { loadEngineModule } from './engine-node.mjs';
import { ensureNodeModules, ensureSystemPackages, root } from './prereqs.mjs';

const PRESET_NAMES = ['slowfast_r50_8x8', 'slowfast_r50_4x16', 'slowfast_r101_8x8', 'slow_r50_8x8'];
const HELP = `Usage: npm run bench -- [options]

Times SlowFast end to end (upload, inference, read-back of the logits) in our engine and in
onnxruntime-web's webgpu and wasm backends, on the same random weights (the ONNX model is our own export
of the graph we run) and the same input, in one page: engines take turns in each round and the ratios are
per round. Also records the logits' agreement, session/pipeline creation time, peak GPU memory (every GPU
buffer each engine allocates), the time from cached weights to the first label, and the network's GFLOPs.

Options:
  --presets LIST   comma-separated, of ${PRESET_NAMES.join(', ')}
                   (default slowfast_r50_8x8,slowfast_r50_4x16)
  --size N         input height/width, a multiple of 32 (default: 224 on a GPU, 64 on a software adapter)
  --width W        channels relative to the full model, e.g. 1, 0.5, 0.25 (default: 1 on a GPU, 0.25 on a
                   software adapter, where full width takes minutes per clip in onnxruntime-web)
  --runs N         timed rounds; medians are reported (default 5)
  --warmup N       untimed runs of each engine first (default 1)
  --backends LIST  onnxruntime-web backends, of webgpu, wasm (default webgpu,wasm; 'none' for ours alone)
  --threads N      wasm threads (default: up to 4, as many cores as there are)
  --means          also time our engine with f16 weights, with the other conv tile policy (shared
                   workgroup-memory tiles vs the barrier-free direct loop) and, where the adapter has
                   subgroups, without them (plus the softmax kernel alone both ways), in the same rounds
  --autotune       also tune conv tiles on this adapter (each distinct layer shape timed with every
                   candidate tile) and time our engine with the tuned table, in the same rounds
  --resident       also time, on the first preset, cached weights → the first label of a video, and a second
                   video's drop → its first label on the engine that stays loaded and on a fresh one (as every
                   video was before), with what each creates on the GPU and its peak GPU memory; and a first
                   visit, download → first label: the same weights as the zoo ships them (optimizer state and
                   all) fetched by HTTP Range from a local server, only their records
  --teach          also time training a taught head (R50's 2304 features, 3 classes, 10/30/100 examples a class)
                   with its gradient on the CPU and on the GPU
  --kernels        also run the kernel benchmark (every conv layer's GFLOP/s beside our best matmul) at
                   the same size, into the same JSON (slow on a software adapter: tens of minutes)
  --precision P    auto (default): also time our engine in f16 (weights and activations stored as f16, sums
                   in f32), with its GPU memory, where the GPU has shader-f16; f16: the same, an error where
                   it has not; f32: f32 only
  --browser NAME   chromium (default) or firefox: Debian's firefox-esr with Gecko's WebGPU turned on by this
                   script's own profile (wgpu; Mesa's lavapipe where there is no GPU)
  --out FILE       JSON results (default bench-results/bench.json); the chart goes beside it as .svg
  -h, --help       show this help`;

const { args } = parseCli(HELP, {
  presets: { type: 'string', default: 'slowfast_r50_8x8,slowfast_r50_4x16' },
  size: { type: 'string' },
  width: { type: 'string' },
  runs: { type: 'string', default: '5' },
  warmup: { type: 'string', default: '1' },
  backends: { type: 'string', default: 'webgpu,wasm' },
  threads: { type: 'string' },
  kernels: { type: 'boolean', default: false },
  means: { type: 'boolean', default: false },
  autotune: { type: 'boolean', default: false },
  resident: { type: 'boolean', default: false },
  teach: { type: 'boolean', default: false },
  out: { type: 'string', default: 'bench-results/bench.json' },
  browser: { type: 'string', default: 'chromium' },
  precision: { type: 'string', default: 'auto' },
});
if (!['auto', 'f32', 'f16'].includes(args.precision)) usageError(HELP, `--precision must be auto, f32 or f16, got '${args.precision}'`);
if (!['chromium', 'firefox'].includes(args.browser)) usageError(HELP, `--browser must be chromium or firefox, got '${args.browser}'`);
const presets = args.presets.split(',');
for (const p of presets) if (!PRESET_NAMES.includes(p)) usageError(HELP, `--presets: unknown preset '${p}'`);
const size = args.size === undefined ? 0 : Number(args.size);
if (args.size !== undefined && !(Number.isInteger(size) && size >= 32 && size % 32 === 0)) usageError(HELP, '--size must be a multiple of 32');
const width = args.width === undefined ? 0 : Number(args.width);
if (args.width !== undefined && !(width > 0 && width <= 1)) usageError(HELP, '--width must be in (0, 1]');
const runs = Number(args.runs);
const warmup = Number(args.warmup);
if (!(Number.isInteger(runs) && runs >= 1) || !(Number.isInteger(warmup) && warmup >= 0)) usageError(HELP, '--runs must be ≥ 1 and --warmup ≥ 0');
const backends = args.backends === 'none' ? [] : args.backends.split(',');
for (const b of backends) if (!['webgpu', 'wasm'].includes(b)) usageError(HELP, `--backends: unknown backend '${b}'`);
const threads = args.threads === undefined ? undefined : Number(args.threads);
if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) usageError(HELP, '--threads must be a positive integer');

ensureNodeModules();
ensureSystemPackages({ needFfmpeg: false, otherEngines: args.browser === 'firefox' });

/**
 * A checkpoint of `preset`'s random weights with its optimizer state, written to a temporary folder and served
 * by a local server as a CDN serves the zoo (Range, and CORS for the bench's page).
 */
async function localZoo(preset, width, inputSize) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createServer } = await import('node:http');
  const { answerRange, fileSource } = await import('../e2e/rangeServer.mjs');
  const dir = mkdtempSync(resolve(tmpdir(), 'slowfast-bench-zoo-'));
  const file = resolve(dir, 'checkpoint.pyth');
  const node = await loadEngineModule('/scripts/benchCheckpoint.ts');
  try {
    node.module.writeBenchCheckpoint(file, preset, width, inputSize);
  } finally {
    await node.close();
  }
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'range, if-range');
    res.setHeader('access-control-expose-headers', 'content-range, content-length, etag');
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    void answerRange(req, res, fileSource(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/checkpoint.pyth`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const { openEnginePage } = await import('./browser.mjs');
const engine = await openEnginePage({ browser: args.browser });
let result;
try {
  result = await engine.run('/model/network.bench.ts', 'runNetworkBench', { presets, inputSize: size, width, runs, warmup, backends, threads, means: args.means, autotune: args.autotune, precision: args.precision });
  if (args.resident) {
    // The same weights as the zoo ships them, served by Range from this machine, for "download → first label".
    const zoo = await localZoo(presets[0], result.options.width, result.options.inputSize);
    try {
      result.resident = await engine.run('/app/engine/engine.bench.ts', 'runResidentBench', {
        preset: presets[0], inputSize: result.options.inputSize, width: result.options.width, runs,
        videos: ['/shared/media/cricket.mp4', '/shared/media/cricket.webm'], download: zoo.url,
      });
    } finally {
      await zoo.close();
    }
  }
  if (args.teach) {
    result.teach = await engine.run('/model/head/train.bench.ts', 'runTrainBench', { features: 2304, classes: 3, examplesPerClass: [10, 30, 100], perTake: 5, epochs: 200 });
  }
  if (args.kernels) {
    const stateDict = readKeymapShapes(resolve(root, '..', 'shared', 'golden', 'KEYMAP.md'));
    result.kernels = await engine.run('/kernels/conv3d/conv3d.bench.ts', 'runKernelBench', {
      stateDict, alpha: 4, inputSize: result.options.inputSize, fastFrames: 32, matmulSizes: [256, 512, 1024], samples: 5, minSeconds: 0.05,
    });
  }
} catch (e) {
  console.error(`error: ${e.message}`);
  await engine.close();
  process.exit(1);
}
await engine.close();

const out = resolve(root, args.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), browser: args.browser, ...result }, null, 2));
const svgPath = out.replace(/\.json$/, '') + '.svg';
writeFileSync(svgPath, benchChart(result));

const mib = (b) => (b === null || b === undefined ? '—' : `${(b / 2 ** 20).toFixed(1)} MiB`);
console.log(`${args.browser}, adapter: ${result.adapter.description || result.adapter.vendor || 'unnamed'}; input ${result.options.inputSize}px, width ×${result.options.width}; ` +
  `${runs} rounds after ${warmup} warm-up${result.crossOriginIsolated ? '' : ' (not cross-origin isolated: wasm single-threaded)'}`);
for (const p of result.presets) {
  console.log(`\n${p.preset}: ${p.gflopPerClip.toFixed(2)} GFLOP/clip, ${(p.parameters / 1e6).toFixed(2)}M parameters; ` +
    `cached weights → first label ${(p.cacheToFirstLabelMs / 1000).toFixed(2)} s (pipelines ${(p.pipelineMs / 1000).toFixed(2)} s); ` +
    `memory budget ${mib(p.memoryBudgetBytes)} (weights ${mib(p.weightBytes)} + 2 × largest layer I/O)`);
  if (p.softmaxMicros) console.log(`  softmax over ${p.config.numClasses} classes: ${p.softmaxMicros.workgroupTree.toFixed(0)} µs with a workgroup tree, ${p.softmaxMicros.subgroups.toFixed(0)} µs with subgroups`);
  if (p.autotune) console.log(`  autotune: ${p.autotune.layerShapes} layer shapes in ${(p.autotune.ms / 1000).toFixed(1)} s`);
  console.log(p.memoryF16
    ? `  GPU memory: f32 ${mib(p.memory.totalBytes)} (weights ${mib(p.memory.weightBytes)}), f16 ${mib(p.memoryF16.totalBytes)} (weights ${mib(p.memoryF16.weightBytes)}): ${(p.memoryF16.totalBytes / p.memory.totalBytes).toFixed(2)}×`
    : `  GPU memory: f32 ${mib(p.memory.totalBytes)} (weights ${mib(p.memory.weightBytes)})${args.precision === 'f32' ? '' : '; no f16 row: this GPU has no shader-f16'}`);
  for (const e of p.engines) {
    if (e.error) {
      console.log(`  ${e.engine.padEnd(34)} failed: ${e.error}`);
      continue;
    }
    const ratio = e.medianRatio === undefined ? '' : `  ${e.medianRatio.toFixed(2)}× ours`;
    console.log(`  ${e.engine.padEnd(34)} ${e.medianMs.toFixed(1).padStart(9)} ms/clip${ratio}; created in ${(e.createMs / 1000).toFixed(2)} s; ` +
      `peak GPU ${mib(e.peakGpuBytes)}; logits rel. diff ${e.logitsRelDiff.toExponential(1)}${e.threads ? `; ${e.threads} threads` : ''}`);
  }
}
if (result.resident) {
  const r = result.resident;
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const made = (f) => `${f.modelBuilds} model builds, ${f.pipelinesCreated} pipelines, ${f.buffersCreated} buffers, ${mib(f.bytesUploaded)} uploaded, peak GPU ${mib(f.peakGpuBytes)}`;
  console.log(`
resident engine (${r.options.preset}, weights ${mib(r.weightBytes)}): cached weights → first label ${s(r.cacheToFirstLabel.ms)} (${made(r.cacheToFirstLabel)})`);
  console.log(`  second video → first label, engine kept loaded: ${s(r.medianMs.resident)} (${made(r.secondVideoResident[0])})`);
  console.log(`  second video → first label, fresh engine:       ${s(r.medianMs.rebuilt)} (${made(r.secondVideoRebuilt[0])})`);
  const d = r.downloadToFirstLabel;
  if (d) {
    console.log(`  download → first label (a local server, by Range): ${s(d.ms)}, of which the download ${s(d.downloadMs)} ` +
      `(${mib(d.fetchedBytes)} fetched of a ${mib(d.fileBytes)} checkpoint)`);
  }
}
if (result.teach) {
  console.log(`\nteaching a head (${result.teach.options.features} features, ${result.teach.options.classes} classes, ${result.teach.options.epochs} steps per training):`);
  for (const r of result.teach.rows) {
    console.log(`  ${r.examples} examples: CPU ${(r.cpuMs / 1000).toFixed(2)} s, GPU ${(r.gpuMs / 1000).toFixed(2)} s (heads differ by ≤ ${r.maxWeightDifference.toExponential(1)})`);
  }
}
if (result.kernels) {
  const k = result.kernels;
  const ratios = k.convs.map((c) => c.ratioToMatmul);
  console.log(`\nkernels: best matmul ${k.bestMatmulGflops.toFixed(2)} GFLOP/s; ${ratios.filter((r) => r >= 0.7).length}/${ratios.length} conv layers ≥ 70%, min ${(Math.min(...ratios) * 100).toFixed(0)}%`);
}
console.log(`\nwrote ${out} and ${svgPath}`);
