import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness, randomArray, randomShape5, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { relu } from './relu.ts';
import { reluRef } from './relu.ref.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('relu', () => {
  const random = rng(11);
  for (let i = 0; i < 20; i++) {
    const shape = randomShape5(random);
    it(`random shape ${JSON.stringify(shape)}`, async () => {
      const x = randomArray(sizeOf(shape), rng(i));
      const [y] = await runKernel(device, relu(shape), [x], [x.length]);
      expect(Array.from(y)).toEqual(Array.from(reluRef(x)));
    });
  }

  it('splits a dispatch of more than 65,535 workgroups (17M elements)', async () => {
    const shape = [1, 1, 1, 4100, 4100];
    const desc = relu(shape);
    expect(desc.dispatch[1]).toBeGreaterThan(1);
    const x = randomArray(sizeOf(shape), rng(3));
    const [y] = await runKernel(device, desc, [x], [x.length]);
    const r = closeness(y, reluRef(x), 0, 0);
    expect(r.ok, r.summary).toBe(true);
  });

  it('f16: stored as f16 in and out (where the device has shader-f16; refused where it has not)', async () => {
    const shape = [1, 5, 3, 7, 9];
    const x = randomArray(sizeOf(shape), rng(40));
    await checkHalfVariant(device, relu(shape, { in: 'f16', out: 'f16' }), [{ values: x, half: true }], ([v]) => reluRef(v as Float32Array), { length: x.length, dtype: 'f16' });
  });
});
