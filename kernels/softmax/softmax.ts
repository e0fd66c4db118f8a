import source from './softmax.wgsl?raw';
import { ELEMENTWISE_WORKGROUP, buildSource, cacheKeyOf, fmt, packUniforms, shapeError, splitDispatch, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { rows: 'u32', length: 'u32' } as const;

/** Softmax over the last dim. Input: x. */
export interface SoftmaxOp {
  op: 'softmax';
  attrs: { axis: -1 };
}

export interface SoftmaxOptions {
  /** Reduce with subgroup operations (the device must have them: hasSubgroups in device.ts). */
  subgroups?: boolean;
}

/** Softmax over the last dim of x (rows, length). Input: x. Output: y, same shape. */
export function softmax(x: Shape, options: SoftmaxOptions = {}): KernelDescriptor {
  if (x.length < 1 || x.some((d) => !Number.isInteger(d) || d < 1)) shapeError('softmax', `bad input ${fmt(x)}`);
  const length = x[x.length - 1];
  const rows = x.slice(0, -1).reduce((a, b) => a * b, 1);
  const subgroups = !!options.subgroups;
  const src = buildSource(source, UNIFORMS, { WORKGROUP: ELEMENTWISE_WORKGROUP }, { subgroups });
  return {
    name: 'softmax',
    source: src,
    entryPoint: 'main',
    cacheKey: cacheKeyOf('softmax', 'main', src),
    inputBindings: [1],
    outputBindings: [2],
    uniforms: packUniforms(UNIFORMS, { rows, length }),
    dispatch: splitDispatch(rows),
  };
}
