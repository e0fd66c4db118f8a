// Every zoo architecture is read back from its weights alone; what weights cannot tell comes from the cfg.
import { describe, expect, it } from 'vitest';
import { OFFICIAL_8X8_CFG } from '../e2e/officialCheckpoint.ts';
import { configOf, inferConfig } from './inferConfig.ts';
import { PRESETS, type PresetName, type SlowFastConfig } from './slowfast.ts';
import { randomStateDict } from './weights/weightSource.ts';

/** A preset at quarter width (the golden fixtures' width), so its weights are small. */
const quarter = (name: PresetName, patch: Partial<SlowFastConfig> = {}): SlowFastConfig => ({ ...PRESETS[name], stemChannels: [16, 2], ...patch });
const architecture = (c: SlowFastConfig) => ({
  depth: c.depth, slowOnly: !!c.slowOnly, fusionKernel: c.slowOnly ? undefined : c.fusionKernel, stemChannels: c.slowOnly ? c.stemChannels[0] : c.stemChannels,
  numClasses: c.numClasses, convATemporal: c.convATemporal, headActivation: c.headActivation ?? 'softmax',
});

describe('inferConfig reads the architecture off the weights', () => {
  const readable: PresetName[] = ['slowfast_r50_8x8', 'slowfast_r50_4x16', 'slowfast_r101_8x8', 'slowfast_r101_16x8', 'slow_r50_8x8'];
  for (const name of readable) {
    it(`${name}: depth, widths, per-block kernels, fusion kernel, classes — and its preset`, () => {
      const config = quarter(name);
      const inferred = inferConfig(randomStateDict(config));
      expect(architecture(inferred)).toEqual(architecture(config));
      expect({ alpha: inferred.alpha, fastFrames: inferred.fastFrames, tau: inferred.tau }).toEqual({ alpha: config.alpha, fastFrames: config.fastFrames, tau: config.tau });
    });
  }

  it('16×8 R101 50_50: the per-block res4 kernels come from the weights, not the preset', () => {
    const inferred = inferConfig(randomStateDict(quarter('slowfast_r101_16x8')), { preset: 'slowfast_r101_8x8' });
    expect(inferred.convATemporal!.slow[2]).toEqual([...new Array(6).fill(3), ...new Array(17).fill(1)]);
    expect(inferred.convATemporal!.fast[2]).toEqual([...new Array(6).fill(3), ...new Array(17).fill(1)]);
    // The preset gives what weights cannot: 8 Slow frames here.
    expect(inferred.fastFrames).toBe(32);
  });

  it('a 4×16 Slow-only checkpoint needs its preset or its cfg for the frames', () => {
    const dict = randomStateDict(quarter('slow_r50_4x16'));
    expect(inferConfig(dict)).toMatchObject({ fastFrames: 8, tau: 8 });
    expect(inferConfig(dict, { preset: 'slow_r50_4x16' })).toMatchObject({ fastFrames: 4, tau: 16, alpha: 1 });
    const cfg = 'DATA:\n  NUM_FRAMES: 4\n  SAMPLING_RATE: 16\nMODEL:\n  ARCH: slow\n';
    expect(inferConfig(dict, { trainingConfig: cfg })).toMatchObject({ fastFrames: 4, tau: 16, alpha: 1 });
    // The cfg outranks the preset a download was listed as; a preset the user chose outranks the cfg.
    expect(inferConfig(dict, { trainingConfig: cfg, likelyPreset: 'slow_r50_8x8' })).toMatchObject({ fastFrames: 4, tau: 16 });
    expect(inferConfig(dict, { trainingConfig: cfg, preset: 'slow_r50_8x8' })).toMatchObject({ fastFrames: 8, tau: 8 });
  });

  it('the official cfg gives 32 Fast frames, α 4, Slow stride 8; a 16×8 cfg 64 frames', () => {
    const dict = randomStateDict(quarter('slowfast_r50_8x8'));
    expect(inferConfig(dict, { trainingConfig: OFFICIAL_8X8_CFG })).toMatchObject({ fastFrames: 32, alpha: 4, tau: 8, inputSize: 224 });
    const cfg16x8 = OFFICIAL_8X8_CFG.replace('NUM_FRAMES: 32', 'NUM_FRAMES: 64');
    expect(inferConfig(dict, { trainingConfig: cfg16x8 })).toMatchObject({ fastFrames: 64, alpha: 4, tau: 8 });
    // The weights win over the cfg on what they fix.
    expect(inferConfig(dict, { trainingConfig: OFFICIAL_8X8_CFG.replace('FUSION_KERNEL_SZ: 7', 'FUSION_KERNEL_SZ: 5') }).fusionKernel).toBe(7);
  });

  it('a cfg that is not YAML, or lacks the fields, leaves them to the preset', () => {
    const dict = randomStateDict(quarter('slowfast_r50_4x16'));
    for (const cfg of ['{{ not yaml', 'just a string', 'DATA:\n  NUM_FRAMES: -3\n']) {
      expect(inferConfig(dict, { trainingConfig: cfg })).toMatchObject({ fastFrames: 32, alpha: 8, tau: 16 });
    }
  });

  it('heads: 157 classes (Charades) get a sigmoid per class, 174 (SSv2) and 400 a softmax; a cfg HEAD_ACT decides', () => {
    const charades = inferConfig(randomStateDict(quarter('slowfast_r50_8x8', { numClasses: 157 })));
    expect(charades).toMatchObject({ numClasses: 157, headActivation: 'sigmoid' });
    const ssv2 = inferConfig(randomStateDict(quarter('slow_r50_8x8', { numClasses: 174 })));
    expect(ssv2.numClasses).toBe(174);
    expect(ssv2.headActivation).toBeUndefined();
    const sigmoid = inferConfig(randomStateDict(quarter('slowfast_r50_8x8', { numClasses: 10 })), { trainingConfig: 'MODEL:\n  HEAD_ACT: sigmoid\n' });
    expect(sigmoid.headActivation).toBe('sigmoid');
  });

  it('says what it cannot read', () => {
    const dict = randomStateDict(quarter('slowfast_r50_8x8'));
    const cut = new Map([...dict].filter(([k]) => !k.startsWith('blocks.3.multipathway_blocks.0.res_blocks.5.')));
    expect(() => inferConfig(cut)).toThrow(/the res2–res5 stages have 3\/4\/5\/3 blocks; only ResNet-50 \(3\/4\/6\/3\) and ResNet-101 \(3\/4\/23\/3\)/);
    expect(() => inferConfig(dict, { preset: 'nope' as PresetName })).toThrow(/unknown preset 'nope'; one of slowfast_r50_8x8/);
  });

  it('configOf prefers the config a converted file records', () => {
    const dict = randomStateDict(quarter('slowfast_r50_8x8'));
    const recorded = { ...quarter('slowfast_r50_8x8'), inputSize: 64 };
    expect(configOf({ dict, naming: 'pytorchvideo', format: 'safetensors', config: recorded, fileBytes: 1 })).toBe(recorded);
    expect(configOf({ dict, naming: 'pytorchvideo', format: 'pytorch', trainingConfig: OFFICIAL_8X8_CFG, fileBytes: 1 }, { likelyPreset: 'slowfast_r50_4x16' }).tau).toBe(8);
  });
});
