// Class activation maps of one pathway: one invocation per (map m, position (t, h, w)) of its res5 output
// dots class k_m's head weights over this pathway's channels with the features there,
// map_m(t, h, w) = Σ_c W[k_m, offset + c] · x[c, t, h, w]. Its mean over positions is this pathway's share of
// the logit (the head average-pools, concatenates and projects). Each k_m is a class asked for, or a rank
// (RANK_BASE + r: the r-th highest logit of the same run), so the top classes' maps need no read-back first.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<In>;         // (1, C, T, H, W)
@group(0) @binding(2) var<storage, read> w: array<u32>;        // (K, F): the head's weight, f32 bits or f16 pairs
@group(0) @binding(3) var<storage, read> logits: array<f32>;   // (1, K)
@group(0) @binding(4) var<storage, read> asked: array<u32>;    // (M): class indices, or RANK_BASE + r
@group(0) @binding(5) var<storage, read_write> y: array<f32>;  // (1, M, T, H, W)

fn weightAt(i: u32) -> f32 {
  if (WEIGHT_F16) { return halfOf(w[i >> 1u], i); }
  return bitcast<f32>(w[i]);
}

// Logits ordered by value, then (among equal ones) by index, as a stable sort of the CPU's puts them.
fn before(a: u32, b: u32) -> bool {
  return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
}

fn classToMap(m: u32) -> u32 {
  let a = asked[m];
  if (a < p.classes) { return a; }
  // The (a − RANK_BASE)-th in that order: each pass takes the first class after the previous pass's.
  var previous = p.classes;
  for (var r = 0u; r <= a - RANK_BASE; r++) {
    var best = p.classes;
    for (var k = 0u; k < p.classes; k++) {
      if ((previous == p.classes || before(previous, k)) && (best == p.classes || before(k, best))) { best = k; }
    }
    previous = best;
  }
  // A rank past the last class (asked in error) maps the last class rather than reading out of bounds.
  return min(previous, p.classes - 1u);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.maps * p.positions) { return; }
  let m = i / p.positions;
  let position = i % p.positions;
  let row = classToMap(m) * p.features + p.channelOffset;
  var s = 0.0;
  for (var c = 0u; c < p.channels; c++) {
    s += weightAt(row + c) * f32(x[c * p.positions + position]);
  }
  y[i] = s;
}
