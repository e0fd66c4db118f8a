// One workgroup per row: its invocations stride over the row to find the max, then the sum of exp(x − max),
// each reduced across the workgroup; then each writes its share of exp(x − max) / sum.
// With SUBGROUPS, each subgroup reduces in registers and publishes one partial; every subgroup then reduces
// the partials itself, so a reduction costs one barrier instead of a tree of log2(WORKGROUP) of them.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (rows, length)
@group(0) @binding(2) var<storage, read_write> y: array<f32>; // (rows, length)

const LOWEST = -0x1.fffffep+127f;

struct Invocation {
  @builtin(local_invocation_index) lid: u32,
//!if SUBGROUPS
  @builtin(subgroup_id) subgroupId: u32,
  @builtin(num_subgroups) subgroups: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) subgroupSize: u32,
//!end
}

//!if SUBGROUPS
// Subgroup partials: the max's in the first half, the sum's in the second, so the second reduction needs no
// barrier to wait for the first's readers.
var<workgroup> partials: array<f32, 2 * WORKGROUP>;

fn reduce(inv: Invocation, v: f32, isMax: bool) -> f32 {
  let half = select(WORKGROUP, 0u, isMax);
  let r = select(subgroupAdd(v), subgroupMax(v), isMax);
  if (inv.lane == 0u) { partials[half + inv.subgroupId] = r; }
  workgroupBarrier();
  var t = select(0.0, LOWEST, isMax);
  for (var i = inv.lane; i < inv.subgroups; i += inv.subgroupSize) {
    let other = partials[half + i];
    t = select(t + other, max(t, other), isMax);
  }
  return select(subgroupAdd(t), subgroupMax(t), isMax);
}
//!else
// Workgroup tree: one value per invocation.
var<workgroup> partial: array<f32, WORKGROUP>;

fn reduce(inv: Invocation, v: f32, isMax: bool) -> f32 {
  let lid = inv.lid;
  partial[lid] = v;
  workgroupBarrier();
  for (var stride = WORKGROUP / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let other = partial[lid + stride];
      partial[lid] = select(partial[lid] + other, max(partial[lid], other), isMax);
    }
    workgroupBarrier();
  }
  let r = partial[0];
  workgroupBarrier();
  return r;
}
//!end

@compute @workgroup_size(WORKGROUP)
fn main(inv: Invocation, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = linearWorkgroupIndex(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.length;
  var m = LOWEST;
  for (var i = inv.lid; i < p.length; i += WORKGROUP) { m = max(m, x[base + i]); }
  m = reduce(inv, m, true);
  var s = 0.0;
  for (var i = inv.lid; i < p.length; i += WORKGROUP) { s += exp(x[base + i] - m); }
  s = reduce(inv, s, false);
  for (var i = inv.lid; i < p.length; i += WORKGROUP) { y[base + i] = exp(x[base + i] - m) / s; }
}
