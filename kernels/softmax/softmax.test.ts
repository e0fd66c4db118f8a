import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, hasSubgroups } from '../device.ts';
import { closeness, randInt, randomArray, rng } from '../compare.ts';
import { expectSubgroupsRefused } from '../missingFeature.ts';
import { runKernel } from '../runKernel.ts';
import { softmax } from './softmax.ts';
import { softmaxRef } from './softmax.ref.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('softmax', () => {
  const random = rng(21);
  const cases: [number, number][] = Array.from({ length: 20 }, () => [randInt(random, 1, 5), randInt(random, 1, 1000)]);
  cases.push([1, 400], [30, 400], [1, 1]);
  for (const subgroups of [false, true]) {
    for (const [i, [rows, length]] of cases.entries()) {
      it(`${rows} × ${length}${subgroups ? ', subgroups' : ''}`, async () => {
        // SwiftShader has subgroups; Firefox's WebGPU has none, and must never be asked to use them.
        if (subgroups && !hasSubgroups(device)) return expectSubgroupsRefused(device, softmax([rows, length], { subgroups }));
        // Logits as large as the golden model's (~1e2), where a softmax without the max shift overflows.
        const x = randomArray(rows * length, rng(i), -120, 120);
        const [y] = await runKernel(device, softmax([rows, length], { subgroups }), [x], [x.length]);
        const c = closeness(y, softmaxRef(x, length), 1e-5, 1e-7);
        expect(c.ok, c.summary).toBe(true);
      });
    }
  }
});
