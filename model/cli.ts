// The browser half of `npm run classify`: scripts/classify.mjs serves the files and calls this in headless
// Chromium, where WebGPU lives.
import { acquireGpu } from '../kernels/device.ts';
import { sizeOf } from '../kernels/kernel.ts';
import { Classifier } from './classifier.ts';
import { inferConfig } from './inferConfig.ts';
import type { PresetName, SlowFastConfig } from './slowfast.ts';
import { readWeights } from './weights/load.ts';
import { StateDictSource } from './weights/weightSource.ts';

export interface ClassifyTensorsRequest {
  checkpointUrl: string;
  slowUrl?: string;
  fastUrl: string;
  preset?: PresetName;
  topK: number;
}

async function fetchBytes(url: string, what: string): Promise<ArrayBuffer> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot read the ${what}: ${await r.text()}`);
  return r.arrayBuffer();
}

export async function classifyTensors(req: ClassifyTensorsRequest) {
  const weights = readWeights(new Uint8Array(await fetchBytes(req.checkpointUrl, 'checkpoint')));
  const base: SlowFastConfig = weights.config ?? inferConfig(weights.dict, req.preset);
  const fast = new Float32Array(await fetchBytes(req.fastUrl, 'fast input'));
  const slow = req.slowUrl ? new Float32Array(await fetchBytes(req.slowUrl, 'slow input')) : undefined;
  // Raw (1, 3, T, S, S) float32: the size is whatever the tensor holds.
  const inputFrames = base.slowOnly ? base.fastFrames / base.alpha : base.fastFrames;
  const size = Math.sqrt(fast.length / (3 * inputFrames));
  if (!Number.isInteger(size)) {
    throw new Error(`the ${base.slowOnly ? 'slow' : 'fast'} input holds ${fast.length} floats, not (1, 3, ${inputFrames}, S, S) for any S`);
  }
  const config = { ...base, inputSize: size };
  const gpu = await acquireGpu();
  const classifier = await Classifier.create(gpu.device, config, new StateDictSource(weights.dict));
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
  gpu.device.destroy();
  return {
    adapter: gpu.adapter.description,
    config,
    naming: weights.naming,
    top: result.top,
    logits: Array.from(result.logits),
    ms: result.ms,
    memory,
  };
}
