import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness, randomArray, rng } from '../compare.ts';
import { packF16, unpackF16 } from '../f16.ts';
import { runKernel } from '../runKernel.ts';
import { classMap, topRank, TOP_CLASS } from './classMap.ts';
import { classMapRef } from './classMap.ref.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('classMap', () => {
  const random = rng(23);
  for (let i = 0; i < 10; i++) {
    const [C, T, H, W] = [1 + Math.floor(random() * 40), 1 + Math.floor(random() * 9), 1 + Math.floor(random() * 7), 1 + Math.floor(random() * 7)];
    const K = 1 + Math.floor(random() * 30);
    const offset = Math.floor(random() * 20);
    const F = offset + C + Math.floor(random() * 10);
    const f16 = i % 3 === 2;
    it(`x (1, ${C}, ${T}, ${H}, ${W}), head (${K}, ${F}) from channel ${offset}${f16 ? ', f16 weights' : ''}: a class, and the top three by rank`, async () => {
      const r = rng(100 + i);
      const x = randomArray(C * T * H * W, r, -2, 2);
      const w = randomArray(K * F, r);
      // Rounded, so that some logits tie: ties rank by index, as a stable sort does.
      const logits = randomArray(K, r, -5, 5).map((v) => Math.round(v));
      const ranked = [...logits.keys()].sort((a, b) => logits[b] - logits[a]);
      const ranks = [0, 1, 2].filter((n) => n < K);
      const k = Math.floor(r() * K);
      const asked = Uint32Array.from([k, ...ranks.map(topRank)]);
      const classes = [k, ...ranks.map((n) => ranked[n])];
      const desc = classMap([1, C, T, H, W], [K, F], [1, K], [asked.length], { channelOffset: offset }, { weightFormat: f16 ? 'f16' : 'f32' });
      const [y] = await runKernel(device, desc, [x, f16 ? packF16(w) : w, logits, asked], [asked.length * T * H * W]);
      const used = f16 ? unpackF16(packF16(w), w.length) : w;
      const plane = T * H * W;
      classes.forEach((c, m) => {
        const got = y.subarray(m * plane, (m + 1) * plane);
        const cl = closeness(got, classMapRef(x, C, used, F, c, offset), 1e-5, 1e-6);
        expect(cl.ok, `map ${m} (class ${c}): ${cl.summary}`).toBe(true);
      });
    });
  }

  it('maps the first of equal top logits, as an argmax on the CPU does', async () => {
    const x = Float32Array.of(1, 2);
    const w = Float32Array.of(10, 20, 30);
    const [y] = await runKernel(device, classMap([1, 1, 1, 1, 2], [3, 1], [1, 3], [1], { channelOffset: 0 }), [x, w, Float32Array.of(0, 5, 5), Uint32Array.of(TOP_CLASS)], [2]);
    expect(Array.from(y)).toEqual([20, 40]);
  });

  it('f16 features (res5 stored as f16): the maps summed and written in f32 (where the device has shader-f16; refused where it has not)', async () => {
    const [C, T, H, W, K, F, offset] = [24, 4, 3, 5, 12, 40, 8];
    const r = rng(48);
    const x = randomArray(C * T * H * W, r, -2, 2);
    const w = randomArray(K * F, r);
    const logits = randomArray(K, r, -5, 5);
    const desc = classMap([1, C, T, H, W], [K, F], [1, K], [1], { channelOffset: offset }, { features: 'f16' });
    await checkHalfVariant(device, desc, [{ values: x, half: true }, { values: w }, { values: logits }, { values: Uint32Array.from([7]) }],
      ([xr]) => classMapRef(xr as Float32Array, C, w, F, 7, offset), { length: T * H * W, dtype: 'f32' }, 1e-5);
  });
});
