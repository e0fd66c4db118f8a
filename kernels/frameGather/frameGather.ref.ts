import { sizeOf, type Shape } from '../kernel.ts';
import { frameGatherShape } from './frameGather.ts';

// torch.index_select(x, 2, index)
export function frameGatherRef(x: Float32Array, xs: Shape, index: readonly number[]): Float32Array {
  const ys = frameGatherShape(xs, index);
  const [N, C, T, H, W] = xs;
  const y = new Float32Array(sizeOf(ys));
  for (let nc = 0; nc < N * C; nc++)
    index.forEach((t, i) => y.set(x.subarray((nc * T + t) * H * W, (nc * T + t + 1) * H * W), (nc * index.length + i) * H * W));
  return y;
}
