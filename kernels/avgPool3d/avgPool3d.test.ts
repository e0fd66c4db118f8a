import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness, randomArray, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import type { PoolAttrs } from '../window.ts';
import { poolRef, randomPool } from '../window.ref.ts';
import { avgPool3d, avgPool3dShape, globalAvgPool3d } from './avgPool3d.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('avgPool3d', () => {
  const random = rng(17);
  const cases = Array.from({ length: 20 }, () => randomPool(random));
  // The SlowFast heads: (8,2,2) and (32,2,2) at 64 px; (8,7,7) and (32,7,7) at 224 px.
  const heads: [number[], PoolAttrs][] = [
    [[1, 512, 8, 2, 2], { kernel: [8, 2, 2], stride: [1, 1, 1] }],
    [[1, 64, 32, 2, 2], { kernel: [32, 2, 2], stride: [1, 1, 1] }],
    [[1, 64, 8, 7, 7], { kernel: [8, 7, 7], stride: [1, 1, 1] }],
    [[1, 8, 32, 7, 7], { kernel: [32, 7, 7], stride: [1, 1, 1] }],
  ];
  for (const [shape, attrs] of heads) cases.push({ shape, attrs });
  for (const [i, c] of cases.entries()) {
    it(`${JSON.stringify(c.shape)} ${JSON.stringify(c.attrs)}`, async () => {
      const x = randomArray(sizeOf(c.shape), rng(i), -2, 2);
      const [y] = await runKernel(device, avgPool3d(c.shape, c.attrs), [x], [sizeOf(avgPool3dShape(c.shape, c.attrs))]);
      const r = closeness(y, poolRef('avg', x, c.shape, c.attrs), 1e-5, 1e-6);
      expect(r.ok, r.summary).toBe(true);
    });
  }

  it('global average pooling over T×H×W', async () => {
    const shape = [2, 5, 3, 5, 7];
    const x = randomArray(sizeOf(shape), rng(99));
    const [y] = await runKernel(device, globalAvgPool3d(shape), [x], [10]);
    for (let nc = 0; nc < 10; nc++) {
      const mean = x.subarray(nc * 105, (nc + 1) * 105).reduce((a, b) => a + b, 0) / 105;
      expect(y[nc]).toBeCloseTo(mean, 5);
    }
  });

  it('f16: global pooling reads f16, sums and writes f32 (where the device has shader-f16; refused where it has not)', async () => {
    const shape = [1, 9, 4, 7, 7];
    const x = randomArray(sizeOf(shape), rng(47));
    const attrs = { kernel: [4, 7, 7], stride: [1, 1, 1] } as const;
    await checkHalfVariant(device, globalAvgPool3d(shape, { in: 'f16', out: 'f32' }), [{ values: x, half: true }],
      ([v]) => poolRef('avg', v as Float32Array, shape, attrs), { length: 9, dtype: 'f32' }, 1e-5);
  });
});
