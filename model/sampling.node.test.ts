import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gatherSlow, slowFrameIndices } from './sampling.ts';

describe('slowFrameIndices', () => {
  it('follows torch.linspace truncation, as in the golden README', () => {
    expect(slowFrameIndices(32, 4)).toEqual([0, 4, 8, 13, 17, 22, 26, 31]);
    expect(slowFrameIndices(32, 8)).toEqual([0, 10, 20, 31]);
    expect(slowFrameIndices(8, 1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  for (const [fixture, alpha] of [['slowfast_r50_w16_8x8_64px', 4], ['slowfast_r50_w16_4x16_64px', 8]] as const) {
    it(`gives the golden ${fixture} slow indices`, () => {
      const manifest = JSON.parse(readFileSync(new URL(`../../shared/golden/${fixture}/manifest.json`, import.meta.url), 'utf8'));
      expect(slowFrameIndices(manifest.input.num_fast_frames, alpha)).toEqual(manifest.input.slow_indices_into_fast);
    });
  }
});

describe('gatherSlow', () => {
  it('takes the chosen frames of every channel', () => {
    const T = 8, H = 1, W = 2;
    const fast = Float32Array.from({ length: 3 * T * H * W }, (_, i) => i);
    const slow = gatherSlow(fast, T, 4, H, W);
    // frames [0, 7] of channels 0..2: each frame is 2 values
    expect(Array.from(slow)).toEqual([0, 1, 14, 15, 16, 17, 30, 31, 32, 33, 46, 47]);
  });
});
