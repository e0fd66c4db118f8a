import { describe, expect, it } from 'vitest';
import { randomArray, rng } from '../../kernels/compare.ts';
import { writeSafetensors } from '../weights/safetensors.ts';
import { GOLDEN_FIXTURES } from '../goldenFixtures.ts';
import { randomStateDict } from '../weights/weightSource.ts';
import { backboneIdentity, checkBackbone, foldHead, HeadFileError, readHeadFile, writeHeadFile, type CustomHead } from './customHead.ts';
import { headLogits } from './train.ts';

const D = 24;
function aHead(seed = 1): CustomHead {
  const r = rng(seed);
  return {
    classNames: ['squat', 'lunge', 'nothing'],
    weight: randomArray(3 * D, r), bias: randomArray(3, r),
    featureMean: randomArray(D, r, 0, 2), featureStd: randomArray(D, r, 0.5, 2),
    backbone: { name: 'SLOWFAST_8x8_R50 (Kinetics-400)', hash: 'ab'.repeat(32), features: D },
    evaluation: { method: 'held-out', accuracy: 0.95, graded: 20 },
  };
}

describe('head files', () => {
  it('round trip: the same head, to the bit', async () => {
    const head = aHead();
    const back = await readHeadFile(writeHeadFile(head));
    expect(back).toEqual(head);
    const f = randomArray(D, rng(4), 0, 3);
    expect(Array.from(headLogits(back, f))).toEqual(Array.from(headLogits(head, f)));
  });

  it('folds the standardisation into a linear layer on raw features', () => {
    const head = aHead(2);
    const { weight, bias } = foldHead(head);
    const f = randomArray(D, rng(5), 0, 3);
    const want = headLogits(head, f);
    for (let k = 0; k < 3; k++) {
      const got = bias[k] + Array.from({ length: D }, (_, j) => weight[k * D + j] * f[j]).reduce((a, b) => a + b, 0);
      expect(got).toBeCloseTo(want[k], 4);
    }
  });

  it('refuses a truncated or corrupt file, a model\'s weights, and broken metadata, saying what is wrong', async () => {
    const bytes = writeHeadFile(aHead());
    await expect(readHeadFile(bytes.slice(0, bytes.length - 10))).rejects.toThrow(HeadFileError);
    await expect(readHeadFile(new TextEncoder().encode('squat,lunge'))).rejects.toThrow(/not a head file/);
    const weights = writeSafetensors(new Map([['blocks.6.proj.bias', { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) }]]), { format: 'pt' });
    await expect(readHeadFile(weights)).rejects.toThrow(/not a head file: a safetensors file of format 'pt'.*Load weights/);
    const damaged = new Uint8Array(bytes);
    const text = new TextDecoder().decode(damaged.subarray(0, 400));
    // The class names' own JSON broken ([ → {), the header around them still whole.
    damaged[text.indexOf('"class_names":"[') + '"class_names":"'.length] = '{'.charCodeAt(0);
    await expect(readHeadFile(damaged)).rejects.toThrow("the head file's class names are damaged");
    const nan = aHead();
    nan.bias[1] = NaN;
    await expect(readHeadFile(writeHeadFile(nan))).rejects.toThrow('head.bias holds values that are not finite numbers');
  });

  it('fingerprints the backbone by its parameters, and refuses a head taught on another', async () => {
    const config = GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px;
    const dict = randomStateDict(config, 1);
    const a = await backboneIdentity(dict, config, 'model A');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.features).toBe(576);
    // Extras beside the parameters do not count; one changed weight does.
    const withExtra = new Map(dict).set('blocks.0.multipathway_blocks.0.norm.num_batches_tracked', { shape: [], dtype: 'int64', data: Float32Array.of(7) });
    expect((await backboneIdentity(withExtra, config, 'model A')).hash).toBe(a.hash);
    const other = new Map(dict);
    const w = other.get('blocks.6.proj.bias')!;
    other.set('blocks.6.proj.bias', { ...w, data: w.data.map((v, i) => (i === 0 ? v + 1e-3 : v)) });
    const b = await backboneIdentity(other, config, 'model B');
    expect(b.hash).not.toBe(a.hash);
    const head = { ...aHead(), backbone: a };
    expect(() => checkBackbone(head, a)).not.toThrow();
    expect(() => checkBackbone(head, b)).toThrow(/taught on model A .*the model loaded now is model B/);
  });
});
