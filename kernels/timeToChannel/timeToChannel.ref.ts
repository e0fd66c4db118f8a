import { sizeOf, type Shape } from '../kernel.ts';
import { timeToChannelShape, type TimeToChannelOrder } from './timeToChannel.ts';

// out[:, k*C + c, t] = X[:, c, t*alpha + k] (frame-major) or out[:, c*alpha + k, t] (channel-major)
export function timeToChannelRef(x: Float32Array, xs: Shape, alpha: number, order: TimeToChannelOrder): Float32Array {
  const ys = timeToChannelShape(xs, alpha);
  const [N, C, Tin, H, W] = xs;
  const T = ys[2];
  const y = new Float32Array(sizeOf(ys));
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let k = 0; k < alpha; k++)
        for (let t = 0; t < T; t++) {
          const oc = order === 'frame-major' ? k * C + c : c * alpha + k;
          const src = ((n * C + c) * Tin + t * alpha + k) * H * W;
          y.set(x.subarray(src, src + H * W), ((n * alpha * C + oc) * T + t) * H * W);
        }
  return y;
}
