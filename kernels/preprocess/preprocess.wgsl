// One invocation per output pixel of one frame: it resizes (bilinear, PyTorch's align_corners=False, no
// antialias), crops and normalises the RGB of the source frame, and writes the three channels at time t of
// clip n in an (N, 3, T, H, W) tensor, mirrored left to right where asked (an augmentation for teaching).
// All of that is done on the upright picture — the stored frame turned and flipped as its container or the
// frame itself says (a phone's portrait video is stored as landscape frames) — by reading each tap's texel
// where that turn put it, so no rotated copy is made.
//!header
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var frame: texture_2d<f32>;              // RGBA, values in [0, 1] (main)
@group(0) @binding(2) var<storage, read_write> clip: array<Out>; // (N, 3, T, H, W), f32 or (HALF_OUT) f16
// A module that names texture_external cannot compile where the device lacks it (Firefox's WebGPU), so only
// the EXTERNAL variant declares it.
//!if EXTERNAL
@group(0) @binding(3) var video: texture_external;              // an imported VideoFrame (mainExternal)
//!end

// Output column x reads resized column x (or, mirrored, outW − 1 − x: a horizontal flip of the crop).
// Source coordinate and weights of resized index `dst` along one axis, as in PyTorch's
// area_pixel_compute_source_index: src = (dst + 0.5)·scale − 0.5, clamped at 0.
fn sourceIndex(dst: u32, scale: f32, size: u32) -> vec3f {
  let src = max((f32(dst) + 0.5) * scale - 0.5, 0.0);
  let i0 = min(u32(src), size - 1u);
  let i1 = min(i0 + 1u, size - 1u);
  return vec3f(f32(i0), f32(i1), src - f32(i0));
}

// The stored frame's texel under upright texel (u, v), the upright picture being p.srcW × p.srcH: undo the
// horizontal flip, then the clockwise quarter turns (the display is the stored frame turned, then flipped, as
// WebCodecs and MP4's display matrix order them).
fn storedTexel(u: i32, v: i32) -> vec2i {
  let w = i32(p.srcW);
  let h = i32(p.srcH);
  let x = select(u, w - 1 - u, p.flip == 1u);
  switch p.quarterTurns {
    case 1u: { return vec2i(v, w - 1 - x); }
    case 2u: { return vec2i(w - 1 - x, h - 1 - v); }
    case 3u: { return vec2i(h - 1 - v, x); }
    default: { return vec2i(x, v); }
  }
}

// The four source pixels output pixel i blends, and their weights: (x0, x1, y0, y1), (wx, wy).
struct Taps { xy: vec4i, w: vec2f }

fn taps(i: u32) -> Taps {
  let x = select(i % p.outW, p.outW - 1u - i % p.outW, p.mirror == 1u);
  let sx = sourceIndex(x + p.cropX, p.scaleX, p.srcW);
  let sy = sourceIndex(i / p.outW + p.cropY, p.scaleY, p.srcH);
  return Taps(vec4i(i32(sx.x), i32(sx.y), i32(sy.x), i32(sy.y)), vec2f(sx.z, sy.z));
}

fn blend(t: Taps, p00: vec3f, p10: vec3f, p01: vec3f, p11: vec3f) -> vec3f {
  let top = (1.0 - t.w.x) * p00 + t.w.x * p10;
  let bottom = (1.0 - t.w.x) * p01 + t.w.x * p11;
  return (1.0 - t.w.y) * top + t.w.y * bottom;
}

fn store(i: u32, rgb01: vec3f) {
  let rgb = (rgb01 - vec3f(p.meanR, p.meanG, p.meanB)) / vec3f(p.stdR, p.stdG, p.stdB);
  let plane = p.outH * p.outW;
  let base = (p.clip * 3u * p.frames + p.t) * plane + i;
  clip[base] = Out(rgb.r);
  clip[base + p.frames * plane] = Out(rgb.g);
  clip[base + 2u * p.frames * plane] = Out(rgb.b);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.outH * p.outW) { return; }
  let t = taps(i);
  store(i, blend(t, textureLoad(frame, storedTexel(t.xy.x, t.xy.z), 0).rgb, textureLoad(frame, storedTexel(t.xy.y, t.xy.z), 0).rgb,
                    textureLoad(frame, storedTexel(t.xy.x, t.xy.w), 0).rgb, textureLoad(frame, storedTexel(t.xy.y, t.xy.w), 0).rgb));
}

//!if EXTERNAL

@compute @workgroup_size(WORKGROUP)
fn mainExternal(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linearInvocationIndex(wid, nwg, lid, WORKGROUP);
  if (i >= p.outH * p.outW) { return; }
  let t = taps(i);
  store(i, blend(t, textureLoad(video, storedTexel(t.xy.x, t.xy.z)).rgb, textureLoad(video, storedTexel(t.xy.y, t.xy.z)).rgb,
                    textureLoad(video, storedTexel(t.xy.x, t.xy.w)).rgb, textureLoad(video, storedTexel(t.xy.y, t.xy.w)).rgb));
}
//!end
