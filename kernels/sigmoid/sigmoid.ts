import source from './sigmoid.wgsl?raw';
import { elementwiseDescriptor, sizeOf, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32' } as const;

/** The per-class sigmoid of a multi-label head. Input: x. */
export interface SigmoidOp {
  op: 'sigmoid';
  attrs: Record<string, never>;
}

/** y = 1 / (1 + e^−x), any shape: a multi-label head's per-class probabilities. Input: x. Output: y, shaped like x. */
export function sigmoid(x: Shape): KernelDescriptor {
  const count = sizeOf(x);
  return elementwiseDescriptor('sigmoid', source, UNIFORMS, { count }, count, { inputs: 1, outputs: 1 });
}

export function sigmoidShape(x: Shape): Shape {
  return x;
}
