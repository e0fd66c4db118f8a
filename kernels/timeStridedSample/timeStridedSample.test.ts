import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { randInt, randomArray, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { sharedF32 } from '../fixtures.ts';
import { concat } from '../concat/concat.ts';
import { timeStridedSample, timeStridedSampleShape } from './timeStridedSample.ts';
import { timeStridedSampleRef } from './timeStridedSample.ref.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('timeStridedSample', () => {
  const random = rng(19);
  for (let i = 0; i < 20; i++) {
    const alpha = randInt(random, 1, 8);
    // Frame counts that are not multiples of alpha too: torch's x[:, :, ::alpha] keeps ceil(T/alpha).
    const shape = [randInt(random, 1, 2), randInt(random, 1, 6), randInt(random, 1, 20), randInt(random, 1, 7), randInt(random, 1, 7)];
    it(`${JSON.stringify(shape)} α=${alpha}`, async () => {
      const x = randomArray(sizeOf(shape), rng(i));
      const ys = timeStridedSampleShape(shape, alpha);
      const [y] = await runKernel(device, timeStridedSample(shape, alpha), [x], [sizeOf(ys)]);
      expect(Array.from(y)).toEqual(Array.from(timeStridedSampleRef(x, shape, alpha)));
    });
  }

  it('reproduces golden lateral_variants tsample and tsample_concat', async () => {
    const x = await sharedF32('golden/lateral_variants/input_x_fast.bin');
    const ySlow = await sharedF32('golden/lateral_variants/input_y_slow.bin');
    const [sampled] = await runKernel(device, timeStridedSample([1, 4, 8, 3, 3], 4), [x], [72]);
    expect(Array.from(sampled)).toEqual(Array.from(await sharedF32('golden/lateral_variants/tsample.bin')));
    const [cat] = await runKernel(device, concat([1, 16, 2, 3, 3], [1, 4, 2, 3, 3]), [ySlow, sampled], [360]);
    expect(Array.from(cat)).toEqual(Array.from(await sharedF32('golden/lateral_variants/tsample_concat.bin')));
  });

  it('rejects a bad alpha by name', () => {
    expect(() => timeStridedSampleShape([1, 1, 4, 1, 1], 0)).toThrow(/timeStridedSample: alpha must be a positive integer/);
  });

  it('f16: stored as f16 in and out (where the device has shader-f16; refused where it has not)', async () => {
    const shape = [1, 3, 8, 5, 6];
    const x = randomArray(sizeOf(shape), rng(44));
    await checkHalfVariant(device, timeStridedSample(shape, 4, { in: 'f16', out: 'f16' }), [{ values: x, half: true }],
      ([v]) => timeStridedSampleRef(v as Float32Array, shape, 4), { length: sizeOf(shape) / 4, dtype: 'f16' });
  });
});
