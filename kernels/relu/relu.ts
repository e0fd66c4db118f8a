// The unfused ReLU. SlowFast's builder never needs it (every ReLU rides in a conv's or an add's epilogue);
// it stays as an op any graph may use (the executor's own tests chain it) and the ONNX exporter writes.
import source from './relu.wgsl?raw';
import { elementwiseDescriptor, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32' } as const;

/** max(x, 0). Input: x. */
export interface ReluOp {
  op: 'relu';
  attrs: Record<string, never>;
}

/** y = max(x, 0), any shape. Input: x. Output: y, shaped like x. */
export function relu(x: Shape, elements?: ElementTypes): KernelDescriptor {
  const count = sizeOf(x);
  return elementwiseDescriptor('relu', source, UNIFORMS, { count }, count, { inputs: 1, outputs: 1 }, {}, elements);
}
