import source from './concat.wgsl?raw';
import { elementwiseDescriptor, expectRank, fmt, shapeError, sizeOf, type ElementTypes, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32', spatial: 'u32', channelsA: 'u32', channelsB: 'u32' } as const;

/** torch.cat([a, b], dim=1). Inputs: a, b. */
export interface ConcatOp {
  op: 'concat';
  attrs: { axis: 1 };
}

/** torch.cat([a, b], dim=1) for (N, C, T, H, W). */
export function concatShape(a: Shape, b: Shape): Shape {
  expectRank('concat', 'a', a, 5);
  expectRank('concat', 'b', b, 5);
  if (a[0] !== b[0] || a[2] !== b[2] || a[3] !== b[3] || a[4] !== b[4]) {
    shapeError('concat', `all dims but channels must match: ${fmt(a)} and ${fmt(b)}`);
  }
  return [a[0], a[1] + b[1], a[2], a[3], a[4]];
}

/** Inputs: a, b. Output: their concatenation along channels. */
export function concat(a: Shape, b: Shape, elements?: ElementTypes): KernelDescriptor {
  const y = concatShape(a, b);
  const count = sizeOf(y);
  return elementwiseDescriptor('concat', source, UNIFORMS,
    { count, spatial: a[2] * a[3] * a[4], channelsA: a[1], channelsB: b[1] }, count, { inputs: 2, outputs: 1 }, {}, elements);
}
