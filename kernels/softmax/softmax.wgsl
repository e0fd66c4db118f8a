// One workgroup per row: its invocations stride over the row to find the max, then the sum of exp(x − max),
// each reduced across the workgroup; then each writes its share of exp(x − max) / sum.
// With SUBGROUPS, each subgroup reduces in registers and publishes one partial; every subgroup then reduces
// the partials itself, so a reduction costs one barrier instead of a tree of log2(WORKGROUP) of them.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (rows, length)
@group(0) @binding(2) var<storage, read_write> y: array<f32>; // (rows, length)

// Workgroup tree (no subgroups): one value per invocation.
var<workgroup> partial: array<f32, WORKGROUP>;

const LOWEST = -0x1.fffffep+127f;

fn reduceTree(lid: u32, v: f32, isMax: bool) -> f32 {
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

//!if SUBGROUPS
// Subgroup partials, one array per reduction so the second needs no barrier to wait for the first's readers.
var<workgroup> subgroupMaxima: array<f32, WORKGROUP>;
var<workgroup> subgroupSums: array<f32, WORKGROUP>;

struct Subgroup {
  id: u32,
  count: u32,
  lane: u32,
  size: u32,
}

fn reduceMaxSubgroups(sg: Subgroup, v: f32) -> f32 {
  let r = subgroupMax(v);
  if (sg.lane == 0u) { subgroupMaxima[sg.id] = r; }
  workgroupBarrier();
  var m = LOWEST;
  for (var i = sg.lane; i < sg.count; i += sg.size) { m = max(m, subgroupMaxima[i]); }
  return subgroupMax(m);
}

fn reduceSumSubgroups(sg: Subgroup, v: f32) -> f32 {
  let r = subgroupAdd(v);
  if (sg.lane == 0u) { subgroupSums[sg.id] = r; }
  workgroupBarrier();
  var s = 0.0;
  for (var i = sg.lane; i < sg.count; i += sg.size) { s += subgroupSums[i]; }
  return subgroupAdd(s);
}

@compute @workgroup_size(WORKGROUP)
fn mainSubgroups(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) lid: u32,
                 @builtin(subgroup_id) sgId: u32, @builtin(num_subgroups) sgCount: u32,
                 @builtin(subgroup_invocation_id) sgLane: u32, @builtin(subgroup_size) sgSize: u32) {
  let row = linearWorkgroupIndex(wid, nwg);
  if (row >= p.rows) { return; }
  let sg = Subgroup(sgId, sgCount, sgLane, sgSize);
  let base = row * p.length;
  var m = LOWEST;
  for (var i = lid; i < p.length; i += WORKGROUP) { m = max(m, x[base + i]); }
  m = reduceMaxSubgroups(sg, m);
  var s = 0.0;
  for (var i = lid; i < p.length; i += WORKGROUP) { s += exp(x[base + i] - m); }
  s = reduceSumSubgroups(sg, s);
  for (var i = lid; i < p.length; i += WORKGROUP) { y[base + i] = exp(x[base + i] - m) / s; }
}
//!end

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = linearWorkgroupIndex(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.length;
  var m = LOWEST;
  for (var i = lid; i < p.length; i += WORKGROUP) { m = max(m, x[base + i]); }
  m = reduceTree(lid, m, true);
  var s = 0.0;
  for (var i = lid; i < p.length; i += WORKGROUP) { s += exp(x[base + i] - m); }
  s = reduceTree(lid, s, false);
  for (var i = lid; i < p.length; i += WORKGROUP) { y[base + i] = exp(x[base + i] - m) / s; }
}
