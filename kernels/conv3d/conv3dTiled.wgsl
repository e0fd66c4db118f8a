// conv3d's tiled algorithm: each workgroup stages a TILE_K step of W and of X̂ (gathered from x) in workgroup memory,
// then every invocation accumulates its register tile from there. Appended to conv3d.wgsl (the shared bindings,
// columns, epilogue and entry point).

// Loading X̂: an invocation gathers one quad of 4 neighbouring columns, for rows lid / WG_N + r·WG_M.
const X_ROWS = (TILE_K + WG_M - 1u) / WG_M;
// Loading W: the TILE_K × WG_M (row, channel quad) cells are dealt out to the invocations in turn.
const W_CELLS = TILE_K * WG_M;
const W_ROUNDS = (W_CELLS + WG - 1u) / WG;

var<workgroup> tileW: array<V4, TILE_K * WG_M>; // [k][channel quad]
var<workgroup> tileX: array<V4, TILE_K * WG_N>; // [k][position quad]
// For each k of the current K step: (offset of (ci, kt, kh, kw) from a column's base in x, kt·dilT,
// kh·dilH, kw·dilW), so the divisions that split k are done once per workgroup, not once per element.
var<workgroup> kSplit: array<vec4i, TILE_K>;

// Row k of X̂ splits into (offset of (ci, kt, kh, kw) from a column's base in x, kt·dilT, kh·dilH, kw·dilW).
fn splitK(k: u32) -> vec4i {
  return tapAt(k % p.kVolume) + vec4i(i32((k / p.kVolume) * p.inSpatial), 0, 0, 0);
}

// X̂[k, the 4 columns]: zero in the padding, past the last position and past K. `d` is splitK(k) (unused
// pointwise).
fn gatherX(c: Columns, k: u32, d: vec4i) -> V4 {
  var at = c.base + i32(k * p.inSpatial);
  var inside = c.valid;
  if (!POINTWISE) {
    at = c.base + d.x;
    inside &= tapInside(c, d);
  }
  // Loads past the end are clamped to the buffer (WGSL's robust access); select drops them.
  return select(V4(0.0), xQuad(at), inside & vec4<bool>(k < p.K));
}

// W[co .. co+3, k]: zero past Cout and past K.
fn weightQuad(co: u32, k: u32) -> V4 {
  let at = vec4u(co) * p.K + vec4u(0u, p.K, 2u * p.K, 3u * p.K) + k;
  let v = V4(weightAt(at.x), weightAt(at.y), weightAt(at.z), weightAt(at.w));
  return select(V4(0.0), v, (vec4u(co) + vec4u(0u, 1u, 2u, 3u) < vec4u(p.outC)) & vec4<bool>(k < p.K));
}


// Fills acc for the tile.
fn computeBlock(lid: u32, block: u32, tile: Tile) {
  acc = array<vec4f, THREAD_TILE>();
  let m0 = (block % p.blocksM) * TILE_M;
  let tm = lid / WG_N;
  let tn = lid % WG_N;
  let cols = tile.cols;
  for (var k0 = 0u; k0 < p.K; k0 += TILE_K) {
    if (!POINTWISE) {
      for (var kk = lid; kk < TILE_K; kk += WG) { kSplit[kk] = splitK(min(k0 + kk, p.K - 1u)); }
    }
    workgroupBarrier();
    for (var r = 0u; r < W_ROUNDS; r++) {
      let cell = lid + r * WG;
      // Neighbouring invocations read neighbouring k of the same 4 channels.
      if (cell < W_CELLS) { tileW[(cell % TILE_K) * WG_M + cell / TILE_K] = weightQuad(m0 + (cell / TILE_K) * THREAD_TILE, k0 + cell % TILE_K); }
    }
    for (var r = 0u; r < X_ROWS; r++) {
      let kk = lid / WG_N + r * WG_M;
      if (kk < TILE_K) { tileX[kk * WG_N + tn] = gatherX(cols, k0 + kk, kSplit[kk]); }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) { accumulate(tileW[kk * WG_M + tm], tileX[kk * WG_N + tn]); }
    workgroupBarrier();
  }
}
