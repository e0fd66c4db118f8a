// Reads a checkpoint's architecture off its weight shapes, so an official or scaled-down checkpoint needs
// no flags: width from the stems, fusion kernel from the lateral conv, depth from res4, classes from the head.
import { PRESETS, type PresetName, type SlowFastConfig } from './slowfast.ts';
import type { StateDict } from './weights/stateDict.ts';
import { WeightError } from './weights/weightSource.ts';

export function inferConfig(dict: StateDict, preset?: PresetName): SlowFastConfig {
  const shape = (k: string) => dict.get(k)?.shape;
  const slowOnly = dict.has('blocks.0.conv.weight');
  const res4Blocks = new Set(
    [...dict.keys()].map((k) => k.match(/^blocks\.3\.(?:multipathway_blocks\.0\.)?res_blocks\.(\d+)\./)?.[1]).filter(Boolean),
  ).size;
  const depth = res4Blocks === 23 ? 101 : 50;
  const head = shape(slowOnly ? 'blocks.5.proj.weight' : 'blocks.6.proj.weight');
  if (!head) throw new WeightError('not a SlowFast or Slow checkpoint: no head projection weight (blocks.6.proj / head.projection)');
  if (slowOnly) {
    const stem = shape('blocks.0.conv.weight')!;
    return { ...(preset ? PRESETS[preset] : PRESETS.slow_r50_8x8), depth, stemChannels: [stem[0], 8], numClasses: head[0] };
  }
  const slowStem = shape('blocks.0.multipathway_blocks.0.conv.weight');
  const fastStem = shape('blocks.0.multipathway_blocks.1.conv.weight');
  const fusion = shape('blocks.0.multipathway_fusion.conv_fast_to_slow.weight');
  if (!slowStem || !fastStem) throw new WeightError('not a SlowFast checkpoint: stem conv weights are missing');
  const fusionKernel = fusion?.[2] ?? 5;
  const base: PresetName = preset ?? (depth === 101 ? 'slowfast_r101_8x8' : fusionKernel === 7 ? 'slowfast_r50_8x8' : 'slowfast_r50_4x16');
  return {
    ...PRESETS[base],
    depth,
    fusionKernel,
    stemChannels: [slowStem[0], fastStem[0]],
    numClasses: head[0],
    lateral: fusion ? 'tconv' : PRESETS[base].lateral,
  };
}
