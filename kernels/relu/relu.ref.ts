// torch.relu
export function reluRef(x: Float32Array): Float32Array {
  return x.map((v) => Math.max(v, 0));
}
