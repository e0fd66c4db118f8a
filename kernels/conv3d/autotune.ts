// Tile autotuning: each distinct conv layer shape is timed with the candidate tiles on this adapter and the
// fastest kept — once per adapter, the table cached by whoever owns storage (see model/autotune.ts). The
// kernel benchmark measures with the same code.
import { randomArray, rng } from '../compare.ts';
import { packF16 } from '../f16.ts';
import { sizeOf, storedBytes, type Dtype, type Shape } from '../kernel.ts';
import { bindKernel, storageBuffer, timeDispatch } from '../runKernel.ts';
import { CONV3D_TILES, conv3d, conv3dAffine, conv3dFlops, conv3dShape, type Conv3dAttrs, type Conv3dTile, type Conv3dVariant, type TilePolicy } from './conv3d.ts';

export interface Measured {
  tile: Conv3dTile;
  seconds: number;
  gflops: number;
}

/**
 * The fastest of `tiles` for one layer shape, timed as the model runs it: in f16 (`attrs.precision`) with its
 * activations and weights stored as f16, else in f32.
 */
export async function bestTile(device: GPUDevice, x: Shape, w: Shape, attrs: Conv3dAttrs & Conv3dVariant, samples: number, minSeconds: number, tiles: readonly Conv3dTile[]): Promise<Measured> {
  const random = rng(1);
  const y = conv3dShape(x, w, attrs);
  const dtype: Dtype = attrs.precision === 'f16' ? 'f16' : 'f32';
  // Values a GPU reads as they are stored: f16 operands are packF16's bytes (f32 bits read as f16 may be NaNs).
  const stored = (values: Float32Array) => (dtype === 'f16' ? packF16(values) : values);
  const xBuf = storageBuffer(device, stored(randomArray(sizeOf(x), random)));
  const wBuf = storageBuffer(device, stored(randomArray(sizeOf(w), random)));
  const aBuf = storageBuffer(device, conv3dAffine(w[0]));
  const yBuf = storageBuffer(device, storedBytes(y, dtype));
  const flops = conv3dFlops(x, w, attrs);
  const variant = dtype === 'f16' ? { precision: 'f16' as const, elements: { in: dtype, out: dtype } } : {};
  let best: Measured | undefined;
  try {
    for (const tile of tiles) {
      const bound = await bindKernel(device, conv3d(x, w, { ...attrs, ...variant, tile }), [xBuf, wBuf, aBuf], [yBuf]);
      const seconds = await timeDispatch(device, bound, samples, minSeconds);
      if (!best || seconds < best.seconds) best = { tile, seconds, gflops: flops / seconds / 1e9 };
    }
  } finally {
    for (const b of [xBuf, wBuf, aBuf, yBuf]) b.destroy();
  }
  return best!;
}

/** A conv layer's shapes, window and precision, which is all a tile's speed depends on. */
export interface ConvLayerShape {
  x: Shape;
  w: Shape;
  attrs: Pick<Conv3dAttrs, 'kernel' | 'stride' | 'padding' | 'dilation'>;
  /** How the layer is stored and multiplied (default f32). */
  precision?: Dtype;
}

/**
 * The key of a layer shape in a tile table: tiles are kept per precision, as the fastest in f32 need not be the
 * fastest in f16 (the f32 keys are those of tables tuned before f16 existed, so those tables still count).
 */
export function convSignature({ x, w, attrs, precision = 'f32' }: ConvLayerShape): string {
  const { stride = [1, 1, 1], padding = [0, 0, 0], dilation = [1, 1, 1] } = attrs;
  return `${precision === 'f16' ? 'f16 ' : ''}x${x.join('x')} w${w.join('x')} s${stride.join('')} p${padding.join('')} d${dilation.join('')}`;
}

/** The precision a layer signature is for. */
export function signaturePrecision(signature: string): Dtype {
  return signature.startsWith('f16 ') ? 'f16' : 'f32';
}

/** Layer signature (shape and precision) → the fastest tile measured for it. */
export type TileTable = Record<string, Conv3dTile>;

/**
 * The tiles worth trying under a policy: on a software adapter only barrier-free ones (workgroup-memory tiles
 * were slower on every layer there, and take tens of seconds each to compile).
 */
export function tileCandidates(policy: TilePolicy): Conv3dTile[] {
  return CONV3D_TILES.filter((t) => policy === 'shared' || t.direct);
}

export interface AutotuneOptions {
  policy: TilePolicy;
  samples?: number;
  minSeconds?: number;
  /** Called after each layer with how many are done. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between layer shapes (the table then holds those measured so far). */
  signal?: AbortSignal;
  /** Time the tiles as the model will run them: with subgroups where it uses them (Conv3dVariant.subgroups). */
  subgroups?: boolean;
}

/**
 * Times every candidate tile on each distinct layer shape and returns the fastest per shape — only the shapes
 * measured before `o.signal` aborted, if it did.
 */
export async function autotuneConv3d(device: GPUDevice, layers: ConvLayerShape[], o: AutotuneOptions): Promise<TileTable> {
  const distinct = new Map(layers.map((l) => [convSignature(l), l]));
  const table: TileTable = {};
  let done = 0;
  for (const [signature, l] of distinct) {
    if (o.signal?.aborted) break;
    table[signature] = (await bestTile(device, l.x, l.w, { ...l.attrs, subgroups: o.subgroups, precision: l.precision }, o.samples ?? 3, o.minSeconds ?? 0.02, tileCandidates(o.policy))).tile;
    o.onProgress?.(++done, distinct.size);
  }
  return table;
}
