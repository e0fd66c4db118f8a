// The unfolded BatchNorm3d: a reference, run only by tests. The model folds every batch norm into the conv
// before it (foldBatchNorm.ts, at load), and its tests check the folded conv against conv → this kernel.
import source from './batchNorm3d.wgsl?raw';
import { elementwiseDescriptor, expectRank, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32', spatial: 'u32', channels: 'u32', eps: 'f32' } as const;

/** BatchNorm3d's parameters and running statistics, per channel. */
export interface BatchNormParams {
  weight: ArrayLike<number>;
  bias: ArrayLike<number>;
  runningMean: ArrayLike<number>;
  runningVar: ArrayLike<number>;
  eps: number;
}

/** The per-channel (weight, bias, mean, var) vec4s the shader reads. */
export function batchNormStats(bn: BatchNormParams): Float32Array {
  const c = bn.weight.length;
  const s = new Float32Array(4 * c);
  for (let i = 0; i < c; i++) s.set([bn.weight[i], bn.bias[i], bn.runningMean[i], bn.runningVar[i]], 4 * i);
  return s;
}

/** Standalone inference BatchNorm3d over (N, C, T, H, W). Inputs: x, stats. Output: y. */
export function batchNorm3d(x: Shape, { eps, relu = false }: { eps: number; relu?: boolean }): KernelDescriptor {
  expectRank('batchNorm3d', 'input', x, 5);
  const count = x[0] * x[1] * x[2] * x[3] * x[4];
  return elementwiseDescriptor('batchNorm3d', source, UNIFORMS,
    { count, spatial: x[2] * x[3] * x[4], channels: x[1], eps }, count, { inputs: 2, outputs: 1 }, { RELU: relu });
}
