import { sizeOf, type Shape } from './kernel.ts';
import { randInt } from './compare.ts';
import { poolShape, type PoolAttrs, type Triple } from './window.ts';

// torch.nn.MaxPool3d (padding is −∞) and torch.nn.AvgPool3d (count_include_pad=True: padding counts as 0
// and the divisor is the whole kernel volume), floor mode.
export function poolRef(kind: 'max' | 'avg', x: Float32Array, xs: Shape, attrs: PoolAttrs): Float32Array {
  const ys = poolShape(`${kind}Pool3d`, xs, attrs);
  const { kernel, stride = kernel, padding = [0, 0, 0] } = attrs;
  const [N, C, T, H, W] = xs;
  const [, , To, Ho, Wo] = ys;
  const y = new Float32Array(sizeOf(ys));
  let o = 0;
  for (let nc = 0; nc < N * C; nc++)
    for (let to = 0; to < To; to++)
      for (let ho = 0; ho < Ho; ho++)
        for (let wo = 0; wo < Wo; wo++) {
          let m = -Infinity;
          let s = 0;
          for (let kt = 0; kt < kernel[0]; kt++)
            for (let kh = 0; kh < kernel[1]; kh++)
              for (let kw = 0; kw < kernel[2]; kw++) {
                const t = to * stride[0] - padding[0] + kt;
                const h = ho * stride[1] - padding[1] + kh;
                const w = wo * stride[2] - padding[2] + kw;
                if (t < 0 || t >= T || h < 0 || h >= H || w < 0 || w >= W) continue;
                const v = x[((nc * T + t) * H + h) * W + w];
                m = Math.max(m, v);
                s += v;
              }
          y[o++] = kind === 'max' ? m : s / (kernel[0] * kernel[1] * kernel[2]);
        }
  return y;
}

/** A random pool case for the pool tests: odd sizes, strides, padding up to half the kernel. */
export function randomPool(random: () => number): { shape: number[]; attrs: PoolAttrs } {
  const kernel: Triple = [randInt(random, 1, 3), randInt(random, 1, 3), randInt(random, 1, 4)];
  const stride: Triple = [randInt(random, 1, 2), randInt(random, 1, 3), randInt(random, 1, 2)];
  const padding: Triple = [randInt(random, 0, Math.floor(kernel[0] / 2)), randInt(random, 0, Math.floor(kernel[1] / 2)), randInt(random, 0, Math.floor(kernel[2] / 2))];
  const shape = [randInt(random, 1, 2), randInt(random, 1, 5), ...kernel.map((k) => k + randInt(random, 0, 8))];
  return { shape, attrs: { kernel, stride, padding } };
}
