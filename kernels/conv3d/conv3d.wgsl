// conv3d as an implicit GEMM: C[co, p] = Σ_k W[co, k] · X̂[k, p], where p runs over every output position
// (n, t, h, w) — so time and batch fold into the GEMM's N — and k over (ci, kt, kh, kw). X̂ (im2col) is never
// materialised: each workgroup gathers its TILE_K × TILE_N slice of it straight from x into workgroup
// memory. Each workgroup computes a TILE_M × TILE_N block of C; each invocation a 4 × 4 register tile of it,
// at channels tm + i·WG_M and positions tn + j·WG_N, so neighbouring invocations touch neighbouring memory.
// The epilogue applies the per-channel affine (folded batch norm or bias), the optional residual and ReLU.

//!header
// The header defines Params and: TILE_M, TILE_N, TILE_K, WG_M, WG_N (TILE = 4·WG), POINTWISE (1×1×1,
// stride 1, no padding: X̂ is x itself), WEIGHT_F16, RELU.

const WG = WG_M * WG_N;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // (N, Cin, Tin, Hin, Win)
@group(0) @binding(2) var<storage, read> w: array<u32>;        // (Cout, Cin, kT, kH, kW): f32 bits, or f16 pairs
@group(0) @binding(3) var<storage, read> affine: array<vec2f>; // (Cout): (scale, shift)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;  // (N, outChannelsTotal, To, Ho, Wo)
@group(0) @binding(5) var<storage, read> residual: array<f32>; // (N, Cout, To, Ho, Wo), mainResidual only

var<workgroup> tileW: array<f32, TILE_K * TILE_M>; // [k][m]
var<workgroup> tileX: array<f32, TILE_K * TILE_N>; // [k][p]
// For each k of the current K step: (offset of (ci, kt, kh, kw) from a column's base in x, kt·dilT,
// kh·dilH, kw·dilW), so the divisions that split k are done once per workgroup, not once per element.
var<workgroup> kSplit: array<vec4i, TILE_K>;
var<private> acc: array<vec4f, 4>;                  // acc[i][j]: channel i, position j of this invocation

fn weightAt(i: u32) -> f32 {
  if (WEIGHT_F16) { return halfOf(w[i >> 1u], i); }
  return bitcast<f32>(w[i]);
}

// Fills acc for the block; returns false when the workgroup is past the end of a split dispatch.
fn computeBlock(lid: u32, block: u32) -> bool {
  if (block >= p.blocks) { return false; }
  let m0 = (block % p.blocksM) * TILE_M;
  let n0 = (block / p.blocksM) * TILE_N;

  // The column of X̂ this invocation gathers is fixed for the whole K loop: decompose it once.
  let col = lid % TILE_N;
  let pos = n0 + col;
  let posValid = pos < p.positions;
  let n = pos / p.outSpatial;
  let s = pos % p.outSpatial;
  let to = s / p.outHW;
  let hw = s % p.outHW;
  let ho = hw / p.outW;
  let wo = hw % p.outW;
  let t0 = i32(to * p.strideT) - i32(p.padT);
  let h0 = i32(ho * p.strideH) - i32(p.padH);
  let w0 = i32(wo * p.strideW) - i32(p.padW);
  let xBatch = n * p.inC * p.inSpatial;
  let colBase = i32(xBatch) + (t0 * i32(p.inH) + h0) * i32(p.inW) + w0;
  // The row of W this invocation loads at step r is fixed too.
  let wk = lid % TILE_K;

  for (var i = 0u; i < 4u; i++) { acc[i] = vec4f(0.0); }

  for (var k0 = 0u; k0 < p.K; k0 += TILE_K) {
    if (!POINTWISE && lid < TILE_K) {
      let k = min(k0 + lid, p.K - 1u);
      let ci = k / p.kVolume;
      let kr = k % p.kVolume;
      let kt = kr / p.kHW;
      let khw = kr % p.kHW;
      let kh = khw / p.kW;
      let kw = khw % p.kW;
      let d = vec3i(vec3u(kt * p.dilT, kh * p.dilH, kw * p.dilW));
      kSplit[lid] = vec4i(i32(ci * p.inSpatial) + (d.x * i32(p.inH) + d.y) * i32(p.inW) + d.z, d);
    }
    workgroupBarrier();
    for (var r = 0u; r < TILE_M * TILE_K / WG; r++) {
      let m = lid / TILE_K + r * (WG / TILE_K);
      let co = m0 + m;
      let k = k0 + wk;
      var v = 0.0;
      if (co < p.outC && k < p.K) { v = weightAt(co * p.K + k); }
      tileW[wk * TILE_M + m] = v;
    }
    for (var r = 0u; r < TILE_K * TILE_N / WG; r++) {
      let kk = lid / TILE_N + r * (WG / TILE_N);
      let k = k0 + kk;
      var v = 0.0;
      if (posValid && k < p.K) {
        if (POINTWISE) {
          v = x[xBatch + k * p.inSpatial + s];
        } else {
          let d = kSplit[kk];
          // Negative coordinates wrap to huge u32s, so one unsigned compare per axis checks both ends.
          let inside = vec3u(vec3i(t0, h0, w0) + d.yzw) < vec3u(p.inT, p.inH, p.inW);
          if (all(inside)) { v = x[u32(colBase + d.x)]; }
        }
      }
      tileX[kk * TILE_N + col] = v;
    }
    workgroupBarrier();

    let tm = lid / WG_N;
    let tn = lid % WG_N;
    for (var kk = 0u; kk < TILE_K; kk++) {
      let wr = kk * TILE_M + tm;
      let xr = kk * TILE_N + tn;
      let a = vec4f(tileW[wr], tileW[wr + WG_M], tileW[wr + 2u * WG_M], tileW[wr + 3u * WG_M]);
      let b = vec4f(tileX[xr], tileX[xr + WG_N], tileX[xr + 2u * WG_N], tileX[xr + 3u * WG_N]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  return true;
}

// For this invocation's 4 output positions: where channel 0 of each lives in y and in residual (the position
// splits into batch and spatial index once here, not once per channel), or 0xffffffff past the end.
fn columnBases(n0: u32) -> array<vec2u, 4> {
  var bases: array<vec2u, 4>;
  for (var j = 0u; j < 4u; j++) {
    let pos = n0 + j * WG_N;
    let n = pos / p.outSpatial;
    let s = pos % p.outSpatial;
    bases[j] = select(vec2u(0xffffffffu),
      vec2u((n * p.outChannelsTotal + p.outChannelOffset) * p.outSpatial + s, n * p.outC * p.outSpatial + s),
      pos < p.positions);
  }
  return bases;
}

fn activate(v: f32) -> f32 {
  if (RELU) { return max(v, 0.0); }
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let block = linearWorkgroupIndex(wid, nwg);
  if (!computeBlock(lid, block)) { return; }
  let m0 = (block % p.blocksM) * TILE_M + lid / WG_N;
  let bases = columnBases((block / p.blocksM) * TILE_N + lid % WG_N);
  for (var i = 0u; i < 4u; i++) {
    let co = m0 + i * WG_M;
    if (co >= p.outC) { break; }
    let ab = affine[co];
    for (var j = 0u; j < 4u; j++) {
      if (bases[j].x != 0xffffffffu) { y[bases[j].x + co * p.outSpatial] = activate(acc[i][j] * ab.x + ab.y); }
    }
  }
}

// A second entry point rather than a flag: `main` must not touch `residual` at all, so that its bind group
// needs no residual buffer (a binding counts as used even in a branch that never runs).
@compute @workgroup_size(WG)
fn mainResidual(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let block = linearWorkgroupIndex(wid, nwg);
  if (!computeBlock(lid, block)) { return; }
  let m0 = (block % p.blocksM) * TILE_M + lid / WG_N;
  let bases = columnBases((block / p.blocksM) * TILE_N + lid % WG_N);
  for (var i = 0u; i < 4u; i++) {
    let co = m0 + i * WG_M;
    if (co >= p.outC) { break; }
    let ab = affine[co];
    for (var j = 0u; j < 4u; j++) {
      if (bases[j].x != 0xffffffffu) {
        let r = residual[bases[j].y + co * p.outSpatial];
        y[bases[j].x + co * p.outSpatial] = activate(acc[i][j] * ab.x + ab.y + r);
      }
    }
  }
}
