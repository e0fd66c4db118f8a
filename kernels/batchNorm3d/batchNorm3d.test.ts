import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness, randomArray, randomShape5, rng } from '../compare.ts';
import { sizeOf, type Shape } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { conv3d, conv3dAffine, conv3dShape } from '../conv3d/conv3d.ts';
import { conv3dRef } from '../conv3d/conv3d.ref.ts';
import { batchNorm3d, batchNormStats, type BatchNormParams } from './batchNorm3d.ts';
import { batchNorm3dRef } from './batchNorm3d.ref.ts';
import { foldBatchNorm } from './foldBatchNorm.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

function randomBn(c: number, random: () => number): BatchNormParams {
  return {
    weight: randomArray(c, random, 0.5, 1.5),
    bias: randomArray(c, random, -0.3, 0.3),
    runningMean: randomArray(c, random, -0.3, 0.3),
    runningVar: randomArray(c, random, 0.5, 1.5),
    eps: 1e-5,
  };
}

describe('batchNorm3d', () => {
  const random = rng(14);
  for (let i = 0; i < 20; i++) {
    const shape = randomShape5(random);
    const relu = i % 3 === 0;
    it(`random shape ${JSON.stringify(shape)}${relu ? ' + relu' : ''}`, async () => {
      const r = rng(i);
      const x = randomArray(sizeOf(shape), r, -3, 3);
      const bn = randomBn(shape[1], r);
      const [y] = await runKernel(device, batchNorm3d(shape, { eps: bn.eps, relu }), [x, batchNormStats(bn)], [x.length]);
      const c = closeness(y, batchNorm3dRef(x, shape, bn, relu), 1e-5, 1e-6);
      expect(c.ok, c.summary).toBe(true);
    });
  }
});

describe('foldBatchNorm', () => {
  const random = rng(15);
  for (let i = 0; i < 20; i++) {
    const xs: Shape = randomShape5(random, [1, 6, 5, 7, 7]);
    const k = ([[1, 1, 1], [1, 3, 3], [3, 1, 1], [5, 1, 1]] as const)[i % 4];
    const ws: Shape = [1 + (i * 7) % 13, xs[1], ...k];
    const withBias = i % 2 === 0;
    it(`conv ${JSON.stringify(ws)} then BN equals the folded conv${withBias ? ' (with bias)' : ''}`, async () => {
      const r = rng(100 + i);
      const x = randomArray(sizeOf(xs), r);
      const w = randomArray(sizeOf(ws), r);
      const bias = withBias ? randomArray(ws[0], r) : undefined;
      const bn = randomBn(ws[0], r);
      const attrs = { kernel: k, padding: [Math.floor(k[0] / 2), Math.floor(k[1] / 2), Math.floor(k[2] / 2)] as const };
      const ys = conv3dShape(xs, ws, attrs);
      // Unfolded: the conv (with its bias) then a standalone batch norm, both references.
      const unfolded = batchNorm3dRef(conv3dRef(x, xs, w, ws, attrs, conv3dAffine(ws[0], undefined, bias)), ys, bn);
      const folded = foldBatchNorm(w, ws[0], bn, bias);
      const [y] = await runKernel(device, conv3d(xs, ws, attrs), [x, folded.weight, conv3dAffine(ws[0], undefined, folded.bias)], [sizeOf(ys)]);
      const c = closeness(y, unfolded, 1e-4, 1e-6);
      expect(c.ok, c.summary).toBe(true);
    });
  }

  it('rejects a batch norm of the wrong width', () => {
    const bn = randomBn(3, rng(1));
    expect(() => foldBatchNorm(new Float32Array(8), 4, bn)).toThrow(/batch norm has 3 channels, conv has 4 outputs/);
  });
});
