// Every way weights reach the model gives the golden logits; every preset and lateral kind builds and runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../kernels/device.ts';
import { closeness } from '../kernels/compare.ts';
import { fetchShared, sharedF32 } from '../kernels/fixtures.ts';
import { Classifier } from './classifier.ts';
import { GOLDEN_FIXTURES, SLOW_ONLY_GOLDEN } from './goldenFixtures.ts';
import { inferConfig } from './inferConfig.ts';
import { PRESETS, type LateralKind, type PresetName, type SlowFastConfig } from './slowfast.ts';
import { readWeights, toSafetensors } from './weights/load.ts';
import type { StateDict } from './weights/stateDict.ts';
import { RandomSource, StateDictSource } from './weights/weightSource.ts';

let device: GPUDevice;
const DIR = 'golden/slowfast_r50_w16_8x8_64px';
let inputs: { slow: Float32Array<ArrayBuffer>; fast: Float32Array<ArrayBuffer> };
let golden: Float32Array;

beforeAll(async () => {
  device = (await acquireGpu()).device;
  inputs = { slow: await sharedF32(`${DIR}/input_slow.bin`), fast: await sharedF32(`${DIR}/input_fast.bin`) };
  golden = await sharedF32(`${DIR}/logits.bin`);
});

async function logitsOf(config: SlowFastConfig, dict: StateDict, weightFormat: 'f32' | 'f16' = 'f32') {
  const c = await Classifier.create(device, config, new StateDictSource(dict), { weightFormat });
  const r = await c.classify(inputs);
  c.destroy();
  return r;
}

const top1 = (x: ArrayLike<number>) => Array.from(x).indexOf(Math.max(...Array.from(x)));

describe('weights in every accepted form give the golden logits', () => {
  it('legacy (non-zip) checkpoint_legacy.pyth, with the config read off the weights', async () => {
    const w = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint_legacy.pyth`)));
    // Weights tell the architecture, not the input size.
    const config = { ...inferConfig(w.dict), inputSize: 64 };
    expect(config).toEqual(GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px);
    const c = closeness((await logitsOf(config, w.dict)).logits, golden, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
  });

  it('a PySlowFast-named copy (renamed through KEYMAP.md) is detected and gives the same logits', async () => {
    const keymap = new TextDecoder().decode(await fetchShared('golden/KEYMAP.md'));
    const toPySlowFast = new Map([...keymap.matchAll(/^\| \d+ \| `([^`]+)` \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]]));
    const zip = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint.pyth`)));
    const renamed: StateDict = new Map([...zip.dict].map(([k, v]) => [`module.${toPySlowFast.get(k)!}`, v]));
    expect(renamed.has('module.s1.pathway0_stem.conv.weight')).toBe(true);
    const file = toSafetensors(renamed, GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px);
    const w = await readWeights(file);
    expect(w.naming).toBe('pyslowfast');
    expect([...w.dict.keys()].sort()).toEqual([...zip.dict.keys()].filter((k) => !k.endsWith('num_batches_tracked')).sort());
    const c = closeness((await logitsOf(w.config!, w.dict)).logits, golden, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
  });

  it('converted safetensors: f32 identical to the checkpoint, f16 within 2e-2 of the largest logit and the same top-1', async () => {
    const zip = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint.pyth`)));
    const config = GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px;
    const direct = (await logitsOf(config, zip.dict)).logits;
    const f32 = await readWeights(toSafetensors(zip.dict, config));
    expect(f32.config).toEqual(config);
    expect(Array.from((await logitsOf(f32.config!, f32.dict)).logits)).toEqual(Array.from(direct));

    const f16File = toSafetensors(zip.dict, config, { f16: true });
    expect(f16File.byteLength).toBeLessThan(0.55 * toSafetensors(zip.dict, config).byteLength);
    const f16 = await readWeights(f16File);
    const r = (await logitsOf(config, f16.dict, 'f16')).logits;
    const c = closeness(r, golden, 2e-2, 0);
    expect(c.ok, `f16: ${c.summary}`).toBe(true);
    expect(top1(r)).toBe(top1(golden));
  });
});

describe('the Fast clip alone, as the video pipeline feeds it', () => {
  it('gathers the Slow frames on the GPU and gives the golden logits', async () => {
    const zip = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint.pyth`)));
    const c = await Classifier.create(device, GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px, new StateDictSource(zip.dict), { input: 'fast' });
    expect(Object.keys(c.model.inputShapes)).toEqual(['fast']);
    const r = await c.classify({ fast: inputs.fast });
    c.destroy();
    const cmp = closeness(r.logits, golden, 1e-4, 1e-5);
    expect(cmp.ok, cmp.summary).toBe(true);
  });

  it('reads a clip that is already on the GPU in place', async () => {
    const zip = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint.pyth`)));
    const clip = device.createBuffer({ size: inputs.fast.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(clip, 0, inputs.fast);
    const c = await Classifier.create(device, GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px, new StateDictSource(zip.dict),
      { input: 'fast', inputBuffers: { fast: clip } });
    expect(c.memory.inputBytes).toBe(0);
    const r = await c.classify();
    c.destroy();
    clip.destroy();
    const cmp = closeness(r.logits, golden, 1e-4, 1e-5);
    expect(cmp.ok, cmp.summary).toBe(true);
  });
});

describe('every preset and lateral kind builds and runs', () => {
  // Quarter width and 64 px keep SwiftShader fast; depth, α, kernels and laterals are the real ones.
  const small = (c: SlowFastConfig): SlowFastConfig => ({ ...c, stemChannels: [16, 2], inputSize: 64 });
  const cases: [string, SlowFastConfig][] = [
    ...(Object.keys(PRESETS) as PresetName[]).map((p): [string, SlowFastConfig] => [p, small(PRESETS[p])]),
    ...(['tsample', 'ttoc-concat', 'ttoc-sum'] as LateralKind[]).map((lateral): [string, SlowFastConfig] =>
      // ttoc-sum needs α·βC = C: the 4×16 setting (α 8) with an 8:1 width ratio.
      [`4x16 lateral ${lateral}`, { ...small(PRESETS.slowfast_r50_4x16), lateral }]),
    ['8x8 at 96 px with the 64 px head kernel (sliding pool, then mean)', { ...small(PRESETS.slowfast_r50_8x8), inputSize: 96, trainCrop: 64 }],
  ];
  for (const [name, config] of cases) {
    it(name, async () => {
      const c = await Classifier.create(device, config, new RandomSource(7));
      const shapes = c.model.inputShapes;
      expect(shapes.slow).toEqual([1, 3, config.fastFrames / config.alpha, config.inputSize, config.inputSize]);
      const inputs = Object.fromEntries(Object.entries(shapes).map(([name, shape], i) =>
        [name, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(i ? -0.1 : 0.1)]));
      const r = await c.classify(inputs);
      expect(r.logits.length).toBe(400);
      expect(r.logits.every(Number.isFinite)).toBe(true);
      expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(r.top.length).toBe(5);
      c.destroy();
    });
  }
});

describe('clips gathered from a ring of frames on the GPU, as the video pipeline feeds them', () => {
  // The golden Fast clip's 32 frames, shuffled into a 40-slot ring: the clip is its slots, in order.
  const S = 64;
  const frame = 3 * S * S;
  const slots = Array.from({ length: 32 }, (_, t) => (t * 7 + 5) % 40);
  /** The (1, 3, R, S, S) ring holding frame t of `clip` at slot slots[t]. */
  function ringOf(clip: Float32Array, frames: number): Float32Array<ArrayBuffer> {
    const ring = new Float32Array(40 * frame);
    for (let c = 0; c < 3; c++) {
      for (let t = 0; t < frames; t++) ring.set(clip.subarray((c * frames + t) * S * S, (c * frames + t + 1) * S * S), (c * 40 + slots[t]) * S * S);
    }
    return ring;
  }

  it('SlowFast: the golden logits', async () => {
    const zip = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint.pyth`)));
    const c = await Classifier.create(device, GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px, new StateDictSource(zip.dict), { input: 'ring', ringCapacity: 40 });
    const r = await c.classify({ ring: ringOf(inputs.fast, 32), clipIndex: Uint32Array.from(slots) });
    c.destroy();
    const cmp = closeness(r.logits, golden, 1e-4, 1e-5);
    expect(cmp.ok, cmp.summary).toBe(true);
  });

  it('Slow-only: the golden logits (pytorchvideo slow_r50), from its clip scattered in a ring', async () => {
    const dir = 'golden/slow_r50_w16_8x8_64px';
    const zip = await readWeights(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)));
    const config = SLOW_ONLY_GOLDEN;
    const T = config.fastFrames / config.alpha;
    const fromRing = await Classifier.create(device, config, new StateDictSource(zip.dict), { input: 'ring', ringCapacity: 40 });
    expect(Object.keys(fromRing.model.inputShapes)).toEqual(['ring', 'clipIndex']);
    const r = await fromRing.classify({ ring: ringOf(await sharedF32(`${dir}/input.bin`), T), clipIndex: Uint32Array.from(slots.slice(0, T)) });
    fromRing.destroy();
    const cmp = closeness(r.logits, await sharedF32(`${dir}/logits.bin`), 1e-4, 1e-5);
    expect(cmp.ok, cmp.summary).toBe(true);
  });
});
