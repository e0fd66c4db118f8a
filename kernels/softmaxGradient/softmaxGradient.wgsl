// One invocation per gradient entry (k, j): j < D is dW[k, j], j = D is db[k]. Each sums its column over the
// batch, so the residuals (p − onehot) are recomputed per entry: N·K reads, far fewer than the N·D products.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (N, D) features
@group(0) @binding(2) var<storage, read> probs: array<f32>;   // (N, K) softmax of the logits
@group(0) @binding(3) var<storage, read> labels: array<u32>;  // (N) class of each example
@group(0) @binding(4) var<storage, read> w: array<f32>;       // (K, D) for the weight decay
@group(0) @binding(5) var<storage, read_write> g: array<f32>; // (K, D + 1)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let row = p.features + 1u;
  let k = i / row;
  let j = i % row;
  var s = 0.0;
  for (var n = 0u; n < p.examples; n++) {
    let residual = probs[n * p.classes + k] - select(0.0, 1.0, labels[n] == k);
    s += residual * select(1.0, x[n * p.features + j], j < p.features);
  }
  var decay = 0.0;
  if (j < p.features) { decay = p.decay * w[k * p.features + j]; }
  g[i] = s / f32(p.examples) + decay;
}
