// One invocation per output element (N, αC, T, H, W): it reads frame t·α + k of fast channel c, where
// (k, c) come from the output channel in the chosen order.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<In>;       // (N, C, αT, H, W)
@group(0) @binding(2) var<storage, read_write> y: array<Out>; // (N, αC, T, H, W)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let hw = i % p.hw;
  let t = (i / p.hw) % p.outT;
  let oc = (i / (p.hw * p.outT)) % (p.alpha * p.channels);
  let n = i / (p.hw * p.outT * p.alpha * p.channels);
  // FRAME_MAJOR: oc = k·C + c (pack each α group's frames as channel blocks); else oc = c·α + k.
  let k = select(oc % p.alpha, oc / p.channels, FRAME_MAJOR);
  let c = select(oc / p.alpha, oc % p.channels, FRAME_MAJOR);
  y[i] = Out(x[((n * p.channels + c) * p.inT + t * p.alpha + k) * p.hw + hw]);
}
