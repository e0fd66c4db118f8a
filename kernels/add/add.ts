import source from './add.wgsl?raw';
import { elementwiseDescriptor, fmt, shapeError, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32' } as const;

/** a + b, then ReLU when `relu` (a residual sum). Inputs: a, b. */
export interface AddOp {
  op: 'add';
  attrs: { relu?: boolean };
}

export function addShape(a: Shape, b: Shape): Shape {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) shapeError('add', `shapes differ: ${fmt(a)} and ${fmt(b)}`);
  return a;
}

/** y = a + b (then ReLU when asked), same shapes. Inputs: a, b. Output: y. */
export function add(a: Shape, b: Shape, { relu = false } = {}, elements?: ElementTypes): KernelDescriptor {
  const count = sizeOf(addShape(a, b));
  return elementwiseDescriptor('add', source, UNIFORMS, { count }, count, { inputs: 2, outputs: 1 }, { RELU: relu }, elements);
}
