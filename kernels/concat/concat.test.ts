import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { randInt, randomArray, randomShape5, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { concat, concatShape } from './concat.ts';
import { concatRef } from './concat.ref.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('concat', () => {
  const random = rng(13);
  for (let i = 0; i < 20; i++) {
    const a = randomShape5(random);
    const b = [a[0], randInt(random, 1, 9), a[2], a[3], a[4]];
    it(`${JSON.stringify(a)} ++ ${JSON.stringify(b)}`, async () => {
      const r = rng(i);
      const xa = randomArray(sizeOf(a), r);
      const xb = randomArray(sizeOf(b), r);
      const [y] = await runKernel(device, concat(a, b), [xa, xb], [sizeOf(concatShape(a, b))]);
      expect(Array.from(y)).toEqual(Array.from(concatRef(xa, a, xb, b)));
    });
  }

  it('names mismatched dims', () => {
    expect(() => concatShape([1, 2, 3, 4, 5], [1, 2, 3, 4, 6])).toThrow(/concat: all dims but channels must match/);
  });

  it('f16: stored as f16 in and out (where the device has shader-f16; refused where it has not)', async () => {
    const a = [2, 3, 2, 5, 5];
    const b = [2, 6, 2, 5, 5];
    const r = rng(42);
    const xa = randomArray(sizeOf(a), r);
    const xb = randomArray(sizeOf(b), r);
    await checkHalfVariant(device, concat(a, b, { in: 'f16', out: 'f16' }), [{ values: xa, half: true }, { values: xb, half: true }],
      ([x, y]) => concatRef(x as Float32Array, a, y as Float32Array, b), { length: sizeOf(concatShape(a, b)), dtype: 'f16' });
  });
});
