import source from './maxPool3d.wgsl?raw';
import { elementwiseDescriptor, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';
import { POOL_UNIFORMS, poolShape, poolUniforms, type PoolAttrs } from '../window.ts';

/** torch.nn.MaxPool3d. Input: x. */
export interface MaxPool3dOp {
  op: 'maxPool3d';
  attrs: PoolAttrs;
}

export function maxPool3dShape(x: Shape, attrs: PoolAttrs): Shape {
  return poolShape('maxPool3d', x, attrs);
}

/** torch.nn.MaxPool3d. Input: x. Output: y. */
export function maxPool3d(x: Shape, attrs: PoolAttrs, elements?: ElementTypes): KernelDescriptor {
  const y = maxPool3dShape(x, attrs);
  return elementwiseDescriptor('maxPool3d', source, POOL_UNIFORMS, poolUniforms(x, y, attrs), sizeOf(y), { inputs: 1, outputs: 1 }, {}, elements);
}
