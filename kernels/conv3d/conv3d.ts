import shared from './conv3d.wgsl?raw';
import direct from './conv3dDirect.wgsl?raw';
import tiled from './conv3dTiled.wgsl?raw';
import {
  buildSource, cacheKeyOf, expectRank, fmt, packUniforms, shapeError, splitDispatch,
  type ElementTypes, type KernelDescriptor, type Shape,
} from '../kernel.ts';
import { windowOutput, type Triple } from '../window.ts';

export type { Triple };

export interface Conv3dAttrs {
  kernel: Triple;
  stride?: Triple;
  padding?: Triple;
  dilation?: Triple;
  /** Add the `residual` input (shaped like the output) before the activation. */
  residual?: boolean;
  relu?: boolean;
  /**
   * Write into channels [offset, offset + Cout) of an output with `outputChannelsTotal` channels, so a conv
   * can fill its slice of a concatenation without a copy.
   */
  outputChannelOffset?: number;
  outputChannelsTotal?: number;
}

/** conv3d with its epilogue (per-channel scale and shift, residual, ReLU). Inputs: x, weight, affine [, residual]. */
export interface Conv3dOp {
  op: 'conv3d';
  attrs: Conv3dAttrs;
}

/** How one conv runs on a device: chosen by whoever runs it (model/kernelChoice.ts), never by the graph. */
export interface Conv3dVariant {
  /** Weights as f32, or as f16 pairs packed in u32 (`packF16`); f32 arithmetic either way. */
  weightFormat?: 'f32' | 'f16';
  /**
   * 'f16': weights as f16 (`packF16`'s bytes, read as array<f16>), multiplies in f16, sums in f32 (the device must have
   * `shader-f16`). The activations' storage is `elements`'.
   */
  precision?: 'f32' | 'f16';
  elements?: ElementTypes;
  /** Default: defaultTile for the GEMM's shape under `tilePolicy`. */
  tile?: Conv3dTile;
  tilePolicy?: TilePolicy;
  /**
   * Share weight reads across quads of lanes with subgroup operations (direct tiles only; the device must have
   * them: hasSubgroups in device.ts).
   */
  subgroups?: boolean;
}

/**
 * How tiles are chosen where none is given. 'shared': workgroup-memory tiles wherever K is large enough for
 * their reuse to pay for the barriers (GPUs). 'direct': no barriers at all — on a software adapter, where
 * each barrier suspends and resumes every invocation, the direct loop measured 1–6× faster on every layer of
 * SlowFast R50 (npm run bench:kernels, SwiftShader).
 */
export type TilePolicy = 'shared' | 'direct';

/** The policy for an adapter (see isSoftwareAdapter). */
export function tilePolicyFor(software: boolean): TilePolicy {
  return software ? 'direct' : 'shared';
}

/** A workgroup computes TILE_M output channels × TILE_N positions; each invocation 4 × 4 of them (M, N multiples of 4). */
export interface Conv3dTile {
  m: number;
  n: number;
  /** The K step of the workgroup-memory tiles; ignored when `direct`. */
  k: number;
  /** No workgroup-memory tiles and no barriers: each invocation reads its operands from memory (small K). */
  direct?: boolean;
}

/** An invocation's register tile (channels × positions): the shader's vec4 quads, so 4. Injected into the WGSL. */
const THREAD_TILE = 4;

export const UNIFORMS = {
  inC: 'u32', inT: 'u32', inH: 'u32', inW: 'u32', inSpatial: 'u32',
  outC: 'u32', outW: 'u32', outHW: 'u32', outSpatial: 'u32', outChannelsTotal: 'u32', outChannelOffset: 'u32',
  kT: 'u32', kH: 'u32', kW: 'u32', kHW: 'u32', kVolume: 'u32', K: 'u32', positions: 'u32',
  strideT: 'u32', strideH: 'u32', strideW: 'u32', padT: 'u32', padH: 'u32', padW: 'u32',
  dilT: 'u32', dilH: 'u32', dilW: 'u32', blocksM: 'u32', blocks: 'u32', relu: 'u32',
} as const;

const OP = 'conv3d';

/** Output shape (N, Cout, To, Ho, Wo) of x (N, Cin, T, H, W) convolved with w (Cout, Cin, kT, kH, kW). */
export function conv3dShape(x: Shape, w: Shape, attrs: Conv3dAttrs): Shape {
  expectRank(OP, 'input', x, 5);
  expectRank(OP, 'weight', w, 5);
  const { kernel, stride = [1, 1, 1], padding = [0, 0, 0], dilation = [1, 1, 1] } = attrs;
  if (w[1] !== x[1]) shapeError(OP, `weight ${fmt(w)} expects ${w[1]} input channels, input ${fmt(x)} has ${x[1]}`);
  if (w[2] !== kernel[0] || w[3] !== kernel[1] || w[4] !== kernel[2]) {
    shapeError(OP, `weight ${fmt(w)} does not match kernel ${fmt(kernel)}`);
  }
  const out = windowOutput(OP, x, kernel, stride, padding, dilation);
  const total = attrs.outputChannelsTotal ?? w[0];
  const offset = attrs.outputChannelOffset ?? 0;
  if (offset < 0 || offset + w[0] > total) {
    shapeError(OP, `output channels [${offset}, ${offset + w[0]}) do not fit in ${total}`);
  }
  return [x[0], total, ...out];
}

/** The tiles the autotuner chooses among (each is tested for correctness). */
export const CONV3D_TILES: readonly Conv3dTile[] = [
  { m: 64, n: 64, k: 16 },
  { m: 64, n: 64, k: 8 },
  { m: 32, n: 128, k: 16 },
  { m: 16, n: 128, k: 16 },
  { m: 16, n: 64, k: 16 },
  { m: 32, n: 32, k: 16 },
  { m: 64, n: 16, k: 16 },
  { m: 128, n: 16, k: 16 },
  { m: 64, n: 16, k: 0, direct: true },
  // For small K (the Fast pathway's 8-channel layers), a shorter K step wastes less on zero padding.
  { m: 32, n: 128, k: 8 },
  { m: 16, n: 128, k: 8 },
  // Few output channels (the stems of narrow Fast pathways: 8 at full width, 2 at quarter width). A K step of 8:
  // 256 positions of X̂ at 16 would take more workgroup memory than every device has.
  { m: 8, n: 256, k: 8 },
  { m: 4, n: 256, k: 8 },
  // Small K (the Fast pathway's 8- and 16-channel layers): barriers would cost more than the reuse saves.
  { m: 16, n: 64, k: 0, direct: true },
  { m: 32, n: 32, k: 0, direct: true },
  { m: 8, n: 128, k: 0, direct: true },
  // Fewer than 8 output channels (a quarter-width Fast stem has 2): half the rows of an 8-row tile would be idle.
  { m: 4, n: 256, k: 0, direct: true },
];

/** Below this K, the direct loop beats workgroup-memory tiles even on a GPU: there is too little to reuse. */
export const DIRECT_MAX_K = 32;

/** Picks a tile for a GEMM of M output channels, N positions and depth K (autotuning refines this per adapter). */
export function defaultTile(m: number, n: number, k: number, policy: TilePolicy = 'shared'): Conv3dTile {
  if (policy === 'direct' || k <= DIRECT_MAX_K) {
    if (m <= 4) return { m: 4, n: 256, k: 0, direct: true };
    if (m <= 8) return { m: 8, n: 128, k: 0, direct: true };
    if (n <= 64) return { m: 64, n: 16, k: 0, direct: true };
    return { m: 16, n: 64, k: 0, direct: true };
  }
  if (m <= 8 && n >= 256) return { m: m <= 4 ? 4 : 8, n: 256, k: 8 };
  // Few positions (deep layers at small inputs): tall, narrow tiles waste less.
  if (n <= 16) return { m: m >= 128 ? 128 : 64, n: 16, k: 16 };
  if (n <= 32) return { m: 32, n: 32, k: 16 };
  if (m <= 16) return { m: 16, n: n >= 128 ? 128 : 64, k: 16 };
  if (m <= 32) return { m: 32, n: 128, k: 16 };
  return { m: 64, n: 64, k: 16 };
}

/**
 * What every WebGPU device allows (the limits a device has when none are raised): a tile within them runs on any
 * device, so no tile is ever chosen that a device cannot compile.
 */
export const DEFAULT_WORKGROUP_LIMITS = { invocations: 256, storageBytes: 16384 } as const;

/** A tile's workgroup: its invocations, and the workgroup memory its W and X̂ tiles and K split take (none direct). */
export function workgroupOf(tile: Conv3dTile): { invocations: number; storageBytes: number } {
  const wgM = tile.m / THREAD_TILE;
  const wgN = tile.n / THREAD_TILE;
  const vec4 = 16;
  return { invocations: wgM * wgN, storageBytes: tile.direct ? 0 : tile.k * (wgM + wgN) * vec4 + tile.k * vec4 };
}

function checkTile(tile: Conv3dTile): void {
  const wg = workgroupOf(tile);
  const ok = [tile.m, tile.n].every((d) => Number.isInteger(d / THREAD_TILE) && d >= THREAD_TILE) &&
    (tile.direct || (Number.isInteger(tile.k) && tile.k >= 1)) &&
    wg.invocations <= DEFAULT_WORKGROUP_LIMITS.invocations && wg.storageBytes <= DEFAULT_WORKGROUP_LIMITS.storageBytes;
  if (!ok) throw new Error(`${OP}: unsupported tile ${JSON.stringify(tile)}`);
}

/** Inputs: x, weight, affine (Cout × (scale, shift)), and residual when `attrs.residual`. Output: y. */
export function conv3d(x: Shape, w: Shape, attrs: Conv3dAttrs & Conv3dVariant): KernelDescriptor {
  const y = conv3dShape(x, w, attrs);
  const { kernel, stride = [1, 1, 1], padding = [0, 0, 0], dilation = [1, 1, 1] } = attrs;
  const [n, inC, inT, inH, inW] = x;
  const outC = w[0];
  const [, , outT, outH, outW] = y;
  const K = inC * kernel[0] * kernel[1] * kernel[2];
  const positions = n * outT * outH * outW;
  const tile = attrs.tile ?? defaultTile(outC, positions, K, attrs.tilePolicy);
  checkTile(tile);
  const blocksM = Math.ceil(outC / tile.m);
  const blocks = blocksM * Math.ceil(positions / tile.n);
  // 1×1×1 without padding, at any stride: column p of X̂ is x at p's window corner, channel by channel.
  const pointwise = kernel.every((k) => k === 1) && padding.every((q) => q === 0);
  // The shared bindings, columns, epilogue and entry point, then the algorithm's computeBlock.
  const src = buildSource(`${shared}\n${tile.direct ? direct : tiled}`, UNIFORMS, {
    TILE_M: tile.m, TILE_N: tile.n, TILE_K: tile.direct ? 1 : tile.k, THREAD_TILE,
    WG_M: tile.m / THREAD_TILE, WG_N: tile.n / THREAD_TILE,
    POINTWISE: pointwise, CONTIGUOUS: pointwise && stride.every((s) => s === 1), DIRECT: !!tile.direct, WEIGHT_F16: attrs.weightFormat === 'f16', RESIDUAL: !!attrs.residual,
    HALF: attrs.precision === 'f16',
  }, { subgroups: !!attrs.subgroups && !!tile.direct, elements: attrs.elements, f16: attrs.precision === 'f16' });
  return {
    name: OP,
    source: src,
    entryPoint: 'main',
    cacheKey: cacheKeyOf(OP, 'main', src),
    inputBindings: attrs.residual ? [1, 2, 3, 5] : [1, 2, 3],
    outputBindings: [4],
    uniforms: packUniforms(UNIFORMS, {
      inC, inT, inH, inW, inSpatial: inT * inH * inW,
      outC, outW, outHW: outH * outW, outSpatial: outT * outH * outW,
      outChannelsTotal: y[1], outChannelOffset: attrs.outputChannelOffset ?? 0,
      kT: kernel[0], kH: kernel[1], kW: kernel[2], kHW: kernel[1] * kernel[2], kVolume: kernel[0] * kernel[1] * kernel[2], K, positions,
      strideT: stride[0], strideH: stride[1], strideW: stride[2],
      padT: padding[0], padH: padding[1], padW: padding[2],
      dilT: dilation[0], dilH: dilation[1], dilW: dilation[2],
      blocksM, blocks, relu: attrs.relu ? 1 : 0,
    }),
    dispatch: splitDispatch(blocks),
  };
}

/** Interleaves per-channel (scale, shift) for the epilogue; scale defaults to 1 and shift (bias) to 0. */
export function conv3dAffine(outC: number, scale?: ArrayLike<number>, shift?: ArrayLike<number>): Float32Array<ArrayBuffer> {
  const a = new Float32Array(2 * outC);
  for (let c = 0; c < outC; c++) {
    a[2 * c] = scale ? scale[c] : 1;
    a[2 * c + 1] = shift ? shift[c] : 0;
  }
  return a;
}

/** Multiply-adds of one conv, for GFLOP/s figures (2 FLOPs each). */
export function conv3dFlops(x: Shape, w: Shape, attrs: Conv3dAttrs): number {
  const y = conv3dShape(x, w, attrs);
  return 2 * y[0] * w[0] * y[2] * y[3] * y[4] * w[1] * w[2] * w[3] * w[4];
}
