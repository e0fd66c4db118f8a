// The zoo's default comparison partners: the paper's Slow beside SlowFast, within a dataset.
import { describe, expect, it } from 'vitest';
import { comparisonPartner, findZooModel, ZOO } from './zoo.ts';

const partnerOf = (name: string) => comparisonPartner(findZooModel(name)!)?.name;

describe('comparisonPartner', () => {
  it('pairs each SlowFast with the Slow-only model of its frames, and back', () => {
    expect(partnerOf('SLOWFAST_8x8_R50')).toBe('SLOW_8x8_R50');
    expect(partnerOf('SLOW_8x8_R50')).toBe('SLOWFAST_8x8_R50');
    expect(partnerOf('SLOWFAST_4x16_R50')).toBe('SLOW_4x16_R50');
    expect(partnerOf('SLOW_4x16_R50')).toBe('SLOWFAST_4x16_R50');
    expect(partnerOf('SLOWFAST_8x8_R101')).toBe('SLOW_8x8_R50');
    expect(partnerOf('ssv2/SLOWFAST_8x8_R50')).toBe('ssv2/SLOW_8x8_R50');
    expect(partnerOf('charades/SLOW_8x8_R50')).toBe('charades/SLOWFAST_8x8_R50');
  });

  it('stays within the label set: every partner has the same classes and the other pathway', () => {
    for (const m of ZOO) {
      const p = comparisonPartner(m)!;
      expect(p.classes).toBe(m.classes);
      expect(p.preset.startsWith('slow_')).not.toBe(m.preset.startsWith('slow_'));
    }
  });
});
