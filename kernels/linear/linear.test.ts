import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness, randInt, randomArray, rng } from '../compare.ts';
import { packF16, roundToF16 } from '../f16.ts';
import { runKernel } from '../runKernel.ts';
import { linear, linearShape } from './linear.ts';
import { linearRef } from './linear.ref.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('linear', () => {
  const random = rng(20);
  const cases: [number, number, number][] = Array.from({ length: 20 }, () => [randInt(random, 1, 4), randInt(random, 1, 300), randInt(random, 1, 70)]);
  // The SlowFast R50 head at full width (2304 → 400) and at quarter width (576 → 400).
  cases.push([1, 2304, 400], [3, 576, 400]);
  for (const [i, [n, inF, outF]] of cases.entries()) {
    for (const f16 of [false, true]) {
      it(`(${n}, ${inF}) → ${outF}${f16 ? ', f16 weights' : ''}`, async () => {
        const r = rng(i);
        const x = randomArray(n * inF, r);
        const w = randomArray(outF * inF, r);
        const b = randomArray(outF, r);
        const desc = linear([n, 1, 1, 1, inF], [outF, inF], { weightFormat: f16 ? 'f16' : 'f32' });
        const [y] = await runKernel(device, desc, [x, f16 ? packF16(w) : w, b], [n * outF]);
        const c = closeness(y, linearRef(x, n, f16 ? roundToF16(w) : w, outF, b), 1e-4, 1e-6);
        expect(c.ok, c.summary).toBe(true);
      });
    }
  }

  it('names the op and dims on a feature mismatch', () => {
    expect(() => linearShape([1, 576], [400, 2304])).toThrow('linear: input [1, 576] has 576 features, weight [400, 2304] expects 2304');
  });
});
