import source from './linear.wgsl?raw';
import { elementwiseDescriptor, fmt, shapeError, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32', inFeatures: 'u32', outFeatures: 'u32' } as const;

/** torch.nn.functional.linear. Inputs: x, weight (O, I), bias (O). */
export interface LinearOp {
  op: 'linear';
  attrs: Record<string, never>;
}

/** torch.nn.functional.linear: x (N, …, I) flattened to (N, I), weight (O, I) → (N, O). */
export function linearShape(x: Shape, w: Shape): Shape {
  if (w.length !== 2) shapeError('linear', `weight must be (out, in), got ${fmt(w)}`);
  const features = x.slice(1).reduce((a, b) => a * b, 1);
  if (x.length < 2 || features !== w[1]) shapeError('linear', `input ${fmt(x)} has ${features} features, weight ${fmt(w)} expects ${w[1]}`);
  return [x[0], w[0]];
}

/** Inputs: x, weight, bias. Output: y (N, O). */
export function linear(x: Shape, w: Shape, { weightFormat = 'f32' }: { weightFormat?: 'f32' | 'f16' } = {}): KernelDescriptor {
  const [n, outFeatures] = linearShape(x, w);
  const count = n * outFeatures;
  return elementwiseDescriptor('linear', source, UNIFORMS, { count, inFeatures: w[1], outFeatures }, count,
    { inputs: 3, outputs: 1 }, { WEIGHT_F16: weightFormat === 'f16' });
}
