import source from './timeStridedSample.wgsl?raw';
import { elementwiseDescriptor, expectRank, shapeError, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32', hw: 'u32', outT: 'u32', inT: 'u32', alpha: 'u32' } as const;

/** The paper's time-strided sampling lateral. Input: x. */
export interface TimeStridedSampleOp {
  op: 'timeStridedSample';
  attrs: { alpha: number };
}

/** x[:, :, ::alpha]: frames 0, α, 2α, … */
export function timeStridedSampleShape(x: Shape, alpha: number): Shape {
  expectRank('timeStridedSample', 'input', x, 5);
  if (!Number.isInteger(alpha) || alpha < 1) shapeError('timeStridedSample', `alpha must be a positive integer, got ${alpha}`);
  return [x[0], x[1], Math.ceil(x[2] / alpha), x[3], x[4]];
}

/** Input: x (N, C, T, H, W). Output: (N, C, ceil(T/α), H, W). */
export function timeStridedSample(x: Shape, alpha: number, elements?: ElementTypes): KernelDescriptor {
  const y = timeStridedSampleShape(x, alpha);
  const count = sizeOf(y);
  return elementwiseDescriptor('timeStridedSample', source, UNIFORMS,
    { count, hw: x[3] * x[4], outT: y[2], inT: x[2], alpha }, count, { inputs: 1, outputs: 1 }, {}, elements);
}
