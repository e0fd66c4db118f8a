// torch.sigmoid
export function sigmoidRef(x: Float32Array): Float32Array {
  return x.map((v) => 1 / (1 + Math.exp(-v)));
}
