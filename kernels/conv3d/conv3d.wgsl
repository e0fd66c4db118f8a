// conv3d as an implicit GEMM: C[co, p] = Σ_k W[co, k] · X̂[k, p], where p runs over every output position
// (n, t, h, w) — so time and batch fold into the GEMM's N — and k over (ci, kt, kh, kw). X̂ (im2col) is never
// materialised: each workgroup gathers its TILE_K × TILE_N slice of it straight from x into workgroup
// memory. Each workgroup computes a TILE_M × TILE_N block of C; each invocation a 4 × 4 register tile of it —
// 4 neighbouring channels × 4 neighbouring positions — whose operands it reads from workgroup memory as one
// vec4 of W and one vec4 of X̂ per k (the tiles are stored as vec4s of those quads).
// The epilogue applies the per-channel affine (folded batch norm or bias), the optional residual and ReLU.

//!header
// The header defines Params and: TILE_M, TILE_N, TILE_K, THREAD_TILE (4: an invocation's register tile is a
// vec4 quad of channels × one of positions), WG_M, WG_N (TILE = THREAD_TILE·WG), POINTWISE (1×1×1, no padding:
// row ci of X̂ is channel ci of x at each column's window corner), CONTIGUOUS (pointwise at stride 1: X̂ is x
// itself), DIRECT (the direct algorithm is appended), WEIGHT_F16 (weights as f16 pairs in u32), HALF (f16 storage and
// multiplies with f32 sums: weights as f16, activations as the header's In and Out), RESIDUAL. The //!if sections leave
// out what a variant never runs (compile time is per pipeline, and dear on a software adapter).

const WG = WG_M * WG_N;

// What the multiplies are done in: f16 under HALF (their sums are f32 either way).
//!if HALF
alias V = f16;
//!else
alias V = f32;
//!end
alias V4 = vec4<V>;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<In>;         // (N, Cin, Tin, Hin, Win)
//!if HALF
@group(0) @binding(2) var<storage, read> w: array<f16>;        // (Cout, Cin, kT, kH, kW)
//!else
@group(0) @binding(2) var<storage, read> w: array<u32>;        // (Cout, Cin, kT, kH, kW): f32 bits, or f16 pairs
//!end
@group(0) @binding(3) var<storage, read> affine: array<vec2f>; // (Cout): (scale, shift)
@group(0) @binding(4) var<storage, read_write> y: array<Out>;  // (N, outChannelsTotal, To, Ho, Wo)
@group(0) @binding(5) var<storage, read> residual: array<In>;  // (N, Cout, To, Ho, Wo), RESIDUAL only

var<private> acc: array<vec4f, THREAD_TILE>;                 // acc[i][j]: channel i, position j of this invocation

fn weightAt(i: u32) -> V {
//!if HALF
  return w[i];
//!else
  if (WEIGHT_F16) { return halfOf(w[i >> 1u], i); }
  return bitcast<f32>(w[i]);
//!end
}

// The 4 neighbouring X̂ columns (output positions) an invocation gathers, decomposed once for the whole K
// loop, one vector lane per column (no per-lane loops: a lane index into a private array costs a memory
// round trip on some compilers).
struct Columns {
  valid: vec4<bool>,
  // The corner of each column's window in x, per axis.
  t0: vec4i,
  h0: vec4i,
  w0: vec4i,
  // x index of (ci 0, corner) or, pointwise, of (ci 0, position).
  base: vec4i,
  // y index of (channel 0, position) and residual index of (channel 0, position).
  yBase: vec4u,
  residualBase: vec4u,
}

fn columnsAt(first: u32) -> Columns {
  let pos = vec4u(first) + vec4u(0u, 1u, 2u, 3u);
  let n = pos / p.outSpatial;
  let s = pos % p.outSpatial;
  let xBatch = vec4i(n * p.inC * p.inSpatial);
  var base = xBatch + vec4i(s);
  var t0 = vec4i(0);
  var h0 = vec4i(0);
  var w0 = vec4i(0);
  if (!CONTIGUOUS) {
    let hw = s % p.outHW;
    t0 = vec4i((s / p.outHW) * p.strideT) - i32(p.padT);
    h0 = vec4i((hw / p.outW) * p.strideH) - i32(p.padH);
    w0 = vec4i((hw % p.outW) * p.strideW) - i32(p.padW);
    base = xBatch + (t0 * i32(p.inH) + h0) * i32(p.inW) + w0;
  }
  let yBase = (n * p.outChannelsTotal + p.outChannelOffset) * p.outSpatial + s;
  return Columns(pos < vec4u(p.positions), t0, h0, w0, base, yBase, n * p.outC * p.outSpatial + s);
}

// x at the 4 indices of a column quad.
fn xQuad(at: vec4i) -> V4 {
  let a = vec4u(at);
  return V4(V(x[a.x]), V(x[a.y]), V(x[a.z]), V(x[a.w]));
}

// Tap (kt, kh, kw) of the window: (its offset in x from a column's base, kt·dilT, kh·dilH, kw·dilW).
fn tapAt(tap: u32) -> vec4i {
  let kt = tap / p.kHW;
  let khw = tap % p.kHW;
  let d = vec3i(vec3u(kt * p.dilT, (khw / p.kW) * p.dilH, (khw % p.kW) * p.dilW));
  return vec4i((d.x * i32(p.inH) + d.y) * i32(p.inW) + d.z, d);
}

// Which of the 4 columns' windows hold tap `d` (tapAt) inside x rather than in the padding. Negative coordinates
// wrap to huge u32s, so one unsigned compare per axis checks both ends.
fn tapInside(c: Columns, d: vec4i) -> vec4<bool> {
  return (vec4u(c.t0 + d.y) < vec4u(p.inT)) & (vec4u(c.h0 + d.z) < vec4u(p.inH)) & (vec4u(c.w0 + d.w) < vec4u(p.inW));
}


fn accumulate(a: V4, b: V4) {
  acc[0] += vec4f(a.x * b);
  acc[1] += vec4f(a.y * b);
  acc[2] += vec4f(a.z * b);
  acc[3] += vec4f(a.w * b);
}


// This invocation's register tile: channels m0 + tm·4 + i, positions n0 + tn·4 + j (it also gathers column quad tn
// of the X̂ tile).
struct Tile {
  co: u32,
  cols: Columns,
}

fn tileOf(lid: u32, block: u32) -> Tile {
  let m0 = (block % p.blocksM) * TILE_M;
  let n0 = (block / p.blocksM) * TILE_N;
  return Tile(m0 + (lid / WG_N) * THREAD_TILE, columnsAt(n0 + (lid % WG_N) * THREAD_TILE));
}

// computeBlock(lid, block, tile), which fills acc for the tile, is the algorithm's: conv3dDirect.wgsl or conv3dTiled.wgsl,
// appended to this source.

// ReLU is a uniform, not a constant: convs that differ only in it share a pipeline (fewer to compile), for one
// select per row.
fn activate4(v: vec4f) -> vec4f {
  return select(v, max(v, vec4f(0.0)), p.relu != 0u);
}

// Row i of the register tile (channel tile.co + i) after the affine, `extra` (the residual) and the activation,
// stored where it lies inside the output. Called with constant i and `whole`: on a software adapter an indexed
// private array, a loop or a guard around each store costs more than the stores themselves, so tiles wholly
// inside the output (all but the last ones) store without guards.
fn storeRow(tile: Tile, i: u32, sum: vec4f, extra: vec4f, whole: bool) {
  let co = tile.co + i;
  let ab = affine[co];
  let v = activate4(sum * ab.x + ab.y + extra);
  let at = tile.cols.yBase + co * p.outSpatial;
  if (whole) {
    y[at.x] = Out(v.x); y[at.y] = Out(v.y); y[at.z] = Out(v.z); y[at.w] = Out(v.w);
    return;
  }
  let ok = tile.cols.valid & vec4<bool>(co < p.outC);
  if (ok.x) { y[at.x] = Out(v.x); }
  if (ok.y) { y[at.y] = Out(v.y); }
  if (ok.z) { y[at.z] = Out(v.z); }
  if (ok.w) { y[at.w] = Out(v.w); }
}

// acc[i] without indexing the private array by a variable (which would move it out of registers everywhere).
fn accRow(i: u32) -> vec4f {
  return select(select(acc[0], acc[1], i == 1u), select(acc[2], acc[3], i == 3u), i >= 2u);
}

fn isWhole(tile: Tile) -> bool {
  return all(tile.cols.valid) && tile.co + 3u < p.outC;
}

// Per-invocation built-ins (the workgroup's stay separate parameters: as members of this struct they would count
// as non-uniform, and the barriers behind the early return of a split dispatch must be uniform).
struct Invocation {
  @builtin(local_invocation_index) lid: u32,
//!if SUBGROUPS
  @builtin(subgroup_id) subgroupId: u32,
  @builtin(subgroup_size) subgroupSize: u32,
  @builtin(subgroup_invocation_id) subgroupLane: u32,
//!end
}

// Where this invocation's register tile lies in the workgroup's block (see tileOf).
fn placeInTile(inv: Invocation) -> u32 {
//!if SUBGROUPS
  // By subgroup and lane rather than local index, so the 4 lanes of a quad (subgroup sizes are multiples of 4, as
  // WG_N is) hold neighbouring positions of one channel quad and can share its weights. Only the direct loop may
  // be placed so: the workgroup-memory tiles share their loads by local index.
  const_assert DIRECT;
  quadLane = inv.subgroupLane & 3u;
  return inv.subgroupId * inv.subgroupSize + inv.subgroupLane;
//!else
  return inv.lid;
//!end
}

// Row i of the residual, added before the activation (clamped reads past the end of the output, never stored);
// zero without one. A section rather than a branch: a module that never names `residual` needs no residual
// buffer in its bind group (a binding counts as used even in a branch that never runs).
fn extraRow(tile: Tile, i: u32) -> vec4f {
//!if RESIDUAL
  let at = tile.cols.residualBase + (tile.co + i) * p.outSpatial;
  return vec4f(f32(residual[at.x]), f32(residual[at.y]), f32(residual[at.z]), f32(residual[at.w]));
//!else
  return vec4f(0.0);
//!end
}

@compute @workgroup_size(WG)
fn main(inv: Invocation, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let block = linearWorkgroupIndex(wid, nwg);
  // Past the end of a split dispatch (uniform across the workgroup, so the barriers inside stay uniform).
  if (block >= p.blocks) { return; }
  let tile = tileOf(placeInTile(inv), block);
  computeBlock(inv.lid, block, tile);
  if (isWhole(tile)) {
    storeRow(tile, 0u, acc[0], extraRow(tile, 0u), true);
    storeRow(tile, 1u, acc[1], extraRow(tile, 1u), true);
    storeRow(tile, 2u, acc[2], extraRow(tile, 2u), true);
    storeRow(tile, 3u, acc[3], extraRow(tile, 3u), true);
  } else {
    // The last tiles: one guarded row at a time, in a loop (rarely run, so kept small to compile).
    for (var i = 0u; i < THREAD_TILE; i++) { storeRow(tile, i, accRow(i), extraRow(tile, i), false); }
  }
}
