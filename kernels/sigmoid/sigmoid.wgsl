// One invocation per element. Each branch takes exp of a non-positive number, so neither overflows.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let v = x[i];
  let e = exp(-abs(v));
  y[i] = select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}
