import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { randomArray, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { poolRef, randomPool } from '../window.ref.ts';
import { maxPool3d, maxPool3dShape } from './maxPool3d.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('maxPool3d', () => {
  const random = rng(16);
  const cases = Array.from({ length: 20 }, () => randomPool(random));
  // The SlowFast stem pool: 1×3×3, stride (1,2,2), padding (0,1,1), on odd and even sizes.
  cases.push({ shape: [1, 4, 3, 16, 16], attrs: { kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1] } });
  cases.push({ shape: [1, 2, 1, 7, 9], attrs: { kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1] } });
  for (const [i, c] of cases.entries()) {
    it(`${JSON.stringify(c.shape)} ${JSON.stringify(c.attrs)}`, async () => {
      // Negative values make a padded zero wrong, so −∞ padding is really tested.
      const x = randomArray(sizeOf(c.shape), rng(i), -2, -0.5);
      const [y] = await runKernel(device, maxPool3d(c.shape, c.attrs), [x], [sizeOf(maxPool3dShape(c.shape, c.attrs))]);
      expect(Array.from(y)).toEqual(Array.from(poolRef('max', x, c.shape, c.attrs)));
    });
  }

  it('rejects padding above half the kernel, as PyTorch does', () => {
    expect(() => maxPool3dShape([1, 1, 4, 4, 4], { kernel: [1, 3, 3], padding: [0, 2, 1] })).toThrow(/maxPool3d: padding \[0, 2, 1\] must be at most half/);
  });

  it('f16: the stem pool stored as f16 in and out (where the device has shader-f16; refused where it has not)', async () => {
    const shape = [1, 4, 3, 15, 16];
    const attrs = { kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1] } as const;
    const x = randomArray(sizeOf(shape), rng(43), -2, -0.5);
    await checkHalfVariant(device, maxPool3d(shape, attrs, { in: 'f16', out: 'f16' }), [{ values: x, half: true }],
      ([v]) => poolRef('max', v as Float32Array, shape, attrs), { length: sizeOf(maxPool3dShape(shape, attrs)), dtype: 'f16' });
  });
});
