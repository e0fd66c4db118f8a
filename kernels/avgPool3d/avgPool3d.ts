import source from './avgPool3d.wgsl?raw';
import { elementwiseDescriptor, expectRank, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';
import { POOL_UNIFORMS, poolShape, poolUniforms, type PoolAttrs } from '../window.ts';

/** torch.nn.AvgPool3d (count_include_pad). Input: x. */
export interface AvgPool3dOp {
  op: 'avgPool3d';
  attrs: PoolAttrs;
}

export function avgPool3dShape(x: Shape, attrs: PoolAttrs): Shape {
  return poolShape('avgPool3d', x, attrs);
}

/** torch.nn.AvgPool3d with count_include_pad=True. Input: x. Output: y. */
export function avgPool3d(x: Shape, attrs: PoolAttrs, elements?: ElementTypes): KernelDescriptor {
  const y = avgPool3dShape(x, attrs);
  return elementwiseDescriptor('avgPool3d', source, POOL_UNIFORMS, poolUniforms(x, y, attrs), sizeOf(y), { inputs: 1, outputs: 1 }, {}, elements);
}

/** Global average pooling over T × H × W: (N, C, T, H, W) → (N, C, 1, 1, 1). */
export function globalAvgPool3d(x: Shape, elements?: ElementTypes): KernelDescriptor {
  expectRank('globalAvgPool3d', 'input', x, 5);
  return avgPool3d(x, { kernel: [x[2], x[3], x[4]], stride: [1, 1, 1] }, elements);
}
