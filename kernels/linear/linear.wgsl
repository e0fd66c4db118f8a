// One invocation per output (n, o): a dot product over the input features in f32.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (N, I)
@group(0) @binding(2) var<storage, read> w: array<u32>;       // (O, I): f32 bits, or f16 pairs
@group(0) @binding(3) var<storage, read> bias: array<f32>;    // (O)
@group(0) @binding(4) var<storage, read_write> y: array<f32>; // (N, O)

fn weightAt(i: u32) -> f32 {
  if (WEIGHT_F16) { return halfOf(w[i >> 1u], i); }
  return bitcast<f32>(w[i]);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let o = i % p.outFeatures;
  let n = i / p.outFeatures;
  var s = 0.0;
  for (var k = 0u; k < p.inFeatures; k++) {
    s += x[n * p.inFeatures + k] * weightAt(o * p.inFeatures + k);
  }
  y[i] = s + bias[o];
}
