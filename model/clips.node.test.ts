import { describe, expect, it } from 'vitest';
import { clipDuration, clipFrameRate, clipFrames, clipWindows, evenlySpacedWindows, pickFrames } from './clips.ts';
import { PRESETS } from './slowfast.ts';

describe('clip scheduling by timestamp', () => {
  it('spans 64 frames of 30 fps video (≈2.13 s) for the 8×8 and 4×16 presets, 128 (≈4.27 s) for 16×8', () => {
    for (const [name, p] of Object.entries(PRESETS)) expect(clipDuration(p), name).toBeCloseTo((name.includes('16x8') ? 128 : 64) / 30, 6);
  });

  it('counts a clip\'s frames and their rate: the Fast pathway\'s, or the Slow-only baseline\'s one pathway', () => {
    expect(clipFrames(PRESETS.slowfast_r50_8x8)).toBe(32);
    expect(clipFrameRate(PRESETS.slowfast_r50_8x8)).toBeCloseTo(15, 9);
    expect(clipFrameRate(PRESETS.slowfast_r50_4x16)).toBeCloseTo(15, 9);
    expect(clipFrames(PRESETS.slow_r50_8x8)).toBe(8);
    expect(clipFrameRate(PRESETS.slow_r50_8x8)).toBeCloseTo(3.75, 9);
  });

  it('lays windows every second and ends the last at the end of the video', () => {
    const round = (ws: { start: number; end: number }[]) => ws.map((w) => [+w.start.toFixed(6), +w.end.toFixed(6)]);
    expect(round(clipWindows(3.16, 2.0, 1))).toEqual([[0, 2], [1, 3], [1.16, 3.16]]);
    expect(clipWindows(4, 2, 1)).toEqual([{ start: 0, end: 2 }, { start: 1, end: 3 }, { start: 2, end: 4 }]);
    expect(clipWindows(1.5, 2.13, 1)).toEqual([{ start: 0, end: 1.5 }]);
    expect(clipWindows(0, 2, 1)).toEqual([]);
  });

  it('takes the same span from 25, 30 and 60 fps sources', () => {
    const window = { start: 0, end: 64 / 30 };
    for (const fps of [25, 30, 60]) {
      const timestamps = Array.from({ length: fps * 4 }, (_, i) => i / fps);
      const picks = pickFrames(timestamps, window, 32);
      expect(picks).toHaveLength(32);
      // First and last picked frames lie at the clip's ends, whatever the rate.
      expect(timestamps[picks[0]]).toBe(0);
      expect(timestamps[picks[31]]).toBeGreaterThan(window.end - 1.5 / fps);
      expect(timestamps[picks[31]]).toBeLessThan(window.end);
    }
    // At 30 fps that is exactly every second frame, as in Kinetics training.
    const at30 = pickFrames(Array.from({ length: 120 }, (_, i) => i / 30), window, 32);
    expect(at30).toEqual(Array.from({ length: 32 }, (_, i) => Math.trunc((i * 63) / 31 + 1e-9)));
  });

  it('repeats frames of a clip shorter than T', () => {
    const timestamps = [0, 0.1, 0.2, 0.3];
    // torch.linspace(0, 3, 8).long() = [0, 0, 0, 1, 1, 2, 2, 3]
    expect(pickFrames(timestamps, { start: 0, end: 0.4 }, 8)).toEqual([0, 0, 0, 1, 1, 2, 2, 3]);
  });
});

describe('evenlySpacedWindows (the paper\'s test protocol)', () => {
  it('starts the i-th of n clips at i/n of the slack, as PySlowFast samples its test clips', () => {
    const w = evenlySpacedWindows(12, 2, 10);
    expect(w).toHaveLength(10);
    expect(w.map((x) => x.start)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(w.every((x) => Math.abs(x.end - x.start - 2) < 1e-9)).toBe(true);
  });
  it('gives one window over a video no longer than a clip, and none for an empty one', () => {
    expect(evenlySpacedWindows(1.5, 2, 10)).toEqual([{ start: 0, end: 1.5 }]);
    expect(evenlySpacedWindows(0, 2, 10)).toEqual([]);
  });
});
