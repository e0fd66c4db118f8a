// The gradient of mean cross-entropy of softmax(x Wᵀ + b) plus decay/2·|W|², in f64: (K, D + 1), bias last.
export function softmaxGradientRef(x: Float32Array, probabilities: Float32Array, labels: Uint32Array, w: Float32Array, classes: number, decay: number): Float32Array {
  const n = labels.length;
  const d = x.length / n;
  const g = new Float32Array(classes * (d + 1));
  for (let k = 0; k < classes; k++) {
    for (let j = 0; j <= d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (probabilities[i * classes + k] - (labels[i] === k ? 1 : 0)) * (j < d ? x[i * d + j] : 1);
      g[k * (d + 1) + j] = s / n + (j < d ? decay * w[k * d + j] : 0);
    }
  }
  return g;
}
