// Inference batch norm, one invocation per element: y = (x − mean) / sqrt(var + eps) · weight + bias.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (N, C, T, H, W)
@group(0) @binding(2) var<storage, read> stats: array<vec4f>; // (C): (weight, bias, running_mean, running_var)
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let s = stats[(i / p.spatial) % p.channels];
  var v = (x[i] - s.z) / sqrt(s.w + p.eps) * s.x + s.y;
  if (RELU) { v = max(v, 0.0); }
  y[i] = v;
}
