// One invocation per output element: it reads from whichever input owns its channel.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<In>;       // (N, Ca, T, H, W)
@group(0) @binding(2) var<storage, read> b: array<In>;       // (N, Cb, T, H, W)
@group(0) @binding(3) var<storage, read_write> y: array<Out>; // (N, Ca + Cb, T, H, W)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let c = (i / p.spatial) % (p.channelsA + p.channelsB);
  let n = i / (p.spatial * (p.channelsA + p.channelsB));
  let s = i % p.spatial;
  if (c < p.channelsA) {
    y[i] = Out(a[(n * p.channelsA + c) * p.spatial + s]);
  } else {
    y[i] = Out(b[(n * p.channelsB + c - p.channelsA) * p.spatial + s]);
  }
}
