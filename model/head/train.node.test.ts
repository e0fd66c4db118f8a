import { describe, expect, it } from 'vitest';
import { randomArray, rng } from '../../kernels/compare.ts';
import { checkExamples, splitTakes, trainHead, TrainingError, type Example } from './train.ts';

const example = (label: number, group: string, d = 4, seed = 1): Example => ({ features: randomArray(d, rng(seed)), label, group });

describe('checkExamples', () => {
  it('needs two classes, each with an example', () => {
    expect(() => checkExamples(['squat'], [example(0, 'a')])).toThrow(TrainingError);
    expect(() => checkExamples(['squat', 'lunge', 'nothing'], [example(0, 'a'), example(2, 'b')])).toThrow('"lunge" has no examples yet: record a take or add a clip for it');
    expect(() => checkExamples(['squat', 'lunge', 'nothing'], [example(0, 'a')])).toThrow('"lunge", "nothing" have no examples yet');
  });
  it('refuses features of two sizes (examples from another model)', () => {
    expect(() => checkExamples(['a', 'b'], [example(0, 'x', 4), example(1, 'y', 5)])).toThrow('from different models');
  });
});

describe('splitTakes', () => {
  const takes = (perClass: number[], views = 3) => perClass.flatMap((n, k) => Array.from({ length: n * views }, (_, i) => example(k, `take ${Math.floor(i / views)}`)));
  it('holds out a fifth of each class\'s takes when there are five or more, keeping each take whole', () => {
    const examples = takes([5, 10]);
    const s = splitTakes(2, examples, 1);
    expect(s.method).toBe('held-out');
    const held = examples.filter((_, i) => s.fold[i] === 0);
    expect(new Set(held.filter((e) => e.label === 0).map((e) => e.group)).size).toBe(1);
    expect(new Set(held.filter((e) => e.label === 1).map((e) => e.group)).size).toBe(2);
    for (const e of examples) expect(new Set(examples.map((x, i) => (x.group === e.group && x.label === e.label ? s.fold[i] : -1)).values()).size).toBeLessThanOrEqual(2);
  });
  it('deals the takes into k folds when there are fewer, and grades nothing with one take of a class', () => {
    const s = splitTakes(2, takes([3, 4]), 1);
    expect(s).toMatchObject({ method: 'k-fold', folds: 3 });
    expect(splitTakes(2, takes([1, 4]), 1).method).toBe('none');
  });
  it('is the same split for the same seed, and another for another', () => {
    const examples = takes([8, 8], 1);
    expect(splitTakes(2, examples, 4).fold).toEqual(splitTakes(2, examples, 4).fold);
    expect([1, 2, 3, 5, 6].some((seed) => splitTakes(2, examples, seed).fold.join() !== splitTakes(2, examples, 4).fold.join())).toBe(true);
  });
});

describe('trainHead', () => {
  it('k-fold: grades every example once, then trains on all', async () => {
    // Two classes, clearly apart in feature 0.
    const examples = Array.from({ length: 12 }, (_, i) => ({ features: Float32Array.of(i % 2 ? 3 : -3, (i * 7) % 5, 1), label: i % 2, group: `take ${Math.floor(i / 4)}` }));
    const head = await trainHead(['left', 'right'], examples, { epochs: 50 });
    expect(head.evaluation).toEqual({ method: 'k-fold', accuracy: 1, graded: 12, folds: 3 });
    expect(head.trainedOn).toBe(12);
    // A feature that never varies is scaled by 1, not divided by zero.
    expect(head.featureStd[2]).toBe(1);
  });
});
