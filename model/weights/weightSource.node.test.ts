import { describe, expect, it } from 'vitest';
import { StateDictSource, WeightError } from './weightSource.ts';
import type { StateDict } from './stateDict.ts';

const t = (shape: number[]) => ({ shape, dtype: 'float32' as const, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

describe('StateDictSource', () => {
  it('reports every missing, misshapen and unexpected weight by its real name, at once', () => {
    const dict: StateDict = new Map([
      ['blocks.0.conv.weight', t([8, 3, 1, 7, 7])],
      ['blocks.6.proj.weight', t([400, 2304])],
      ['extra.weight', t([1])],
      ['blocks.0.norm.num_batches_tracked', t([])],
    ]);
    const src = new StateDictSource(dict);
    src.get('blocks.0.conv.weight', [64, 3, 1, 7, 7]);
    src.get('blocks.6.proj.weight', [400, 2304]);
    src.get('blocks.6.proj.bias', [400]);
    expect(() => src.finish()).toThrow(WeightError);
    try {
      src.finish();
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toContain('missing 1: blocks.6.proj.bias [400]');
      expect(m).toContain('wrong shape 1: blocks.0.conv.weight: checkpoint has [8, 3, 1, 7, 7], model needs [64, 3, 1, 7, 7]');
      expect(m).toContain('unexpected 1: extra.weight');
      expect(m).not.toContain('num_batches_tracked');
    }
  });
});
