import source from './frameGather.wgsl?raw';
import { elementwiseDescriptor, expectRank, shapeError, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32', hw: 'u32', outT: 'u32', inT: 'u32' } as const;

/** x[:, :, index] along time. Inputs: x, and the indices (a u32 tensor of `frames` entries: frameGatherIndex). */
export interface FrameGatherOp {
  op: 'frameGather';
  attrs: { axis: 2 };
}

/** x[:, :, index]: torch.index_select along time. */
export function frameGatherShape(x: Shape, index: readonly number[]): Shape {
  expectRank('frameGather', 'input', x, 5);
  if (index.length === 0) shapeError('frameGather', 'no frames to gather');
  const bad = index.find((t) => !Number.isInteger(t) || t < 0 || t >= x[2]);
  if (bad !== undefined) shapeError('frameGather', `frame ${bad} is outside the input's ${x[2]} frames (input ${JSON.stringify(x)})`);
  return [x[0], x[1], index.length, x[3], x[4]];
}

/** Inputs: x (N, C, T, H, W) and the indices as a u32 tensor (`frameGatherIndex`). Output: (N, C, len, H, W). */
export function frameGather(x: Shape, index: readonly number[], elements?: ElementTypes): KernelDescriptor {
  const y = frameGatherShape(x, index);
  const count = sizeOf(y);
  return elementwiseDescriptor('frameGather', source, UNIFORMS, { count, hw: x[3] * x[4], outT: y[2], inT: x[2] }, count, { inputs: 2, outputs: 1 }, {}, elements);
}

export function frameGatherIndex(index: readonly number[]): Uint32Array<ArrayBuffer> {
  return Uint32Array.from(index);
}
