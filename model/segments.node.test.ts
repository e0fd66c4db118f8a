import { describe, expect, it } from 'vitest';
import { clipSpans, combineProbabilities, segmentsOf, type ClipProbabilities } from './segments.ts';

/** 10 clips, 2 s long, 1 s apart (centres at 1 … 10 s), with these probabilities per class. */
function clips(perClass: number[][]): ClipProbabilities[] {
  return Array.from({ length: 10 }, (_, i) => ({ start: i, end: i + 2, probabilities: perClass.map((p) => p[i] ?? 0) }));
}
const labels = ['hysteresis', 'always', 'gap', 'blip', 'never'];
const series = [
  [0.1, 0.6, 0.7, 0.4, 0.35, 0.8, 0.2, 0.1, 0, 0],
  [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
  [0, 0.7, 0.7, 0.1, 0.7, 0.7, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0.9, 0, 0],
  [0.49, 0.45, 0.4, 0.49, 0.31, 0.49, 0.2, 0.49, 0.4, 0.45],
];

describe('segments', () => {
  it('each clip speaks for the time nearest its centre, and together they cover the clips once', () => {
    const spans = clipSpans(clips([[]]));
    expect(spans[0]).toEqual({ from: 0, to: 1.5 });
    expect(spans[4]).toEqual({ from: 4.5, to: 5.5 });
    expect(spans[9]).toEqual({ from: 9.5, to: 11 });
  });

  it('opens at the enter threshold and stays open down to the exit threshold (a dip below enter does not split it)', () => {
    const s = segmentsOf(clips(series), labels).filter((x) => x.index === 0);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ label: 'hysteresis', start: 1.5, end: 6.5, peak: 0.8 });
    expect(s[0].mean).toBeCloseTo((0.6 + 0.7 + 0.4 + 0.35 + 0.8) / 5, 6);
  });

  it('a class on from the first clip to the last covers the whole video, edges included', () => {
    expect(segmentsOf(clips(series), labels).filter((x) => x.index === 1).map((x) => [x.start, x.end])).toEqual([[0, 11]]);
  });

  it('merges a gap shorter than the minimum duration, and keeps longer gaps apart', () => {
    const merged = segmentsOf(clips(series), labels, { minDuration: 1.5 }).filter((x) => x.index === 2);
    expect(merged.map((x) => [x.start, x.end])).toEqual([[1.5, 6.5]]);
    const apart = segmentsOf(clips(series), labels, { minDuration: 0.5 }).filter((x) => x.index === 2);
    expect(apart.map((x) => [x.start, x.end])).toEqual([[1.5, 3.5], [4.5, 6.5]]);
  });

  it('drops a segment shorter than the minimum duration', () => {
    expect(segmentsOf(clips(series), labels, { minDuration: 1.5 }).filter((x) => x.index === 3)).toEqual([]);
    expect(segmentsOf(clips(series), labels, { minDuration: 1 }).filter((x) => x.index === 3).map((x) => [x.start, x.end])).toEqual([[7.5, 8.5]]);
  });

  it('gives nothing for a class that never reaches the enter threshold, however long it stays above exit', () => {
    expect(segmentsOf(clips(series), labels).filter((x) => x.index === 4)).toEqual([]);
  });

  it('lists segments in time order, and refuses an exit threshold above the enter one', () => {
    const all = segmentsOf(clips(series), labels);
    expect(all.map((x) => x.start)).toEqual([...all.map((x) => x.start)].sort((a, b) => a - b));
    expect(segmentsOf([], labels)).toEqual([]);
    expect(() => segmentsOf(clips(series), labels, { enter: 0.3, exit: 0.5 })).toThrow('the exit threshold (0.5) must not exceed the enter threshold (0.3)');
  });
});

describe('the whole-video verdict', () => {
  const vectors = [Float32Array.of(0.2, 0.8), Float32Array.of(0.6, 0.4), Float32Array.of(0.1, 0.9)];
  it('is the mean of the clips for a single-label head', () => {
    const v = combineProbabilities(vectors, 2, false);
    expect(v[0]).toBeCloseTo(0.3, 6);
    expect(v[1]).toBeCloseTo(0.7, 6);
  });
  it('is the max of the clips for a multi-label head', () => {
    expect(Array.from(combineProbabilities(vectors, 2, true))).toEqual([Math.fround(0.6), Math.fround(0.9)]);
  });
});
