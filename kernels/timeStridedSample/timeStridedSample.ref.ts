import { sizeOf, type Shape } from '../kernel.ts';
import { timeStridedSampleShape } from './timeStridedSample.ts';

// x[:, :, ::alpha]
export function timeStridedSampleRef(x: Float32Array, xs: Shape, alpha: number): Float32Array {
  const ys = timeStridedSampleShape(xs, alpha);
  const [N, C, T, H, W] = xs;
  const y = new Float32Array(sizeOf(ys));
  for (let nc = 0; nc < N * C; nc++)
    for (let t = 0; t < ys[2]; t++) {
      const src = (nc * T + t * alpha) * H * W;
      y.set(x.subarray(src, src + H * W), (nc * ys[2] + t) * H * W);
    }
  return y;
}
