// One workgroup per row: its invocations stride over the row to find the max, then the sum of exp(x − max),
// each reduced in workgroup memory; then each writes its share of exp(x − max) / sum.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (rows, length)
@group(0) @binding(2) var<storage, read_write> y: array<f32>; // (rows, length)

var<workgroup> partial: array<f32, WORKGROUP>;

fn reduce(lid: u32, v: f32, isMax: bool) -> f32 {
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

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = linearWorkgroupIndex(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.length;
  var m = -0x1.fffffep+127f;
  for (var i = lid; i < p.length; i += WORKGROUP) { m = max(m, x[base + i]); }
  m = reduce(lid, m, true);
  var s = 0.0;
  for (var i = lid; i < p.length; i += WORKGROUP) { s += exp(x[base + i] - m); }
  s = reduce(lid, s, false);
  for (var i = lid; i < p.length; i += WORKGROUP) { y[base + i] = exp(x[base + i] - m) / s; }
}
