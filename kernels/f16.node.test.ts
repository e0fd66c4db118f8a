import { describe, expect, it } from 'vitest';
import { randomArray, rng } from './compare.ts';
import { packF16, roundToF16, unpackF16 } from './f16.ts';

describe('unpackF16', () => {
  it('gives back the f16-rounded values packF16 packed, odd counts included', () => {
    for (const n of [1, 2, 7, 64, 101]) {
      const values = randomArray(n, rng(n), -70000, 70000);
      values[0] = -0.0001; // a subnormal half
      expect(Array.from(unpackF16(packF16(values), n))).toEqual(Array.from(roundToF16(values)));
    }
  });
});
