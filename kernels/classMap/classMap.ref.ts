// A pathway's class activation map, in f64: map[t, h, w] = Σ_c W[k, offset + c] · x[c, t, h, w].
export function classMapRef(x: ArrayLike<number>, channels: number, w: ArrayLike<number>, features: number, k: number, channelOffset: number): Float32Array {
  const positions = x.length / channels;
  const out = new Float32Array(positions);
  for (let i = 0; i < positions; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += w[k * features + channelOffset + c] * x[c * positions + i];
    out[i] = s;
  }
  return out;
}
