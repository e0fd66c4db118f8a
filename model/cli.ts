// The browser half of `npm run classify`: scripts/classify.mjs serves the files and calls this in headless
// Chromium, where WebGPU lives.
import { acquireGpu, isSoftwareAdapter, type Gpu } from '../kernels/device.ts';
import { sizeOf } from '../kernels/kernel.ts';
import { Classifier, type EngineKind } from './classifier.ts';
import { configOf } from './inferConfig.ts';
import { cpuEngineName } from './onnx/wasmThreads.ts';
import type { PresetName, SlowFastConfig } from './slowfast.ts';
import { readLabelFile } from './labels.ts';
import { countParameters } from './weights/convert.ts';
import { readWeights, type LoadedWeights } from './weights/load.ts';
import { StateDictSource } from './weights/weightSource.ts';
import type { Precision } from './kernelChoice.ts';

export async function fetchBlob(url: string, what: string): Promise<Blob> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot read the ${what}: ${await r.text()}`);
  // A Blob, not an ArrayBuffer: the browser keeps a large one on disk, and the reader fetches only the parts
  // of the checkpoint the model needs.
  return r.blob();
}

// One read per checkpoint per run: several videos (or a load, then a classification) share it.
const weightsByUrl = new Map<string, Promise<LoadedWeights>>();

/** The weights at `url`, read once. */
export async function weightsAt(url: string): Promise<LoadedWeights> {
  if (!weightsByUrl.has(url)) weightsByUrl.set(url, fetchBlob(url, 'checkpoint').then((b) => readWeights(b)));
  return weightsByUrl.get(url)!.catch((e: unknown) => {
    weightsByUrl.delete(url);
    throw e;
  });
}

/** Class names from the label file at `url`, checked against the head. */
export async function labelsAt(url: string, numClasses: number, name = 'the label file'): Promise<string[]> {
  return readLabelFile(await (await fetchBlob(url, name)).text(), numClasses, name);
}

/** Reads the checkpoint at `url` (kept for the classification that follows), and says what it is. */
export async function loadCheckpoint(req: { checkpointUrl: string }) {
  const t0 = performance.now();
  const weights = await weightsAt(req.checkpointUrl);
  return {
    ms: performance.now() - t0, fileBytes: weights.fileBytes, format: weights.format, naming: weights.naming, tensors: weights.dict.size,
    parameters: countParameters(weights.dict),
    extras: weights.extras ?? [],
  };
}

/** What a command-line run asks for: an engine, or none (WebGPU on a hardware adapter, else the CPU engine). */
export type EngineChoice = EngineKind | undefined;

/**
 * The engine a run uses: asked-for WebGPU needs an adapter; with no choice, a software adapter (SwiftShader,
 * llvmpipe) or none means the CPU engine, which is faster than our shaders on a CPU rasteriser.
 */
export async function chooseEngine(choice: EngineChoice, gpu: () => Promise<Gpu>): Promise<{ kind: 'webgpu'; gpu: Gpu } | { kind: 'wasm' }> {
  if (choice === 'wasm') return { kind: 'wasm' };
  try {
    const g = await gpu();
    if (choice === 'webgpu' || !isSoftwareAdapter(g.device.adapterInfo)) return { kind: 'webgpu', gpu: g };
    return { kind: 'wasm' };
  } catch (e) {
    if (choice === 'webgpu') throw e;
    return { kind: 'wasm' };
  }
}

export interface ClassifyTensorsRequest {
  engine?: EngineChoice;
  /** On WebGPU: f16, f32, or 'auto' (f16 where the GPU has shader-f16; the default). */
  precision?: Precision;
  checkpointUrl: string;
  slowUrl?: string;
  fastUrl: string;
  preset?: PresetName;
  topK: number;
  /** A label file (one label a line, or JSON), and its name for messages. */
  labelsUrl?: string;
  labelsName?: string;
}

async function fetchBytes(url: string, what: string): Promise<ArrayBuffer> {
  return (await fetchBlob(url, what)).arrayBuffer();
}

export async function classifyTensors(req: ClassifyTensorsRequest) {
  const weights = await weightsAt(req.checkpointUrl);
  const base: SlowFastConfig = configOf(weights, { preset: req.preset });
  const fast = new Float32Array(await fetchBytes(req.fastUrl, 'fast input'));
  const slow = req.slowUrl ? new Float32Array(await fetchBytes(req.slowUrl, 'slow input')) : undefined;
  // Raw (1, 3, T, S, S) float32: the size is whatever the tensor holds.
  const inputFrames = base.slowOnly ? base.fastFrames / base.alpha : base.fastFrames;
  const size = Math.sqrt(fast.length / (3 * inputFrames));
  if (!Number.isInteger(size)) {
    throw new Error(`the ${base.slowOnly ? 'slow' : 'fast'} input holds ${fast.length} floats, not (1, 3, ${inputFrames}, S, S) for any S`);
  }
  const config = { ...base, inputSize: size };
  const labels = req.labelsUrl ? await labelsAt(req.labelsUrl, config.numClasses, req.labelsName) : undefined;
  const engine = await chooseEngine(req.engine, acquireGpu);
  const classifier = engine.kind === 'webgpu'
    ? await Classifier.create(engine.gpu.device, config, new StateDictSource(weights.dict), { labels, precision: req.precision ?? 'auto' })
    : await Classifier.createOnCpu(config, new StateDictSource(weights.dict), { labels, input: 'pathways' });
  const inputs: Record<string, Float32Array<ArrayBuffer>> = config.slowOnly ? { slow: fast } : { fast };
  if (slow && !config.slowOnly) inputs.slow = slow;
  for (const [name, shape] of Object.entries(classifier.model.inputShapes)) {
    const got = inputs[name];
    if (!got) throw new Error(`--input-${name} is required for ${config.slowOnly ? 'a Slow-only' : 'a SlowFast'} model`);
    if (got.length !== sizeOf(shape)) throw new Error(`--input-${name} holds ${got.length} floats; the model needs (${shape.join(', ')}) = ${sizeOf(shape)}`);
  }
  await classifier.classify(inputs, req.topK); // warm-up
  const result = await classifier.classify(inputs, req.topK);
  const memory = classifier.memory;
  classifier.destroy();
  if (engine.kind === 'webgpu') engine.gpu.device.destroy();
  return {
    engine: engine.kind,
    adapter: engine.kind === 'webgpu' ? engine.gpu.adapter.description : `the ${cpuEngineName()}`,
    precision: classifier.precision,
    config,
    naming: weights.naming,
    top: result.top,
    logits: Array.from(result.logits),
    ms: result.ms,
    memory,
  };
}
