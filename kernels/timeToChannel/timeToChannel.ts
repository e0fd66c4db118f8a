import source from './timeToChannel.wgsl?raw';
import { elementwiseDescriptor, expectRank, fmt, shapeError, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32', hw: 'u32', outT: 'u32', inT: 'u32', alpha: 'u32', channels: 'u32' } as const;

/**
 * The paper's Time-to-channel lateral: the α frames of each slow step become channels.
 * 'frame-major' (the primary order): channel k·C + c, i.e. reshape (N, C, T, α, H, W) → permute
 * (N, α, C, T, H, W) → reshape. 'channel-major': channel c·α + k, a plain reshape of (N, C, T, α, H, W).
 */
export type TimeToChannelOrder = 'frame-major' | 'channel-major';

/** The paper's time-to-channel lateral. Input: x. */
export interface TimeToChannelOp {
  op: 'timeToChannel';
  attrs: { alpha: number; order: TimeToChannelOrder };
}

export function timeToChannelShape(x: Shape, alpha: number): Shape {
  expectRank('timeToChannel', 'input', x, 5);
  if (!Number.isInteger(alpha) || alpha < 1 || x[2] % alpha !== 0) {
    shapeError('timeToChannel', `input frames ${x[2]} of ${fmt(x)} are not a multiple of alpha ${alpha}`);
  }
  return [x[0], x[1] * alpha, x[2] / alpha, x[3], x[4]];
}

/** Input: x (N, C, αT, H, W). Output: (N, αC, T, H, W). */
export function timeToChannel(x: Shape, alpha: number, order: TimeToChannelOrder = 'frame-major', elements?: ElementTypes): KernelDescriptor {
  const y = timeToChannelShape(x, alpha);
  const count = sizeOf(y);
  return elementwiseDescriptor('timeToChannel', source, UNIFORMS,
    { count, hw: x[3] * x[4], outT: y[2], inT: x[2], alpha, channels: x[1] }, count, { inputs: 1, outputs: 1 },
    { FRAME_MAJOR: order === 'frame-major' }, elements);
}
