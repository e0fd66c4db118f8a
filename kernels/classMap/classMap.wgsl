// Class activation map of one pathway: one invocation per position (t, h, w) of its res5 output dots the
// class's head weights over this pathway's channels with the features there,
// map(t, h, w) = Σ_c W[k, offset + c] · x[c, t, h, w]. Its mean over positions is this pathway's share of the
// logit (the head average-pools, concatenates and projects). The class is the one asked for, or — asked for
// NONE — the top logit of the same run, so the winner's map needs no read-back first.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (1, C, T, H, W)
@group(0) @binding(2) var<storage, read> w: array<u32>;        // (K, F): the head's weight, f32 bits or f16 pairs
@group(0) @binding(3) var<storage, read> logits: array<f32>;   // (1, K)
@group(0) @binding(4) var<storage, read> asked: array<u32>;    // (1): a class index, or NONE
@group(0) @binding(5) var<storage, read_write> y: array<f32>;  // (1, 1, T, H, W)

fn weightAt(i: u32) -> f32 {
  if (WEIGHT_F16) { return halfOf(w[i >> 1u], i); }
  return bitcast<f32>(w[i]);
}

// The first of the highest logits, as a CPU argmax picks it.
fn classToMap() -> u32 {
  if (asked[0] < p.classes) { return asked[0]; }
  var best = 0u;
  for (var k = 1u; k < p.classes; k++) {
    if (logits[k] > logits[best]) { best = k; }
  }
  return best;
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.positions) { return; }
  let row = classToMap() * p.features + p.channelOffset;
  var s = 0.0;
  for (var c = 0u; c < p.channels; c++) {
    s += weightAt(row + c) * x[c * p.positions + i];
  }
  y[i] = s;
}
