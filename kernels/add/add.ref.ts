// a + b (torch.add), optionally followed by torch.relu
export function addRef(a: Float32Array, b: Float32Array, relu = false): Float32Array {
  return a.map((v, i) => (relu ? Math.max(v + b[i], 0) : v + b[i]));
}
