// One invocation per output element: frame t of the output is frame index[t] of the input, so the Slow
// pathway's clip is gathered from the Fast pathway's on the GPU, with no second upload.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<In>;       // (N, C, Tin, H, W)
@group(0) @binding(2) var<storage, read> index: array<u32>;   // (Tout): which input frame each output frame is
@group(0) @binding(3) var<storage, read_write> y: array<Out>; // (N, C, Tout, H, W)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let hw = i % p.hw;
  let t = (i / p.hw) % p.outT;
  let nc = i / (p.hw * p.outT);
  y[i] = Out(x[(nc * p.inT + index[t]) * p.hw + hw]);
}
