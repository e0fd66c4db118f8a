import source from './classMap.wgsl?raw';
import { elementwiseDescriptor, expectRank, fmt, shapeError, sizeOf, type Dtype, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { positions: 'u32', maps: 'u32', channels: 'u32', features: 'u32', channelOffset: 'u32', classes: 'u32' } as const;

/** Asked of classMap instead of a class: the r-th highest logit of the run (0: the top one). */
const RANK_BASE = 0x80000000;
export const topRank = (r: number): number => RANK_BASE + r;
export const TOP_CLASS = topRank(0);

/**
 * One pathway's class activation maps (CAM, Zhou et al. 2016): the head's weights for a class applied at every
 * position of the pathway's res5 features, whose channels are [channelOffset, channelOffset + C) of the
 * head's input. Inputs: x (1, C, T, H, W), the head weight (K, F), the logits (1, K), the classes (u32 [M]:
 * indices, or topRank(r)). Output: (1, M, T, H, W).
 */
export interface ClassMapOp {
  op: 'classMap';
  attrs: { channelOffset: number };
}

export function classMapShape(x: Shape, w: Shape, logits: Shape, asked: Shape, { channelOffset }: ClassMapOp['attrs']): Shape {
  expectRank('classMap', 'features', x, 5);
  if (x[0] !== 1) shapeError('classMap', `features must be one clip, got ${fmt(x)}`);
  if (w.length !== 2 || channelOffset < 0 || channelOffset + x[1] > w[1]) {
    shapeError('classMap', `channels [${channelOffset}, ${channelOffset + x[1]}) of ${fmt(x)} are not within the head weight ${fmt(w)}`);
  }
  if (sizeOf(logits) !== w[0]) shapeError('classMap', `logits ${fmt(logits)} do not have the head's ${w[0]} classes`);
  if (asked.length !== 1) shapeError('classMap', `the classes to map are a vector, got ${fmt(asked)}`);
  return [1, asked[0], x[2], x[3], x[4]];
}

/** `features`: how the res5 features are stored (the maps are computed and written in f32 either way). */
export function classMap(x: Shape, w: Shape, logits: Shape, asked: Shape, attrs: ClassMapOp['attrs'], { weightFormat = 'f32', features = 'f32' }: { weightFormat?: 'f32' | 'f16'; features?: Dtype } = {}): KernelDescriptor {
  const y = classMapShape(x, w, logits, asked, attrs);
  const positions = x[2] * x[3] * x[4];
  return elementwiseDescriptor('classMap', source, UNIFORMS,
    { positions, maps: y[1], channels: x[1], features: w[1], channelOffset: attrs.channelOffset, classes: w[0] }, sizeOf(y),
    { inputs: 4, outputs: 1 }, { WEIGHT_F16: weightFormat === 'f16', RANK_BASE }, { in: features });
}
