// Whole-network benchmark, run in the browser by scripts/bench.mjs: our engine against onnxruntime-web's
// WebGPU and wasm backends on the same SlowFast, the same weights (exported by model/onnx from the very graph
// we run) and the same inputs, in one page. Engines are timed in interleaved rounds so that each round's
// ratios compare runs made moments apart (this machine is shared and noisy).
import { acquireGpu, hasSubgroups, isSoftwareAdapter, type AdapterDescription } from '../kernels/device.ts';
import { closeness, randomArray, rng } from '../kernels/compare.ts';
import { sizeOf } from '../kernels/kernel.ts';
import { conv3dFlops, tilePolicyFor } from '../kernels/conv3d/conv3d.ts';
import { bindKernel, storageBuffer, timeDispatch } from '../kernels/runKernel.ts';
import { softmax } from '../kernels/softmax/softmax.ts';
import { Classifier, type ClassifierOptions } from './classifier.ts';
import type { TileTable } from '../kernels/conv3d/autotune.ts';
import { convLayersOf, loadOrTuneTiles } from './autotune.ts';
import type { MemoryReport } from './executor.ts';
import { resolvePrecision, type Precision } from './kernelChoice.ts';
import type { Graph } from './graph.ts';
import { exportOnnx } from './onnx/exportOnnx.ts';
import { loadOrtModel, type OrtBackend } from './onnx/onnxRuntime.ts';
import { scaledConfig, type PresetName, type SlowFastConfig } from './slowfast.ts';
import { readWeights, toSafetensors } from './weights/load.ts';
import { StateDictSource, randomStateDict } from './weights/weightSource.ts';

export interface NetworkBenchOptions {
  presets: PresetName[];
  inputSize: number;
  /** Channel width relative to the full model (1; 0.5; 0.25 as the golden fixtures). */
  width: number;
  runs: number;
  warmup: number;
  backends: OrtBackend[];
  threads?: number;
  /** Also time our engine with f16 weights, with the other tile policy and without subgroups (where present). */
  means?: boolean;
  /** Also tune conv tiles on this adapter and time our engine with them. */
  autotune?: boolean;
  /**
   * Our engine in f16 beside f32 (a row 'slowfast-web, f16', with its memory): 'auto' (default) where the GPU has
   * shader-f16; 'f16' the same, refused where it has not; 'f32' never.
   */
  precision?: Precision;
}

export interface EngineResult {
  engine: string;
  /** Milliseconds per clip, upload to read-back, one per round. */
  ms: number[];
  medianMs: number;
  /** Session or executor creation (pipelines, weight upload), ms. */
  createMs: number;
  /** Bytes of GPU buffers it allocated (peak over creation and a warm-up run); null for wasm. */
  peakGpuBytes: number | null;
  /** max |logits − ours| relative to max |ours| (ours: 0). */
  logitsRelDiff: number;
  /** Per round, this engine's time over ours; and their median. */
  ratios?: number[];
  medianRatio?: number;
  threads?: number;
  error?: string;
}

export interface PresetResult {
  preset: PresetName;
  config: SlowFastConfig;
  gflopPerClip: number;
  parameters: number;
  weightBytes: number;
  /** The memory budget: weights + 2 × the largest single layer's input + output. */
  memoryBudgetBytes: number;
  /** Weights in memory (as read from the cache) → executor ready → the first label, ms. */
  cacheToFirstLabelMs: number;
  pipelineMs: number;
  /** With `means` on an adapter with subgroups: the softmax over the classes alone, µs per dispatch, both ways. */
  softmaxMicros?: { workgroupTree: number; subgroups: number };
  /** With `autotune`: how long tuning this preset's layer shapes took, and the table. */
  autotune?: { ms: number; layerShapes: number; tiles: TileTable };
  /** Our executor's allocation: weights, activations (after liveness sharing), inputs, read-back. */
  memory: MemoryReport;
  /** The same in f16, where it ran (see NetworkBenchOptions.precision). */
  memoryF16?: MemoryReport;
  engines: EngineResult[];
}

export interface NetworkBenchResult {
  adapter: AdapterDescription;
  crossOriginIsolated: boolean;
  options: NetworkBenchOptions;
  presets: PresetResult[];
}

/** Live and peak bytes of every GPU buffer made in this page, whoever makes it (ours or onnxruntime-web's). */
const gpuBytes = { live: 0, peak: 0 };
let metering = false;
function meterGpuBuffers(): void {
  if (metering) return;
  metering = true;
  const create = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (this: GPUDevice, d: GPUBufferDescriptor) {
    const buffer = create.call(this, d);
    gpuBytes.live += d.size;
    gpuBytes.peak = Math.max(gpuBytes.peak, gpuBytes.live);
    const destroy = buffer.destroy.bind(buffer);
    let gone = false;
    buffer.destroy = () => {
      if (!gone) gpuBytes.live -= d.size;
      gone = true;
      destroy();
    };
    return buffer;
  };
}

/** Peak GPU bytes allocated while `fn` runs, beyond what was live when it started. */
async function peakDuring<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
  const base = gpuBytes.live;
  gpuBytes.peak = base;
  const value = await fn();
  return { value, peak: gpuBytes.peak - base };
}

/** Random weights under pytorchvideo names, as a state dict (official checkpoints cannot be fetched here). */
function convGflop(graph: Graph): number {
  return convLayersOf(graph).reduce((a, l) => a + conv3dFlops(l.x, l.w, l.attrs), 0) / 1e9;
}

/** Weights + twice the largest (inputs + output) of any one node: the bound on peak GPU memory. */
function memoryBudget(graph: Graph): { weights: number; budget: number } {
  let weights = 0;
  for (const t of graph.tensors) if (t.kind === 'weight') weights += t.bytes;
  let largest = 0;
  for (const n of graph.nodes) {
    const io = [...n.inputs, ...n.outputs].filter((t) => graph.tensors[t].kind !== 'weight').reduce((a, t) => a + graph.tensors[t].bytes, 0);
    largest = Math.max(largest, io);
  }
  return { weights, budget: weights + 2 * largest };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The classifier's softmax (one row of `classes`) with a workgroup tree and with subgroups, µs per dispatch. */
async function timeSoftmax(device: GPUDevice, classes: number): Promise<{ workgroupTree: number; subgroups: number }> {
  const x = storageBuffer(device, randomArray(classes, rng(3)));
  const y = storageBuffer(device, classes * 4);
  const micros = async (subgroups: boolean) =>
    (await timeDispatch(device, await bindKernel(device, softmax([1, classes], { subgroups }), [x], [y]), 7, 0.05)) * 1e6;
  try {
    const workgroupTree = await micros(false);
    return { workgroupTree, subgroups: await micros(true) };
  } finally {
    x.destroy();
    y.destroy();
  }
}

export async function runNetworkBench(options: NetworkBenchOptions): Promise<NetworkBenchResult> {
  meterGpuBuffers();
  const gpu = await acquireGpu();
  const { device } = gpu;
  // 0 means: full size on a GPU; what a software adapter can run in minutes otherwise.
  const software = isSoftwareAdapter(device.adapterInfo);
  options = { ...options, inputSize: options.inputSize || (software ? 64 : 224), width: options.width || (software ? 0.25 : 1) };
  const presets: PresetResult[] = [];
  for (const preset of options.presets) {
    const config = scaledConfig(preset, options.width, options.inputSize);
    const dict = randomStateDict(config);
    const cached = toSafetensors(dict, config);
    const random = rng(5);

    // As the app does with cached weights: read them, build and plan the network, classify the first clip.
    const started = performance.now();
    const { value: ours, peak: ourPeak } = await peakDuring(async () => Classifier.create(device, config, new StateDictSource((await readWeights(cached)).dict)));
    const inputs = Object.fromEntries(Object.entries(ours.model.inputShapes).map(([k, s]) => [k, randomArray(sizeOf(s), random)]));
    const first = await ours.classify(inputs);
    const cacheToFirstLabelMs = performance.now() - started;
    const graph = ours.model.graph;
    const { weights, budget } = memoryBudget(graph);
    const onnx = exportOnnx(graph, { name: preset });

    // Each engine is a way to run one clip; the first is ours as the app runs it, the rest are compared to it.
    interface Runner { result: EngineResult; run: () => Promise<unknown>; release: () => Promise<void> | void }
    const runners: Runner[] = [{
      result: { engine: 'slowfast-web', ms: [], medianMs: 0, createMs: ours.executor.pipelineMs, peakGpuBytes: Math.max(ourPeak, ours.memory.totalBytes), logitsRelDiff: 0 },
      run: () => ours.classify(inputs),
      release: () => {},
    }];
    const engines: EngineResult[] = [runners[0].result];
    const agreement = (logits: Float32Array) => {
      const c = closeness(logits, first.logits);
      return c.maxAbsDiff / c.maxAbsRef;
    };
    // Our engine with one of its means switched: what each is worth, measured in the same rounds. First f16, where
    // the GPU has shader-f16 (an explicit f16 where it has not is refused here, with the reason).
    const policy = tilePolicyFor(software);
    const precision = options.precision ?? 'auto';
    const half = precision !== 'f32' && resolvePrecision(device, precision) === 'f16';
    const variants: [string, ClassifierOptions][] = [
      ...(half ? [['f16', { precision: 'f16' }] as [string, ClassifierOptions]] : []),
      ...(options.means
        ? [['f16 weights', { weightFormat: 'f16' }], [`${policy === 'direct' ? 'shared' : 'direct'} tiles`, { tilePolicy: policy === 'direct' ? 'shared' : 'direct' }]] as [string, ClassifierOptions][]
        : []),
    ];
    let memoryF16: MemoryReport | undefined;
    let softmaxMicros: PresetResult['softmaxMicros'];
    if (options.means && hasSubgroups(device)) {
      variants.push(['no subgroups', { subgroups: false }]);
      softmaxMicros = await timeSoftmax(device, config.numClasses);
    }
    let autotune: PresetResult['autotune'];
    if (options.autotune) {
      const store = new Map<string, string>();
      const cache = { get: async (k: string) => store.get(k), set: async (k: string, v: string) => void store.set(k, v) };
      const tuned = await loadOrTuneTiles(device, gpu.adapter, graph, { policy, cache, subgroups: hasSubgroups(device) });
      autotune = { ms: tuned.ms, layerShapes: tuned.tuned, tiles: tuned.tiles };
      variants.push(['autotuned tiles', { tilePolicy: policy, tiles: tuned.tiles }]);
      // Tiles are kept per precision: f16 is tuned in f16, into the same table.
      if (half) {
        const tunedF16 = await loadOrTuneTiles(device, gpu.adapter, graph, { policy, cache, subgroups: hasSubgroups(device), precision: 'f16' });
        autotune = { ms: autotune.ms + tunedF16.ms, layerShapes: autotune.layerShapes + tunedF16.tuned, tiles: tunedF16.tiles };
        variants.push(['f16, autotuned tiles', { tilePolicy: policy, tiles: tunedF16.tiles, precision: 'f16' }]);
      }
    }
    for (const [label, variantOptions] of variants) {
      const result: EngineResult = { engine: `slowfast-web, ${label}`, ms: [], medianMs: 0, createMs: 0, peakGpuBytes: null, logitsRelDiff: NaN };
      engines.push(result);
      const { value: c, peak } = await peakDuring(async () => Classifier.create(device, config, new StateDictSource((await readWeights(cached)).dict), variantOptions));
      result.createMs = c.executor.pipelineMs;
      result.peakGpuBytes = Math.max(peak, c.memory.totalBytes);
      result.logitsRelDiff = agreement((await c.classify(inputs)).logits);
      if (variantOptions.precision === 'f16') memoryF16 = c.memory;
      runners.push({ result, run: () => c.classify(inputs), release: () => c.destroy() });
    }
    const feeds = Object.fromEntries(Object.entries(inputs).map(([k, data]) => [k, { data, shape: ours.model.inputShapes[k] }]));
    for (const backend of options.backends) {
      const result: EngineResult = { engine: `onnxruntime-web ${backend}`, ms: [], medianMs: 0, createMs: 0, peakGpuBytes: null, logitsRelDiff: NaN };
      engines.push(result);
      try {
        const { value: session, peak } = await peakDuring(async () => {
          const s = await loadOrtModel(onnx.bytes, backend, { threads: options.threads });
          result.logitsRelDiff = agreement((await s.run(feeds)).logits);
          return s;
        });
        result.createMs = session.createMs;
        result.threads = backend === 'wasm' ? session.threads : undefined;
        result.peakGpuBytes = backend === 'webgpu' ? peak : null;
        runners.push({ result, run: () => session.run(feeds), release: () => session.release() });
      } catch (e) {
        result.error = (e as Error).message;
      }
    }
    for (const r of runners) for (let i = 0; i < options.warmup; i++) await r.run();
    for (let round = 0; round < options.runs; round++) {
      for (const r of runners) {
        const t0 = performance.now();
        await r.run();
        r.result.ms.push(performance.now() - t0);
      }
    }
    for (const e of engines) {
      if (!e.ms.length) continue;
      e.medianMs = median(e.ms);
      if (e !== engines[0]) {
        e.ratios = e.ms.map((ms, r) => ms / engines[0].ms[r]);
        e.medianRatio = median(e.ratios);
      }
    }
    for (const r of runners.slice(1)) await r.release();
    const pipelineMs = ours.executor.pipelineMs;
    const memory = ours.memory;
    ours.destroy();
    presets.push({
      preset, config, gflopPerClip: convGflop(graph), parameters: onnx.parameters, weightBytes: weights, memoryBudgetBytes: budget,
      cacheToFirstLabelMs, pipelineMs, memory, memoryF16, engines, softmaxMicros, autotune,
    });
  }
  gpu.device.destroy();
  return { adapter: gpu.adapter, crossOriginIsolated, options, presets };
}
