// The head trainer on the golden model's pooled features: its gradient on the GPU and on the CPU give the
// head a plain f64 reference trainer gives (same examples, same split), the loss falls, and held-out takes of
// three made-up actions are told apart.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { closeness, randomArray, rng } from '../../kernels/compare.ts';
import { sharedF32 } from '../../kernels/fixtures.ts';
import { GOLDEN_FIXTURES, type GoldenFixture } from '../goldenFixtures.ts';
import { gpuGradient } from './gpuGradient.ts';
import { cpuGradient, splitTakes, trainHead, type Example } from './train.ts';
import { trainHeadRef } from './train.ref.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

const CLASSES = ['squat', 'lunge', 'nothing'];

/**
 * Examples around a golden clip's features: each class moves them along its own direction, each take adds its
 * own offset, each view a little noise — as takes of one action vary more than the views of one take.
 */
function examplesAround(golden: Float32Array, seed: number, takes: number, views = 2): Example[] {
  const r = rng(seed);
  const scale = Math.max(...golden.map(Math.abs));
  const directions = CLASSES.map(() => randomArray(golden.length, r, -0.5 * scale, 0.5 * scale));
  const out: Example[] = [];
  CLASSES.forEach((_, k) => {
    for (let t = 0; t < takes; t++) {
      const take = randomArray(golden.length, r, -0.3 * scale, 0.3 * scale);
      for (let v = 0; v < views; v++) {
        const noise = randomArray(golden.length, r, -0.1 * scale, 0.1 * scale);
        out.push({ features: golden.map((g, j) => Math.max(0, g + directions[k][j] + take[j] + noise[j])), label: k, group: `take ${t}` });
      }
    }
  });
  return out;
}

describe('teaching a head', () => {
  for (const fixture of Object.keys(GOLDEN_FIXTURES) as GoldenFixture[]) {
    it(`${fixture}: GPU and CPU gradients train the head the f64 reference trains`, async () => {
      const golden = await sharedF32(`golden/${fixture}/intermediates/b5_poolconcat.bin`);
      const examples = examplesAround(golden, 5, 6);
      const options = { seed: 3, epochs: 40, decay: 1e-3 };
      const split = splitTakes(CLASSES.length, examples, options.seed);
      expect(split.method).toBe('held-out');
      const training = examples.filter((_, i) => split.fold[i] !== 0);
      const ref = trainHeadRef(training.map((e) => e.features), training.map((e) => e.label), CLASSES.length, options);
      const refWeight = Float32Array.from(ref.weight.flat());
      for (const gradient of [cpuGradient, gpuGradient(device)]) {
        const head = await trainHead(CLASSES, examples, { ...options, gradient });
        expect(head.trainedOn).toBe(training.length);
        const tolerance = 1e-4 * Math.max(...refWeight.map(Math.abs));
        const w = closeness(head.weight, refWeight, 0, tolerance);
        expect(w.ok, `${gradient.name} weight: ${w.summary}`).toBe(true);
        const b = closeness(head.bias, Float32Array.from(ref.bias), 0, tolerance);
        expect(b.ok, `${gradient.name} bias: ${b.summary}`).toBe(true);
        // Each epoch's loss is the reference's (the GPU's from its f32 probabilities).
        head.curve.forEach((p, i) => expect(p.loss).toBeCloseTo(ref.losses[i], 3));
      }
    });
  }

  it('the loss falls and held-out takes are labelled right', async () => {
    const golden = await sharedF32('golden/slowfast_r50_w16_8x8_64px/intermediates/b5_poolconcat.bin');
    const head = await trainHead(CLASSES, examplesAround(golden, 9, 10), { gradient: gpuGradient(device) });
    const losses = head.curve.map((p) => p.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 10);
    // Falls all the way: no later loss above an earlier one by more than a restart's overshoot.
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(Math.min(...losses.slice(0, i)) * 1.05);
    expect(head.evaluation.method).toBe('held-out');
    expect(head.evaluation.graded).toBe(3 * 2 * 2);
    expect(head.evaluation.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(head.curve.at(-1)!.heldOutAccuracy).toBe(head.evaluation.accuracy);
  });
});
