// torch.softmax(x, dim=-1), computed in f64
export function softmaxRef(x: Float32Array, length: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let r = 0; r < x.length / length; r++) {
    const row = x.subarray(r * length, (r + 1) * length);
    const m = Math.max(...row);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    for (let i = 0; i < length; i++) y[r * length + i] = Math.exp(row[i] - m) / s;
  }
  return y;
}
