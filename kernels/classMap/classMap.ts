import source from './classMap.wgsl?raw';
import { elementwiseDescriptor, expectRank, fmt, shapeError, sizeOf, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { positions: 'u32', channels: 'u32', features: 'u32', channelOffset: 'u32', classes: 'u32' } as const;

/** Asked of classMap for the top logit's map instead of a given class's. */
export const TOP_CLASS = 0xffffffff;

/**
 * One pathway's class activation map (CAM, Zhou et al. 2016): the head's weights for one class applied at every
 * position of the pathway's res5 features, whose channels are [channelOffset, channelOffset + C) of the
 * head's input. Inputs: x (1, C, T, H, W), the head weight (K, F), the logits (1, K), the class (u32 [1]:
 * an index, or TOP_CLASS). Output: (1, 1, T, H, W).
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
  if (sizeOf(asked) !== 1) shapeError('classMap', `the class to map is one index, got ${fmt(asked)}`);
  return [1, 1, x[2], x[3], x[4]];
}

export function classMap(x: Shape, w: Shape, logits: Shape, asked: Shape, attrs: ClassMapOp['attrs'], { weightFormat = 'f32' }: { weightFormat?: 'f32' | 'f16' } = {}): KernelDescriptor {
  const y = classMapShape(x, w, logits, asked, attrs);
  const positions = sizeOf(y);
  return elementwiseDescriptor('classMap', source, UNIFORMS,
    { positions, channels: x[1], features: w[1], channelOffset: attrs.channelOffset, classes: w[0] }, positions,
    { inputs: 4, outputs: 1 }, { WEIGHT_F16: weightFormat === 'f16' });
}
