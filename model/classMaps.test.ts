// Class activation maps against the golden pytorchvideo outputs: for each fixture, each pathway's map is the
// head's weights for the class applied to that pathway's golden res5 features, and — the head pools globally —
// the maps' means plus the bias are the logit (the CAM identity), for the top class and for any other.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../kernels/device.ts';
import { closeness } from '../kernels/compare.ts';
import { fetchShared, sharedF32 } from '../kernels/fixtures.ts';
import { classMapRef } from '../kernels/classMap/classMap.ref.ts';
import { Classifier } from './classifier.ts';
import { GOLDEN_FIXTURES, type GoldenFixture } from './goldenFixtures.ts';
import { readPyTorchCheckpoint } from './weights/pytorch.ts';
import { StateDictSource } from './weights/weightSource.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

const mean = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0) / x.length;

describe('class activation maps', () => {
  for (const fixture of Object.keys(GOLDEN_FIXTURES) as GoldenFixture[]) {
    it(`${fixture}: the maps are the head applied to the golden res5 features, and their means plus the bias are the logit`, async () => {
      const dir = `golden/${fixture}`;
      const dict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
      const classifier = await Classifier.create(device, GOLDEN_FIXTURES[fixture], new StateDictSource(dict), { classMaps: true });
      const inputs = { slow: await sharedF32(`${dir}/input_slow.bin`), fast: await sharedF32(`${dir}/input_fast.bin`) };
      const goldenLogits = await sharedF32(`${dir}/logits.bin`);
      const res5 = { slow: await sharedF32(`${dir}/intermediates/b4_res5_slow.bin`), fast: await sharedF32(`${dir}/intermediates/b4_res5_fast.bin`) };
      const w = dict.get('blocks.6.proj.weight')!;
      const bias = dict.get('blocks.6.proj.bias')!.data;
      const [, features] = w.shape;
      const top = goldenLogits.indexOf(Math.max(...goldenLogits));
      for (const asked of [undefined, (top + 17) % 400]) {
        const r = await classifier.classify(inputs, 5, { mapClass: asked });
        const k = asked ?? top;
        expect(r.maps!.classIndex).toBe(k);
        const slowC = res5.slow.length / r.maps!.slow.length;
        const ref = {
          slow: classMapRef(res5.slow, slowC, w.data, features, k, 0),
          fast: classMapRef(res5.fast, res5.fast.length / r.maps!.fast!.length, w.data, features, k, slowC),
        };
        for (const pathway of ['slow', 'fast'] as const) {
          const c = closeness(r.maps![pathway]!, ref[pathway], 1e-4, 1e-6);
          expect(c.ok, `${pathway} map of class ${k}: ${c.summary}`).toBe(true);
        }
        // The identity, on the golden features and on ours.
        const tolerance = 1e-4 * Math.max(...goldenLogits.map(Math.abs));
        expect(Math.abs(mean(ref.slow) + mean(ref.fast) + bias[k] - goldenLogits[k])).toBeLessThan(tolerance);
        expect(Math.abs(mean(r.maps!.slow) + mean(r.maps!.fast!) + bias[k] - r.logits[k])).toBeLessThan(tolerance);
      }
      await expect(classifier.classify(inputs, 5, { mapClass: 400 })).rejects.toThrow('class 400 is not one of the head\'s 400');
      classifier.destroy();
    });
  }
});
