import source from './relu.wgsl?raw';
import { elementwiseDescriptor, sizeOf, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32' } as const;

/** y = max(x, 0), any shape. Input: x. Output: y, shaped like x. */
export function relu(x: Shape): KernelDescriptor {
  const count = sizeOf(x);
  return { ...elementwiseDescriptor('relu', source, UNIFORMS, { count }, count, { inputs: 1, outputs: 1 }), meaning: { op: 'relu' } };
}

export function reluShape(x: Shape): Shape {
  return x;
}
