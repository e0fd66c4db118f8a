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
      const classifier = await Classifier.create(device, GOLDEN_FIXTURES[fixture], new StateDictSource(dict), { classMaps: 3 });
      const inputs = { slow: await sharedF32(`${dir}/input_slow.bin`), fast: await sharedF32(`${dir}/input_fast.bin`) };
      const goldenLogits = await sharedF32(`${dir}/logits.bin`);
      const res5 = { slow: await sharedF32(`${dir}/intermediates/b4_res5_slow.bin`), fast: await sharedF32(`${dir}/intermediates/b4_res5_fast.bin`) };
      const w = dict.get('blocks.6.proj.weight')!;
      const bias = dict.get('blocks.6.proj.bias')!.data;
      const [, features] = w.shape;
      const ranked = [...goldenLogits.keys()].sort((a, b) => goldenLogits[b] - goldenLogits[a]);
      const tolerance = 1e-4 * Math.max(...goldenLogits.map(Math.abs));
      // The top three by default; then three classes asked for, one far down the ranking; then one class asked
      // for, and the top two in the slots left.
      for (const asked of [undefined, [(ranked[0] + 17) % 400, ranked[399], ranked[0]], [ranked[399]]]) {
        const r = await classifier.classify(inputs, 5, { mapClasses: asked });
        const maps = r.maps!;
        expect(maps.classes).toEqual([...(asked ?? []), ...ranked].slice(0, 3));
        const plane = { slow: maps.slow.length / 3, fast: maps.fast!.length / 3 };
        const slowC = res5.slow.length / plane.slow;
        maps.classes.forEach((k, m) => {
          const ours = { slow: maps.slow.subarray(m * plane.slow, (m + 1) * plane.slow), fast: maps.fast!.subarray(m * plane.fast, (m + 1) * plane.fast) };
          const ref = {
            slow: classMapRef(res5.slow, slowC, w.data, features, k, 0),
            fast: classMapRef(res5.fast, res5.fast.length / plane.fast, w.data, features, k, slowC),
          };
          for (const pathway of ['slow', 'fast'] as const) {
            const c = closeness(ours[pathway], ref[pathway], 1e-4, 1e-6);
            expect(c.ok, `${pathway} map of class ${k}: ${c.summary}`).toBe(true);
          }
          // The identity, on the golden features and on ours.
          expect(Math.abs(mean(ref.slow) + mean(ref.fast) + bias[k] - goldenLogits[k])).toBeLessThan(tolerance);
          expect(Math.abs(mean(ours.slow) + mean(ours.fast) + bias[k] - r.logits[k])).toBeLessThan(tolerance);
        });
      }
      await expect(classifier.classify(inputs, 5, { mapClasses: [400, 0, 1] })).rejects.toThrow("class 400 is not one of the head's 400");
      classifier.destroy();
    });
  }
});
