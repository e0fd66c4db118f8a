import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness, randomArray, randomShape5, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { sigmoid } from './sigmoid.ts';
import { sigmoidRef } from './sigmoid.ref.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('sigmoid', () => {
  const random = rng(17);
  for (let i = 0; i < 12; i++) {
    const shape = randomShape5(random);
    it(`random shape ${JSON.stringify(shape)}`, async () => {
      const x = randomArray(sizeOf(shape), rng(i)).map((v) => v * 20);
      const [y] = await runKernel(device, sigmoid(shape), [x], [x.length]);
      const r = closeness(y, sigmoidRef(x), 1e-6, 1e-7);
      expect(r.ok, r.summary).toBe(true);
    });
  }

  it('saturates without overflow at ±100, and is ½ at 0', async () => {
    const x = new Float32Array([-100, -30, 0, 30, 100, -0]);
    const [y] = await runKernel(device, sigmoid([1, 6]), [x], [x.length]);
    expect(Array.from(y).every(Number.isFinite)).toBe(true);
    expect(y[0]).toBeLessThan(1e-40);
    expect(y[2]).toBe(0.5);
    expect(y[4]).toBe(1);
    expect(y[5]).toBe(0.5);
  });
});
