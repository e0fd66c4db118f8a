// One invocation per output pixel of one frame: it resizes (bilinear, PyTorch's align_corners=False, no
// antialias), crops and normalises the RGB of the source frame, and writes the three channels at time t of
// clip n in an (N, 3, T, H, W) tensor.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var frame: texture_2d<f32>;              // RGBA, values in [0, 1]
@group(0) @binding(2) var<storage, read_write> clip: array<f32>; // (N, 3, T, H, W)

// Source coordinate and weights of resized index `dst` along one axis, as in PyTorch's
// area_pixel_compute_source_index: src = (dst + 0.5)·scale − 0.5, clamped at 0.
fn sourceIndex(dst: u32, scale: f32, size: u32) -> vec3f {
  let src = max((f32(dst) + 0.5) * scale - 0.5, 0.0);
  let i0 = min(u32(src), size - 1u);
  let i1 = min(i0 + 1u, size - 1u);
  return vec3f(f32(i0), f32(i1), src - f32(i0));
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.outH * p.outW) { return; }
  let ox = i % p.outW;
  let oy = i / p.outW;
  let sx = sourceIndex(ox + p.cropX, p.scaleX, p.srcW);
  let sy = sourceIndex(oy + p.cropY, p.scaleY, p.srcH);
  let x0 = i32(sx.x); let x1 = i32(sx.y); let y0 = i32(sy.x); let y1 = i32(sy.y);
  let top = (1.0 - sx.z) * textureLoad(frame, vec2i(x0, y0), 0).rgb + sx.z * textureLoad(frame, vec2i(x1, y0), 0).rgb;
  let bottom = (1.0 - sx.z) * textureLoad(frame, vec2i(x0, y1), 0).rgb + sx.z * textureLoad(frame, vec2i(x1, y1), 0).rgb;
  let rgb = ((1.0 - sy.z) * top + sy.z * bottom - vec3f(p.meanR, p.meanG, p.meanB)) / vec3f(p.stdR, p.stdG, p.stdB);
  let plane = p.outH * p.outW;
  let base = (p.clip * 3u * p.frames + p.t) * plane + i;
  clip[base] = rgb.r;
  clip[base + p.frames * plane] = rgb.g;
  clip[base + 2u * p.frames * plane] = rgb.b;
}
