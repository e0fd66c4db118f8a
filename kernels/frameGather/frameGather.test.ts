import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { randInt, randomArray, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { sharedF32 } from '../fixtures.ts';
import { frameGather, frameGatherIndex, frameGatherShape } from './frameGather.ts';
import { frameGatherRef } from './frameGather.ref.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('frameGather', () => {
  const random = rng(23);
  for (let i = 0; i < 20; i++) {
    const shape = [randInt(random, 1, 2), randInt(random, 1, 4), randInt(random, 1, 12), randInt(random, 1, 9), randInt(random, 1, 9)];
    const index = Array.from({ length: randInt(random, 1, 8) }, () => randInt(random, 0, shape[2] - 1));
    it(`${JSON.stringify(shape)} frames ${JSON.stringify(index)}`, async () => {
      const x = randomArray(sizeOf(shape), rng(i));
      const [y] = await runKernel(device, frameGather(shape, index), [x, frameGatherIndex(index)], [sizeOf(frameGatherShape(shape, index))]);
      expect(Array.from(y)).toEqual(Array.from(frameGatherRef(x, shape, index)));
    });
  }

  it('gathers the golden slow input from the golden fast input', async () => {
    const dir = 'golden/slowfast_r50_w16_8x8_64px';
    const index = [0, 4, 8, 13, 17, 22, 26, 31];
    const [slow] = await runKernel(device, frameGather([1, 3, 32, 64, 64], index), [await sharedF32(`${dir}/input_fast.bin`), frameGatherIndex(index)], [3 * 8 * 64 * 64]);
    expect(Array.from(slow)).toEqual(Array.from(await sharedF32(`${dir}/input_slow.bin`)));
  });

  it('names frames outside the input', () => {
    expect(() => frameGatherShape([1, 3, 4, 2, 2], [0, 4])).toThrow(/frameGather: frame 4 is outside the input's 4 frames/);
  });

  it('f16: reads the f32 frames, writes the clip as f16 (where the device has shader-f16; refused where it has not)', async () => {
    const shape = [1, 3, 10, 6, 7];
    const index = [0, 3, 3, 9, 5];
    const x = randomArray(sizeOf(shape), rng(46));
    await checkHalfVariant(device, frameGather(shape, index, { in: 'f32', out: 'f16' }), [{ values: x }, { values: frameGatherIndex(index) }],
      ([v]) => frameGatherRef(v as Float32Array, shape, index), { length: sizeOf(frameGatherShape(shape, index)), dtype: 'f16' });
  });
});
