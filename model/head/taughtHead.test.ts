// A taught head in the model on the GPU, against the golden pytorchvideo outputs: the features it reads are
// the golden pooled res5 features, its logits are the head applied to them on the CPU, the checkpoint's own
// logits still come out beside them, its class maps keep the CAM identity, and a head saved and loaded again
// gives the same logits to the bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { closeness, rng } from '../../kernels/compare.ts';
import { fetchShared, sharedF32 } from '../../kernels/fixtures.ts';
import { Classifier } from '../classifier.ts';
import { GOLDEN_FIXTURES, type GoldenFixture } from '../goldenFixtures.ts';
import { readPyTorchCheckpoint } from '../weights/pytorch.ts';
import { StateDictSource } from '../weights/weightSource.ts';
import { backboneIdentity, foldHead, readHeadFile, writeHeadFile, type CustomHead } from './customHead.ts';
import { headLogits, trainHead } from './train.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

const mean = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0) / x.length;

describe('a taught head on the GPU', () => {
  for (const fixture of Object.keys(GOLDEN_FIXTURES) as GoldenFixture[]) {
    it(`${fixture}: features, logits, the checkpoint's logits beside them, the CAM identity, and a saved head`, async () => {
      const dir = `golden/${fixture}`;
      const dict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
      const golden = { features: await sharedF32(`${dir}/intermediates/b5_poolconcat.bin`), logits: await sharedF32(`${dir}/logits.bin`) };
      // Three classes around the golden features, so the head has real weights.
      const r = rng(11);
      const examples = [0, 1, 2].flatMap((label) => Array.from({ length: 4 }, (_, t) => ({
        features: golden.features.map((f) => Math.max(0, f * (1 + label * 0.5) + 0.05 * (r() - 0.5))), label, group: `take ${t}`,
      })));
      const trained = await trainHead(['a', 'b', 'c'], examples, { epochs: 30 });
      const head: CustomHead = { ...trained, classNames: ['a', 'b', 'c'], backbone: await backboneIdentity(dict, GOLDEN_FIXTURES[fixture], fixture) };
      const inputs = { slow: await sharedF32(`${dir}/input_slow.bin`), fast: await sharedF32(`${dir}/input_fast.bin`) };
      const classifier = await Classifier.create(device, GOLDEN_FIXTURES[fixture], new StateDictSource(dict), { head, classMaps: 2 });
      expect(classifier.labels).toEqual(['a', 'b', 'c']);
      const out = await classifier.classify(inputs, 3);

      const f = closeness(out.features, golden.features, 1e-4, 1e-4 * Math.max(...golden.features.map(Math.abs)));
      expect(f.ok, `features: ${f.summary}`).toBe(true);
      const want = headLogits(head, out.features);
      const l = closeness(out.logits, want, 0, 1e-4 * Math.max(...want.map(Math.abs)));
      expect(l.ok, `logits: ${l.summary}`).toBe(true);
      expect(out.top.map((t) => t.label)).toEqual([...want.keys()].sort((a, b) => want[b] - want[a]).map((k) => head.classNames[k]));
      const b = closeness(out.base!.logits, golden.logits, 0, 1e-4 * Math.max(...golden.logits.map(Math.abs)));
      expect(b.ok, `checkpoint logits: ${b.summary}`).toBe(true);
      expect(out.base!.top).toHaveLength(3);

      // mean(map_slow) + mean(map_fast) + the folded bias = the taught head's logit.
      const folded = foldHead(head);
      const maps = out.maps!;
      const plane = { slow: maps.slow.length / 2, fast: maps.fast!.length / 2 };
      maps.classes.forEach((k, m) => {
        const cam = mean(maps.slow.subarray(m * plane.slow, (m + 1) * plane.slow)) + mean(maps.fast!.subarray(m * plane.fast, (m + 1) * plane.fast)) + folded.bias[k];
        expect(Math.abs(cam - out.logits[k])).toBeLessThan(1e-4 * Math.max(...out.logits.map(Math.abs)));
      });

      // Saved and loaded again: the same logits, to the bit.
      const reloaded = await readHeadFile(writeHeadFile(head));
      const again = await Classifier.create(device, GOLDEN_FIXTURES[fixture], new StateDictSource(dict), { head: reloaded, classMaps: 2 });
      expect(Array.from((await again.classify(inputs, 3)).logits)).toEqual(Array.from(out.logits));
      classifier.destroy();
      again.destroy();
    });
  }
});
