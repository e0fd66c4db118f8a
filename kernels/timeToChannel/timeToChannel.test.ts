import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { randInt, randomArray, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { sharedF32 } from '../fixtures.ts';
import { add } from '../add/add.ts';
import { concat } from '../concat/concat.ts';
import { timeToChannel, timeToChannelShape, type TimeToChannelOrder } from './timeToChannel.ts';
import { timeToChannelRef } from './timeToChannel.ref.ts';
import { checkHalfVariant } from '../missingFeature.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

const LV = 'golden/lateral_variants';
const X = [1, 4, 8, 3, 3]; // fast feature (N, βC, αT, H, W)
const Y = [1, 16, 2, 3, 3]; // slow feature (N, C, T, H, W)

describe('timeToChannel', () => {
  const random = rng(18);
  for (let i = 0; i < 20; i++) {
    const alpha = randInt(random, 1, 8);
    const shape = [randInt(random, 1, 2), randInt(random, 1, 6), alpha * randInt(random, 1, 4), randInt(random, 1, 7), randInt(random, 1, 7)];
    const order: TimeToChannelOrder = i % 2 ? 'channel-major' : 'frame-major';
    it(`${JSON.stringify(shape)} α=${alpha} ${order}`, async () => {
      const x = randomArray(sizeOf(shape), rng(i));
      const [y] = await runKernel(device, timeToChannel(shape, alpha, order), [x], [x.length]);
      expect(Array.from(y)).toEqual(Array.from(timeToChannelRef(x, shape, alpha, order)));
    });
  }

  it('names the op and dims when frames are not a multiple of alpha', () => {
    expect(() => timeToChannelShape([1, 2, 6, 3, 3], 4)).toThrow('timeToChannel: input frames 6 of [1, 2, 6, 3, 3] are not a multiple of alpha 4');
  });

  for (const [order, name] of [['frame-major', 'ttoc'], ['channel-major', 'ttoc_channel_major']] as const) {
    it(`reproduces golden lateral_variants ${name} (alone, concatenated, summed)`, async () => {
      const x = await sharedF32(`${LV}/input_x_fast.bin`);
      const ySlow = await sharedF32(`${LV}/input_y_slow.bin`);
      const [packed] = await runKernel(device, timeToChannel(X, 4, order), [x], [288]);
      const alone = await sharedF32(`${LV}/${order === 'frame-major' ? 'ttoc_frame_major' : 'ttoc_channel_major'}.bin`);
      expect(Array.from(packed)).toEqual(Array.from(alone));
      const [cat] = await runKernel(device, concat(Y, timeToChannelShape(X, 4)), [ySlow, packed], [576]);
      expect(Array.from(cat)).toEqual(Array.from(await sharedF32(`${LV}/${name}_concat.bin`)));
      const [sum] = await runKernel(device, add(Y, timeToChannelShape(X, 4)), [ySlow, packed], [288]);
      expect(Array.from(sum)).toEqual(Array.from(await sharedF32(`${LV}/${name}_sum.bin`)));
    });
  }

  it('f16: stored as f16 in and out (where the device has shader-f16; refused where it has not)', async () => {
    const shape = [1, 3, 8, 5, 6];
    const x = randomArray(sizeOf(shape), rng(45));
    await checkHalfVariant(device, timeToChannel(shape, 4, 'frame-major', { in: 'f16', out: 'f16' }), [{ values: x, half: true }],
      ([v]) => timeToChannelRef(v as Float32Array, shape, 4, 'frame-major'), { length: x.length, dtype: 'f16' });
  });
});
