import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPyTorchCheckpoint } from './pytorch.ts';

const golden = new URL('../../../shared/golden/', import.meta.url);
const read = (p: string) => new Uint8Array(readFileSync(new URL(p, golden)));

interface Manifest {
  state_dict: { key: string; shape: number[]; dtype: string }[];
}

describe('readPyTorchCheckpoint', () => {
  for (const fixture of ['slowfast_r50_w16_8x8_64px', 'slowfast_r50_w16_4x16_64px']) {
    it(`reads every key of ${fixture}/checkpoint.pyth (zip) with its manifest shape`, () => {
      const manifest = JSON.parse(readFileSync(new URL(`${fixture}/manifest.json`, golden), 'utf8')) as Manifest;
      const sd = readPyTorchCheckpoint(read(`${fixture}/checkpoint.pyth`));
      expect([...sd.keys()]).toEqual(manifest.state_dict.map((e) => e.key));
      for (const e of manifest.state_dict) {
        expect(sd.get(e.key)!.shape, e.key).toEqual(e.shape);
        expect(sd.get(e.key)!.data.length).toBe(e.shape.reduce((a, b) => a * b, 1));
      }
    });
  }

  it('reads the legacy (non-zip) checkpoint to the same tensors as the zip one', () => {
    const zip = readPyTorchCheckpoint(read('slowfast_r50_w16_8x8_64px/checkpoint.pyth'));
    const legacy = readPyTorchCheckpoint(read('slowfast_r50_w16_8x8_64px/checkpoint_legacy.pyth'));
    expect([...legacy.keys()]).toEqual([...zip.keys()]);
    for (const [k, t] of zip) {
      const other = legacy.get(k)!.data;
      expect(other.length, k).toBe(t.data.length);
      expect(t.data.every((v, i) => Object.is(v, other[i])), k).toBe(true);
    }
  });

  it('keeps dtypes: int64 num_batches_tracked (0 in the fixtures), float32 weights', () => {
    const sd = readPyTorchCheckpoint(read('slowfast_r50_w16_8x8_64px/checkpoint.pyth'));
    const tracked = sd.get('blocks.0.multipathway_blocks.0.norm.num_batches_tracked')!;
    expect(tracked.dtype).toBe('int64');
    expect(tracked.shape).toEqual([]);
    expect(Array.from(tracked.data)).toEqual([0]);
    expect(sd.get('blocks.6.proj.weight')!.dtype).toBe('float32');
  });
});
