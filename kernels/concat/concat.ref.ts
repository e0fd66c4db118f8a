import type { Shape } from '../kernel.ts';

// torch.cat([a, b], dim=1)
export function concatRef(a: Float32Array, aShape: Shape, b: Float32Array, bShape: Shape): Float32Array {
  const [N, Ca] = aShape;
  const Cb = bShape[1];
  const S = aShape[2] * aShape[3] * aShape[4];
  const y = new Float32Array(N * (Ca + Cb) * S);
  for (let n = 0; n < N; n++) {
    y.set(a.subarray(n * Ca * S, (n + 1) * Ca * S), n * (Ca + Cb) * S);
    y.set(b.subarray(n * Cb * S, (n + 1) * Cb * S), (n * (Ca + Cb) + Ca) * S);
  }
  return y;
}
