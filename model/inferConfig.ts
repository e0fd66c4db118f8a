// Reads a checkpoint's architecture off its weight shapes, so an official or scaled-down checkpoint needs
// no flags: widths from the stems, depth from the stages' block counts, every block's conv_a temporal kernel,
// fusion kernel from the lateral conv, classes from the head. What weights cannot tell (frames, α, the frame
// stride) comes from the checkpoint's training cfg where it has one, else from a preset.
import { PRESETS, STAGE_DEPTHS, standardConvATemporal, type PresetName, type SlowFastConfig } from './slowfast.ts';
import { readTrainingConfig } from './trainingConfig.ts';
import type { LoadedWeights } from './weights/load.ts';
import type { StateDict } from './weights/stateDict.ts';
import { WeightError } from './weights/weightSource.ts';

export interface InferOptions {
  /** Settings the weights cannot tell (frames, α, stride), chosen by the user: they win over the cfg's. */
  preset?: PresetName;
  /** The preset a checkpoint probably is (the zoo entry it was downloaded as): the cfg's settings win over it. */
  likelyPreset?: PresetName;
  /** The checkpoint's training cfg (YAML), if it carries one. */
  trainingConfig?: string;
}

/** The model config of loaded weights: the one a converted file records, else read off the weights. */
export function configOf(weights: LoadedWeights, options: Omit<InferOptions, 'trainingConfig'> & { inputSize?: number } = {}): SlowFastConfig {
  const { inputSize, ...infer } = options;
  const config = weights.config ?? inferConfig(weights.dict, { ...infer, trainingConfig: weights.trainingConfig });
  return inputSize ? { ...config, inputSize } : config;
}

/** Blocks per stage (res2–res5) of a pathway, from the block indices its keys name. */
function stageBlocks(dict: StateDict, pathwayPrefix: (stage: number) => string): number[] {
  return [1, 2, 3, 4].map((stage) => {
    const prefix = pathwayPrefix(stage);
    let n = 0;
    while (dict.has(`${prefix}.res_blocks.${n}.branch2.conv_a.weight`)) n++;
    return n;
  });
}

function depthOf(blocks: number[]): SlowFastConfig['depth'] {
  // Object.keys gives strings: the record's keys are the depths.
  const depth = (Object.keys(STAGE_DEPTHS).map(Number) as SlowFastConfig['depth'][]).find((d) => STAGE_DEPTHS[d].every((n, s) => n === blocks[s]));
  if (!depth) {
    throw new WeightError(`the res2–res5 stages have ${blocks.join('/')} blocks; only ResNet-50 (3/4/6/3) and ResNet-101 (3/4/23/3) bottleneck networks are supported`);
  }
  return depth;
}

/** Each block's conv_a temporal kernel (the third dim of its weight), stage by stage. */
function convATemporal(dict: StateDict, pathwayPrefix: (stage: number) => string, blocks: number[]): number[][] {
  return blocks.map((n, s) => Array.from({ length: n }, (_, i) => dict.get(`${pathwayPrefix(s + 1)}.res_blocks.${i}.branch2.conv_a.weight`)!.shape[2] ?? 1));
}

const sameKernels = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]) =>
  a.length === b.length && a.every((stage, s) => stage.length === b[s].length && stage.every((k, i) => k === b[s][i]));

export function inferConfig(dict: StateDict, options: InferOptions = {}): SlowFastConfig {
  for (const p of [options.preset, options.likelyPreset]) {
    if (p !== undefined && !Object.hasOwn(PRESETS, p)) throw new WeightError(`unknown preset '${p}'; one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const shape = (k: string) => dict.get(k)?.shape;
  const slowOnly = dict.has('blocks.0.conv.weight');
  const head = shape(slowOnly ? 'blocks.5.proj.weight' : 'blocks.6.proj.weight');
  if (!head) throw new WeightError('not a SlowFast or Slow checkpoint: no head projection weight (blocks.6.proj / head.projection)');
  const slowPrefix = (stage: number) => (slowOnly ? `blocks.${stage}` : `blocks.${stage}.multipathway_blocks.0`);
  const fastPrefix = (stage: number) => `blocks.${stage}.multipathway_blocks.1`;
  const slowBlocks = stageBlocks(dict, slowPrefix);
  const depth = depthOf(slowBlocks);
  const fastBlocks = slowOnly ? slowBlocks : stageBlocks(dict, fastPrefix);
  if (fastBlocks.some((n, s) => n !== slowBlocks[s])) {
    throw new WeightError(`the Fast pathway's stages have ${fastBlocks.join('/')} blocks, the Slow pathway's ${slowBlocks.join('/')}`);
  }
  const standard = standardConvATemporal(depth);
  const kernels = {
    slow: convATemporal(dict, slowPrefix, slowBlocks),
    fast: slowOnly ? standard.fast : convATemporal(dict, fastPrefix, fastBlocks),
  };
  const perBlock = !sameKernels(kernels.slow, standard.slow) || !sameKernels(kernels.fast, standard.fast);
  const fusion = shape('blocks.0.multipathway_fusion.conv_fast_to_slow.weight');
  const fusionKernel = fusion?.[2] ?? 5;
  let base: PresetName;
  if (options.preset ?? options.likelyPreset) base = (options.preset ?? options.likelyPreset)!;
  else if (slowOnly) base = 'slow_r50_8x8';
  else if (depth === 101) base = perBlock && sameKernels(kernels.slow, PRESETS.slowfast_r101_16x8.convATemporal.slow) ? 'slowfast_r101_16x8' : 'slowfast_r101_8x8';
  else base = fusionKernel === 7 ? 'slowfast_r50_8x8' : 'slowfast_r50_4x16';
  const preset: SlowFastConfig = PRESETS[base];
  const numClasses = head[0];
  // A preset the user chose outranks the cfg.
  const trained = options.trainingConfig && !options.preset ? readTrainingConfig(options.trainingConfig, slowOnly) : {};
  const frames = trained.fastFrames && (slowOnly || trained.alpha) ? { fastFrames: trained.fastFrames, alpha: trained.alpha ?? 1 } : {};
  const { convATemporal: _, ...rest } = preset;
  const config: SlowFastConfig = {
    ...rest,
    ...frames,
    ...(trained.tau ? { tau: trained.tau } : {}),
    ...(trained.trainCrop && trained.trainCrop !== preset.inputSize ? { trainCrop: trained.trainCrop } : {}),
    depth,
    numClasses,
    ...(perBlock ? { convATemporal: kernels } : {}),
  };
  // Charades (157 classes) is multi-label: a sigmoid per class, as PySlowFast's MODEL.HEAD_ACT says for it.
  if ((trained.headActivation ?? (numClasses === CHARADES_CLASSES ? 'sigmoid' : 'softmax')) === 'sigmoid') config.headActivation = 'sigmoid';
  if (slowOnly) return { ...config, stemChannels: [shape('blocks.0.conv.weight')![0], preset.stemChannels[1]] };
  const slowStem = shape('blocks.0.multipathway_blocks.0.conv.weight');
  const fastStem = shape('blocks.0.multipathway_blocks.1.conv.weight');
  if (!slowStem || !fastStem) throw new WeightError('not a SlowFast checkpoint: stem conv weights are missing');
  return { ...config, fusionKernel, stemChannels: [slowStem[0], fastStem[0]], lateral: fusion ? 'tconv' : preset.lateral };
}

export const CHARADES_CLASSES = 157;
