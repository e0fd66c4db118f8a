import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { randomArray, randomShape5, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { add, addShape } from './add.ts';
import { addRef } from './add.ref.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('add', () => {
  const random = rng(12);
  for (let i = 0; i < 20; i++) {
    const shape = randomShape5(random);
    const relu = i % 2 === 1;
    it(`random shape ${JSON.stringify(shape)}${relu ? ' + relu' : ''}`, async () => {
      const r = rng(i);
      const a = randomArray(sizeOf(shape), r);
      const b = randomArray(sizeOf(shape), r);
      const [y] = await runKernel(device, add(shape, shape, { relu }), [a, b], [a.length]);
      expect(Array.from(y)).toEqual(Array.from(addRef(a, b, relu)));
    });
  }

  it('rejects different shapes by name', () => {
    expect(() => addShape([1, 2, 3], [1, 2, 4])).toThrow('add: shapes differ: [1, 2, 3] and [1, 2, 4]');
  });

  it('f16: a residual sum stored as f16 in and out, with ReLU (where the device has shader-f16; refused where it has not)', async () => {
    const shape = [2, 3, 4, 5, 7];
    const r = rng(41);
    const a = randomArray(sizeOf(shape), r);
    const b = randomArray(sizeOf(shape), r);
    await checkHalfVariant(device, add(shape, shape, { relu: true }, { in: 'f16', out: 'f16' }), [{ values: a, half: true }, { values: b, half: true }],
      ([x, y]) => addRef(x as Float32Array, y as Float32Array, true), { length: a.length, dtype: 'f16' });
  });
});
