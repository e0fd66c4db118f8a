// A plain reference for the head trainer: the same maths (standardise; softmax cross-entropy + decay/2·|W|²;
// Nesterov-accelerated gradient descent with step 1/L, restarted when the loss rises), written as directly as
// it reads, in f64 throughout.
export function trainHeadRef(
  features: readonly Float32Array[], labels: readonly number[], classes: number, o: { epochs: number; decay: number },
): { weight: number[][]; bias: number[]; losses: number[] } {
  const n = features.length;
  const d = features[0].length;
  const mean = Array.from({ length: d }, (_, j) => features.reduce((s, f) => s + f[j], 0) / n);
  const std = Array.from({ length: d }, (_, j) => {
    const sd = Math.sqrt(features.reduce((s, f) => s + (f[j] - mean[j]) ** 2, 0) / n);
    return sd > 1e-6 ? sd : 1;
  });
  // Standardised as the trainer stores them: in f32.
  const x = features.map((f) => Array.from({ length: d }, (_, j) => Math.fround((f[j] - Math.fround(mean[j])) / Math.fround(std[j]))));
  // L = λmax(X̃ᵀX̃) / 2N + decay, λmax by 50 power iterations on the Gram matrix from a flat start.
  const gram = x.map((a) => x.map((b) => 1 + a.reduce((s, v, j) => s + v * b[j], 0)));
  let v = new Array<number>(n).fill(1 / Math.sqrt(n));
  let lambda = 0;
  for (let it = 0; it < 50; it++) {
    const u = gram.map((row) => row.reduce((s, g, j) => s + g * v[j], 0));
    lambda = Math.hypot(...u);
    v = u.map((e) => e / lambda);
  }
  const step = 1 / ((1.05 * lambda) / (2 * n) + o.decay);

  let params = Array.from({ length: classes }, () => new Array<number>(d + 1).fill(0));
  let previous = params.map((r) => [...r]);
  const losses: number[] = [];
  let age = 0;
  for (let t = 1; t <= o.epochs; t++) {
    const beta = age / (age + 3);
    const ahead = params.map((r, k) => r.map((p, j) => p + beta * (p - previous[k][j])));
    const grad = Array.from({ length: classes }, () => new Array<number>(d + 1).fill(0));
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const z = ahead.map((r) => r[d] + x[i].reduce((s, xj, j) => s + r[j] * xj, 0));
      const max = Math.max(...z);
      const sum = z.reduce((s, zk) => s + Math.exp(zk - max), 0);
      loss -= z[labels[i]] - max - Math.log(sum);
      for (let k = 0; k < classes; k++) {
        const r = Math.exp(z[k] - max) / sum - (labels[i] === k ? 1 : 0);
        for (let j = 0; j < d; j++) grad[k][j] += r * x[i][j];
        grad[k][d] += r;
      }
    }
    loss = loss / n + (o.decay / 2) * ahead.reduce((s, r) => s + r.slice(0, d).reduce((a, w) => a + w * w, 0), 0);
    age = t > 1 && loss > losses[losses.length - 1] ? 0 : age + 1;
    losses.push(loss);
    previous = params;
    params = ahead.map((r, k) => r.map((p, j) => p - step * (grad[k][j] / n + (j < d ? o.decay * p : 0))));
  }
  return { weight: params.map((r) => r.slice(0, d)), bias: params.map((r) => r[d]), losses };
}
