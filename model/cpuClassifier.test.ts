// The CPU engine: the same graph, exported by our ONNX exporter and run by onnxruntime-web's wasm backend,
// gives the golden logits; from a frame ring (a clip's slots given at run time, the ring of any length) as
// from the clip itself; and the same labels as the GPU classifier.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../kernels/device.ts';
import { closeness } from '../kernels/compare.ts';
import { fetchShared, sharedF32 } from '../kernels/fixtures.ts';
import { Classifier } from './classifier.ts';
import { GOLDEN_FIXTURES, type GoldenFixture } from './goldenFixtures.ts';
import { readPyTorchCheckpoint } from './weights/pytorch.ts';
import { StateDictSource } from './weights/weightSource.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

const fixture: GoldenFixture = 'slowfast_r50_w16_8x8_64px';
const dir = `golden/${fixture}`;

/** A ring of `frames` frames (1, 3, R, S, S) holding `clip`'s T frames at `slots`, the rest noise. */
function ringWith(clip: Float32Array, t: number, size: number, frames: number, slots: number[]): Float32Array {
  const plane = size * size;
  const ring = Float32Array.from({ length: 3 * frames * plane }, (_, i) => Math.sin(i * 0.37));
  for (let c = 0; c < 3; c++) {
    for (let f = 0; f < t; f++) ring.set(clip.subarray((c * t + f) * plane, (c * t + f + 1) * plane), (c * frames + slots[f]) * plane);
  }
  return ring;
}

describe('the CPU engine (onnxruntime-web wasm, from our export)', () => {
  it(`${fixture}: the golden logits, from the clip and from a ring of any length`, async () => {
    const config = GOLDEN_FIXTURES[fixture];
    const weights = new StateDictSource((await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict);
    const golden = await sharedF32(`${dir}/logits.bin`);
    const fast = await sharedF32(`${dir}/input_fast.bin`);

    const cpu = await Classifier.createOnCpu(config, weights);
    expect(cpu.engine).toBe('wasm');
    const r = await cpu.classify({ fast });
    const c = closeness(r.logits, golden, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
    expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // The quarter-width fixture pools 512 Slow and 64 Fast channels.
    expect(r.features.length).toBe((2048 + 256) / 4);

    // A ring: the clip's frames scattered over 40 slots (then a ring of 48), given by index at run time.
    const T = config.fastFrames;
    const S = config.inputSize;
    const slots = Array.from({ length: T }, (_, i) => (i * 7 + 3) % 40);
    const ring = ringWith(fast, T, S, 40, slots);
    const fromRing = await Classifier.createOnCpu(config, weights, { input: 'ring', ringCapacity: 40, inputArrays: { ring } });
    const viaRing = await fromRing.classify({ clipIndex: Uint32Array.from(slots) });
    expect(closeness(viaRing.logits, golden, 1e-4, 1e-5).ok).toBe(true);
    const bigger = ringWith(fast, T, S, 48, slots.map((s) => s + 8));
    const rebound = await fromRing.classify({ clipIndex: Uint32Array.from(slots, (s) => s + 8) }, 5, { bind: { ring: { array: bigger } } });
    expect(closeness(rebound.logits, golden, 1e-4, 1e-5).ok).toBe(true);

    // The same labels as our WebGPU engine on the same clip (its logits within 1e-4 of the largest).
    const gpu = await Classifier.create(device, config, weights);
    const g = await gpu.classify({ slow: await sharedF32(`${dir}/input_slow.bin`), fast });
    const max = Math.max(...g.logits.map(Math.abs));
    const worst = Math.max(...r.logits.map((x, i) => Math.abs(x - g.logits[i])));
    expect(worst).toBeLessThanOrEqual(1e-4 * max);
    expect(r.top.map((t) => t.index)).toEqual(g.top.map((t) => t.index));
    for (const x of [cpu, fromRing, gpu]) x.destroy();
  });
});
