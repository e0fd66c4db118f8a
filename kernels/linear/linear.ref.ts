// torch.nn.functional.linear(x, w, b) on x flattened to (N, I)
export function linearRef(x: Float32Array, n: number, w: Float32Array, outFeatures: number, bias: Float32Array): Float32Array {
  const inFeatures = w.length / outFeatures;
  const y = new Float32Array(n * outFeatures);
  for (let i = 0; i < n; i++)
    for (let o = 0; o < outFeatures; o++) {
      let s = 0;
      for (let k = 0; k < inFeatures; k++) s += x[i * inFeatures + k] * w[o * inFeatures + k];
      y[i * outFeatures + o] = s + bias[o];
    }
  return y;
}
