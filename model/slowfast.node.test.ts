// Building the graph needs no GPU: shapes and parameter counts are checked here, in Node.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESETS, buildSlowFast, type LateralKind, type PresetName } from './slowfast.ts';
import type { WeightSource } from './weights/weightSource.ts';

/** Records every parameter the builder asks for, with its shape. */
class ShapeRecorder implements WeightSource {
  readonly shapes = new Map<string, number[]>();
  get(name: string, shape: readonly number[]) {
    this.shapes.set(name, [...shape]);
    return new Float32Array(shape.reduce((a, b) => a * b, 1));
  }
  finish() {}
}

const keymap = readFileSync(new URL('../../shared/golden/KEYMAP.md', import.meta.url), 'utf8');
const fullR50 = new Map(
  [...keymap.matchAll(/^\| \d+ \| `([^`]+)` \| `[^`]+` \| \[([\d, ]*)\] \|/gm)]
    .filter((m) => !m[1].endsWith('num_batches_tracked'))
    .map((m) => [m[1], m[2].split(',').map(Number)]),
);

describe('buildSlowFast', () => {
  it('asks for exactly the 34,566,488 parameters of pytorchvideo slowfast_r50, with KEYMAP shapes', () => {
    const rec = new ShapeRecorder();
    const model = buildSlowFast(PRESETS.slowfast_r50_8x8, rec);
    expect(rec.shapes).toEqual(fullR50);
    // The KEYMAP counts parameters only (BN running statistics are buffers).
    const params = [...rec.shapes].filter(([k]) => !/running_(mean|var)$/.test(k)).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0);
    expect(params).toBe(34_566_488);
    expect(model.graph.shape(model.taps.get('b6_head')!.tensor)).toEqual([1, 400]);
    expect(model.graph.shape(model.taps.get('b4_res5_slow')!.tensor)).toEqual([1, 2048, 8, 7, 7]);
    expect(model.graph.shape(model.taps.get('b4_res5_fast')!.tensor)).toEqual([1, 256, 32, 7, 7]);
    expect(model.graph.shape(model.taps.get('b5_poolconcat')!.tensor)).toEqual([1, 2304, 1, 1, 1]);
  });

  const presetShapes: Record<PresetName, { slow: number[]; res5: number[] }> = {
    slowfast_r50_8x8: { slow: [1, 3, 8, 224, 224], res5: [1, 2048, 8, 7, 7] },
    slowfast_r50_4x16: { slow: [1, 3, 4, 224, 224], res5: [1, 2048, 4, 7, 7] },
    slowfast_r101_8x8: { slow: [1, 3, 8, 224, 224], res5: [1, 2048, 8, 7, 7] },
    slowfast_r101_16x8: { slow: [1, 3, 16, 224, 224], res5: [1, 2048, 16, 7, 7] },
    slow_r50_8x8: { slow: [1, 3, 8, 224, 224], res5: [1, 2048, 8, 7, 7] },
    slow_r50_4x16: { slow: [1, 3, 4, 224, 224], res5: [1, 2048, 4, 7, 7] },
  };
  for (const [name, expected] of Object.entries(presetShapes)) {
    it(`preset ${name} builds with the paper's shapes`, () => {
      const model = buildSlowFast(PRESETS[name as PresetName], new ShapeRecorder());
      expect(model.inputShapes.slow).toEqual(expected.slow);
      const res5 = model.taps.get(name.startsWith('slow_') ? 'b4_res5' : 'b4_res5_slow')!;
      expect(model.graph.shape(res5.tensor)).toEqual(expected.res5);
      expect(model.graph.outputs.has('logits')).toBe(true);
    });
  }

  // Parameters (M) of each Kinetics-400 architecture in pytorchvideo's model zoo table (docs/source/model_zoo.md).
  const zooParameters: [PresetName, number][] = [
    ['slow_r50_4x16', 32.45], ['slow_r50_8x8', 32.45], ['slowfast_r50_4x16', 34.48], ['slowfast_r50_8x8', 34.57],
    ['slowfast_r101_8x8', 62.83], ['slowfast_r101_16x8', 53.77],
  ];
  for (const [name, millions] of zooParameters) {
    it(`preset ${name} has the zoo's ${millions}M parameters`, () => {
      const rec = new ShapeRecorder();
      buildSlowFast(PRESETS[name], rec);
      const params = [...rec.shapes].filter(([k]) => !/running_(mean|var)$/.test(k)).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0);
      expect(Math.round(params / 1e4) / 100).toBe(millions);
    });
  }

  it('16×8 R101 50_50: 3×1×1 conv_a in the first 6 res4 blocks of both pathways, 1×1×1 in the other 17', () => {
    const rec = new ShapeRecorder();
    buildSlowFast(PRESETS.slowfast_r101_16x8, rec);
    const convA = (p: number, i: number) => rec.shapes.get(`blocks.3.multipathway_blocks.${p}.res_blocks.${i}.branch2.conv_a.weight`)![2];
    for (const p of [0, 1]) {
      expect(Array.from({ length: 23 }, (_, i) => convA(p, i))).toEqual([...new Array(6).fill(3), ...new Array(17).fill(1)]);
    }
    expect(rec.shapes.get('blocks.4.multipathway_blocks.0.res_blocks.0.branch2.conv_a.weight')![2]).toBe(3);
    expect(rec.shapes.get('blocks.1.multipathway_blocks.0.res_blocks.0.branch2.conv_a.weight')![2]).toBe(1);
    expect(rec.shapes.get('blocks.1.multipathway_blocks.1.res_blocks.0.branch2.conv_a.weight')![2]).toBe(3);
    expect(rec.shapes.get('blocks.0.multipathway_fusion.conv_fast_to_slow.weight')).toEqual([16, 8, 5, 1, 1]);
  });

  it('R101 has 23 res4 blocks per pathway', () => {
    const rec = new ShapeRecorder();
    buildSlowFast(PRESETS.slowfast_r101_8x8, rec);
    expect(rec.shapes.has('blocks.3.multipathway_blocks.0.res_blocks.22.branch2.conv_c.weight')).toBe(true);
    expect(rec.shapes.has('blocks.3.multipathway_blocks.0.res_blocks.23.branch2.conv_c.weight')).toBe(false);
  });

  const lateralChannels: Record<LateralKind, number> = { tconv: 64 + 16, tsample: 64 + 8, 'ttoc-concat': 64 + 64, 'ttoc-sum': 64 };
  for (const [lateral, channels] of Object.entries(lateralChannels)) {
    it(`lateral ${lateral} (4×16, α 8) feeds res2 ${channels} channels`, () => {
      const rec = new ShapeRecorder();
      const model = buildSlowFast({ ...PRESETS.slowfast_r50_4x16, lateral: lateral as LateralKind }, rec);
      expect(model.graph.shape(model.taps.get('b0_fuse_slow')!.tensor)[1]).toBe(channels);
      expect(rec.shapes.get('blocks.1.multipathway_blocks.0.res_blocks.0.branch2.conv_a.weight')![1]).toBe(channels);
    });
  }

  it('explains configs that cannot work', () => {
    expect(() => buildSlowFast({ ...PRESETS.slowfast_r50_8x8, lateral: 'ttoc-sum' }, new ShapeRecorder()))
      .toThrow(/ttoc-sum needs α·βC = C \(fast channels 8 × α 4 ≠ slow channels 64\)/);
    expect(() => buildSlowFast({ ...PRESETS.slowfast_r50_8x8, inputSize: 100 }, new ShapeRecorder())).toThrow(/input size 100 must be a multiple of 32/);
  });
});
