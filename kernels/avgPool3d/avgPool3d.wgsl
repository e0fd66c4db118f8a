// One invocation per output element: the mean over its window with PyTorch's default count_include_pad=True
// (padded positions add 0 but count in the divisor, the whole kernel volume).
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<In>;       // (N, C, T, H, W)
@group(0) @binding(2) var<storage, read_write> y: array<Out>; // (N, C, To, Ho, Wo)

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.count) { return; }
  let wo = i % p.outW;
  let ho = (i / p.outW) % p.outH;
  let to = (i / (p.outW * p.outH)) % p.outT;
  let nc = i / (p.outW * p.outH * p.outT);
  let base = nc * p.inT * p.inH * p.inW;
  var s = 0.0;
  for (var kt = 0u; kt < p.kT; kt++) {
    let ti = i32(to * p.strideT + kt) - i32(p.padT);
    if (ti < 0 || ti >= i32(p.inT)) { continue; }
    for (var kh = 0u; kh < p.kH; kh++) {
      let hi = i32(ho * p.strideH + kh) - i32(p.padH);
      if (hi < 0 || hi >= i32(p.inH)) { continue; }
      for (var kw = 0u; kw < p.kW; kw++) {
        let wi = i32(wo * p.strideW + kw) - i32(p.padW);
        if (wi < 0 || wi >= i32(p.inW)) { continue; }
        s += f32(x[base + (u32(ti) * p.inH + u32(hi)) * p.inW + u32(wi)]);
      }
    }
  }
  y[i] = Out(s / f32(p.kT * p.kH * p.kW));
}
