// conv3d's direct algorithm, for small K: no workgroup-memory tiles and no barriers; each invocation reads its
// operands straight from memory. Appended to conv3d.wgsl (the shared bindings, columns, epilogue and entry point).
// Small K: no tiles and no barriers; each invocation reads its operands straight from memory. Weights of
// channels past Cout and columns past the last position are read clamped (WGSL's robust access) and never
// stored: only the padding must read as zero.
fn accumulateDirect(c: Columns, co: u32) {
  let wRow = vec4u(co) * p.K + vec4u(0u, p.K, 2u * p.K, 3u * p.K);
//!if POINTWISE
  for (var k = 0u; k < p.K; k++) { pointwiseStep(c, wRow, k); }
//!else
  // Taps outer, input channels inner: a tap's offset in x and its padding mask are the same for every channel,
  // so they are worked out once per tap instead of once per k (integer divisions, which a CPU adapter does lane
  // by lane, among them), and the inner loop is the pointwise one plus a select.
  for (var tap = 0u; tap < p.kVolume; tap++) {
    let d = tapAt(tap);
    let inside = tapInside(c, d);
    var at = c.base + d.x;
    for (var k = tap; k < p.K; k += p.kVolume) {
      accumulate(weightQuadAt(wRow, k), select(V4(0.0), xQuad(at), inside));
      at += vec4i(i32(p.inSpatial));
    }
  }
//!end
}

//!if SUBGROUPS
// Each quad of subgroup lanes holds one channel quad (see placeInTile), so each lane reads one of the quad's 4 weights
// and the quad shares them: a quarter of the weight reads. This lane's place in its quad, set at entry.
var<private> quadLane: u32;
//!end

fn weightQuadAt(wRow: vec4u, k: u32) -> V4 {
  let at = wRow + k;
//!if SUBGROUPS
  // Broadcast as f32: subgroup operations on f16 need a feature of their own.
  let mine = f32(weightAt(at[quadLane]));
  return V4(vec4f(quadBroadcast(mine, 0u), quadBroadcast(mine, 1u), quadBroadcast(mine, 2u), quadBroadcast(mine, 3u)));
//!else
  return V4(weightAt(at.x), weightAt(at.y), weightAt(at.z), weightAt(at.w));
//!end
}

fn pointwiseStep(c: Columns, wRow: vec4u, k: u32) {
  accumulate(weightQuadAt(wRow, k), xQuad(c.base + i32(k * p.inSpatial)));
}


// Fills acc for the tile.
fn computeBlock(lid: u32, block: u32, tile: Tile) {
  acc = array<vec4f, THREAD_TILE>();
  accumulateDirect(tile.cols, tile.co);
}
