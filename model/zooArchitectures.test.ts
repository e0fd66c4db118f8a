// The zoo's other shapes on the GPU, each checked by an identity that must hold: the 16×8 R101 50_50's
// 1×1×1 conv_a blocks against the standard R101 with those kernels padded by zero taps, and a multi-label
// head's probabilities against the sigmoid of its own logits.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../kernels/device.ts';
import { closeness, randomArray, rng } from '../kernels/compare.ts';
import { sizeOf } from '../kernels/kernel.ts';
import { sigmoidRef } from '../kernels/sigmoid/sigmoid.ref.ts';
import { Classifier } from './classifier.ts';
import { inferConfig } from './inferConfig.ts';
import { CHARADES_LABELS, LabelFileError } from './labels.ts';
import { PRESETS, type SlowFastConfig } from './slowfast.ts';
import type { StateDict } from './weights/stateDict.ts';
import { StateDictSource, randomStateDict } from './weights/weightSource.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

async function run(config: SlowFastConfig, dict: StateDict, labels?: readonly string[]) {
  const classifier = await Classifier.create(device, config, new StateDictSource(dict), { labels });
  const random = rng(7);
  const inputs = Object.fromEntries(Object.entries(classifier.model.inputShapes).map(([k, s]) => [k, randomArray(sizeOf(s), random)]));
  const result = await classifier.classify(inputs, 5);
  return { classifier, result };
}

describe('zoo architectures built from weights alone', () => {
  it('16×8 R101 50_50 (inferred config, 1×1×1 conv_a in 17 res4 blocks) equals the standard R101 with those kernels zero-padded to 3×1×1', async () => {
    // Quarter width, 32 px: the architecture's every block, small enough for a software adapter.
    const dict = randomStateDict({ ...PRESETS.slowfast_r101_16x8, stemChannels: [16, 2], inputSize: 32 }, 3);
    const inferred = { ...inferConfig(dict), inputSize: 32 };
    expect(inferred).toMatchObject({ depth: 101, fastFrames: 64, alpha: 4, fusionKernel: 5 });
    expect(inferred.convATemporal!.slow[2].filter((k) => k === 1)).toHaveLength(17);
    const padded: StateDict = new Map([...dict].map(([key, t]) => {
      if (!/^blocks\.3\..*conv_a\.weight$/.test(key) || t.shape[2] !== 1) return [key, t];
      // (out, in, 1, 1, 1) → (out, in, 3, 1, 1) with the weight on the middle tap.
      const data = new Float32Array(t.data.length * 3);
      t.data.forEach((w, i) => (data[i * 3 + 1] = w));
      return [key, { ...t, shape: [t.shape[0], t.shape[1], 3, 1, 1], data }];
    }));
    const perBlock = await run(inferred, dict);
    const standard = await run({ ...inferred, convATemporal: { slow: [[1, 1, 1], [1, 1, 1, 1], new Array(23).fill(3), [3, 3, 3]], fast: [[3, 3, 3], [3, 3, 3, 3], new Array(23).fill(3), [3, 3, 3]] } }, padded);
    const c = closeness(perBlock.result.logits, standard.result.logits, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
    perBlock.classifier.destroy();
    standard.classifier.destroy();
  });

  it('a 157-class head is multi-label: each probability is the sigmoid of its logit, labelled with Charades\' classes', async () => {
    const dict = randomStateDict({ ...PRESETS.slowfast_r50_8x8, stemChannels: [16, 2], numClasses: 157, inputSize: 32 }, 5);
    const config = { ...inferConfig(dict), inputSize: 32 };
    expect(config.headActivation).toBe('sigmoid');
    const { classifier, result } = await run(config, dict);
    expect(classifier.multiLabel).toBe(true);
    const c = closeness(result.probabilities, sigmoidRef(result.logits), 1e-6, 1e-7);
    expect(c.ok, c.summary).toBe(true);
    // Per class, not a distribution: ranked by each class's own probability.
    const ranked = [...result.probabilities.keys()].sort((a, b) => result.probabilities[b] - result.probabilities[a]).slice(0, 5);
    expect(result.top.map((t) => t.index)).toEqual(ranked);
    expect(result.top[0].label).toBe(CHARADES_LABELS[ranked[0]]);
    // Clips of a video combine by maximum (an action seen in any clip happened).
    const other = result.probabilities.map((p) => 1 - p);
    expect(Array.from(classifier.combine([result.probabilities, other]))).toEqual(Array.from(result.probabilities, (p, i) => Math.max(p, other[i])));
    classifier.destroy();
  });

  it('a 174-class head (SSv2) shows "class N" until labels are given, and refuses labels of another length', async () => {
    const dict = randomStateDict({ ...PRESETS.slow_r50_8x8, stemChannels: [16, 8], numClasses: 174, inputSize: 32 }, 9);
    const config = { ...inferConfig(dict), inputSize: 32 };
    const plain = await run(config, dict);
    expect(plain.result.top[0].label).toBe(`class ${plain.result.top[0].index}`);
    // A softmax head's views and clips combine by their mean.
    expect(plain.classifier.combine([new Float32Array(174).fill(0.2), new Float32Array(174).fill(0.4)])[0]).toBeCloseTo(0.3, 6);
    plain.classifier.destroy();
    const names = Array.from({ length: 174 }, (_, i) => `gesture ${i}`);
    const named = await run(config, dict, names);
    expect(named.result.top[0].label).toBe(`gesture ${named.result.top[0].index}`);
    expect(Array.from(named.result.logits)).toEqual(Array.from(plain.result.logits));
    named.classifier.destroy();
    await expect(Classifier.create(device, config, new StateDictSource(dict), { labels: names.slice(1) })).rejects.toThrow(LabelFileError);
  });
});
