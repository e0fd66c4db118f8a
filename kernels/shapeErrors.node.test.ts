// Shape inference runs without a GPU: every op names itself and the offending dims on bad shapes.
import { describe, expect, it } from 'vitest';
import { ShapeError, splitDispatch } from './kernel.ts';
import { addShape } from './add/add.ts';
import { avgPool3dShape } from './avgPool3d/avgPool3d.ts';
import { batchNorm3d } from './batchNorm3d/batchNorm3d.ts';
import { concatShape } from './concat/concat.ts';
import { conv3dShape } from './conv3d/conv3d.ts';
import { linearShape } from './linear/linear.ts';
import { maxPool3dShape } from './maxPool3d/maxPool3d.ts';
import { preprocess, preprocessGeometry } from './preprocess/preprocess.ts';
import { softmax } from './softmax/softmax.ts';
import { timeStridedSampleShape } from './timeStridedSample/timeStridedSample.ts';
import { timeToChannelShape } from './timeToChannel/timeToChannel.ts';

describe('shape inference errors', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['add', () => addShape([1, 2, 3, 4, 5], [1, 2, 3, 4, 6]), /^add: shapes differ: \[1, 2, 3, 4, 5\] and \[1, 2, 3, 4, 6\]$/],
    ['avgPool3d', () => avgPool3dShape([1, 2, 4, 4], { kernel: [1, 2, 2] }), /^avgPool3d: input must have rank 5, got \[1, 2, 4, 4\]$/],
    ['avgPool3d window', () => avgPool3dShape([1, 2, 4, 1, 4], { kernel: [1, 2, 2] }), /^avgPool3d: H: input 1 with kernel 2/],
    ['batchNorm3d', () => batchNorm3d([1, 0, 2, 2, 2], { eps: 1e-5 }), /^batchNorm3d: input has a non-positive or fractional dim: \[1, 0, 2, 2, 2\]$/],
    ['concat', () => concatShape([1, 2, 3, 4, 5], [2, 2, 3, 4, 5]), /^concat: all dims but channels must match: \[1, 2, 3, 4, 5\] and \[2, 2, 3, 4, 5\]$/],
    ['conv3d', () => conv3dShape([1, 3, 4, 8, 8], [8, 4, 1, 3, 3], { kernel: [1, 3, 3] }), /^conv3d: weight \[8, 4, 1, 3, 3\] expects 4 input channels, input \[1, 3, 4, 8, 8\] has 3$/],
    ['linear', () => linearShape([2, 10], [3, 11]), /^linear: input \[2, 10\] has 10 features, weight \[3, 11\] expects 11$/],
    ['maxPool3d', () => maxPool3dShape([1, 1, 4, 4, 4], { kernel: [1, 3, 3], stride: [1, 0, 1] }), /^maxPool3d: bad stride \[1, 0, 1\]$/],
    ['preprocess', () => preprocessGeometry(0, 10, 64), /^preprocess: bad frame 0×10 or size 64$/],
    ['preprocess slot', () => preprocess({ width: 8, height: 8, size: 4, clip: 0, frames: 4, t: 4 }), /^preprocess: frame 4 of 4, clip 0 is out of range$/],
    ['softmax', () => softmax([3, 0]), /^softmax: bad input \[3, 0\]$/],
    ['timeStridedSample', () => timeStridedSampleShape([1, 2, 8, 3], 4), /^timeStridedSample: input must have rank 5/],
    ['timeToChannel', () => timeToChannelShape([1, 2, 6, 3, 3], 4), /^timeToChannel: input frames 6 of \[1, 2, 6, 3, 3\] are not a multiple of alpha 4$/],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(ShapeError);
      expect(fn).toThrow(message);
    });
  }
});

describe('splitDispatch', () => {
  it('keeps every dimension within 65,535 and covers the count', () => {
    for (const n of [1, 65535, 65536, 1_000_000, 65535 * 65535 + 1]) {
      const [x, y, z] = splitDispatch(n);
      expect(Math.max(x, y, z)).toBeLessThanOrEqual(65535);
      expect(x * y * z).toBeGreaterThanOrEqual(n);
      expect(x * y * z - n).toBeLessThan(x * y);
    }
  });
});
