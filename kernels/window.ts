// Sliding-window arithmetic shared by conv3d and the pools (PyTorch's, floor mode).
import { expectRank, fmt, shapeError, sizeOf, type Shape } from './kernel.ts';

export type Triple = readonly [number, number, number];

/** Output (T, H, W) of a window over the last three dims of x (N, C, T, H, W). */
export function windowOutput(op: string, x: Shape, kernel: Triple, stride: Triple, padding: Triple, dilation: Triple = [1, 1, 1]): number[] {
  for (const [name, v, min] of [['kernel', kernel, 1], ['stride', stride, 1], ['padding', padding, 0], ['dilation', dilation, 1]] as const) {
    if (v.length !== 3 || v.some((d) => !Number.isInteger(d) || d < min)) shapeError(op, `bad ${name} ${fmt(v)}`);
  }
  return ['T', 'H', 'W'].map((dim, i) => {
    const input = x[2 + i];
    const out = Math.floor((input + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i]) + 1;
    if (out < 1) {
      shapeError(op, `${dim}: input ${input} with kernel ${kernel[i]}, stride ${stride[i]}, padding ${padding[i]}, dilation ${dilation[i]} leaves no output (input ${fmt(x)})`);
    }
    return out;
  });
}

export interface PoolAttrs {
  kernel: Triple;
  stride?: Triple;
  padding?: Triple;
}

/** Uniforms shared by both pools: the window and the input/output extents. */
export const POOL_UNIFORMS = {
  count: 'u32', inT: 'u32', inH: 'u32', inW: 'u32', outT: 'u32', outH: 'u32', outW: 'u32',
  kT: 'u32', kH: 'u32', kW: 'u32', strideT: 'u32', strideH: 'u32', strideW: 'u32', padT: 'u32', padH: 'u32', padW: 'u32',
} as const;

/** A pool's window with PyTorch's defaults filled in (stride = kernel, no padding). */
export function poolWindow({ kernel, stride = kernel, padding = [0, 0, 0] }: PoolAttrs): { kernel: Triple; stride: Triple; padding: Triple } {
  return { kernel, stride, padding };
}

/** Output shape of a 3-D pool (PyTorch floor mode; stride defaults to the kernel, as in torch). */
export function poolShape(op: string, x: Shape, { kernel, stride = kernel, padding = [0, 0, 0] }: PoolAttrs): Shape {
  expectRank(op, 'input', x, 5);
  if (padding.some((q, i) => q > kernel[i] / 2)) {
    shapeError(op, `padding ${fmt(padding)} must be at most half the kernel ${fmt(kernel)}`);
  }
  return [x[0], x[1], ...windowOutput(op, x, kernel, stride, padding)];
}

export function poolUniforms(x: Shape, y: Shape, { kernel, stride = kernel, padding = [0, 0, 0] }: PoolAttrs) {
  return {
    count: sizeOf(y), inT: x[2], inH: x[3], inW: x[4], outT: y[2], outH: y[3], outW: y[4],
    kT: kernel[0], kH: kernel[1], kW: kernel[2], strideT: stride[0], strideH: stride[1], strideW: stride[2],
    padT: padding[0], padH: padding[1], padW: padding[2],
  };
}
