// Conv tiles tuned once per adapter: the layer shapes of a built graph are timed with each candidate tile
// (kernels/conv3d/autotune.ts) and the table is kept in a cache keyed by the adapter, so later loads — and
// other models sharing layer shapes — start with it. The layer shapes come from a graph of shapes alone
// (buildSlowFast without weights); plan the model with `tiles` to use the table.
import { autotuneConv3d, convSignature, type AutotuneOptions, type ConvLayerShape, type TileTable } from '../kernels/conv3d/autotune.ts';
import type { Conv3dTile, TilePolicy } from '../kernels/conv3d/conv3d.ts';
import type { AdapterDescription } from '../kernels/device.ts';
import type { Dtype } from '../kernels/kernel.ts';
import type { Graph } from './graph.ts';

/** Where tuned tables live between visits (Cache Storage, OPFS, a file; a Map in tests). */
export interface TileCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Every conv layer of a graph, by its shapes and window, as run in `precision`. */
export function convLayersOf(graph: Graph, precision: Dtype = 'f32'): ConvLayerShape[] {
  return graph.nodes.flatMap(({ op, inputs }) => {
    if (op.op !== 'conv3d') return [];
    const { kernel, stride, padding, dilation } = op.attrs;
    return [{ x: graph.shape(inputs[0]), w: graph.shape(inputs[1]), attrs: { kernel, stride, padding, dilation }, precision }];
  });
}

/** The cache key of an adapter's table (a new driver or browser may change what is fastest: it is in here). */
export function tileCacheKey(adapter: AdapterDescription, policy: TilePolicy): string {
  // v2: the candidates fit WebGPU's default limits (tables of v1 may name a tile that no longer is one).
  return `conv3d-tiles/v2/${policy}/${[adapter.vendor, adapter.architecture, adapter.device, adapter.description].join('|')}`;
}

export interface TunedTiles {
  tiles: TileTable;
  /** Layer shapes measured now (0 when the cache had them all). */
  tuned: number;
  /** Whether the table covers every layer shape of the graph in the precision asked (false when tuning was aborted part-way). */
  complete: boolean;
  ms: number;
}

/**
 * The cached table for this adapter, completed by tuning the graph's layer shapes it lacks in `o.precision`
 * (default f32; the device must have shader-f16 for f16), and stored. One table holds both precisions' tiles.
 * When `o.signal` aborts, the shapes measured so far are stored too, so the next call picks up where this stopped.
 */
export async function loadOrTuneTiles(
  device: GPUDevice, adapter: AdapterDescription, graph: Graph,
  o: Omit<AutotuneOptions, 'policy'> & { policy: TilePolicy; cache: TileCache; precision?: Dtype },
): Promise<TunedTiles> {
  const started = performance.now();
  const key = tileCacheKey(adapter, o.policy);
  let cached: TileTable = {};
  try {
    const text = await o.cache.get(key);
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed === 'object' && parsed !== null) cached = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, Conv3dTile] => isTile(e[1])));
  } catch {
    cached = {}; // an unreadable entry is re-measured
  }
  const layers = convLayersOf(graph, o.precision);
  const missing = layers.filter((l) => !isTile(cached[convSignature(l)]));
  if (missing.length === 0) return { tiles: cached, tuned: 0, complete: true, ms: performance.now() - started };
  const measured = await autotuneConv3d(device, missing, o);
  const tiles = { ...cached, ...measured };
  const tuned = Object.keys(measured).length;
  if (tuned > 0) await o.cache.set(key, JSON.stringify(tiles));
  const complete = layers.every((l) => isTile(tiles[convSignature(l)]));
  return { tiles, tuned, complete, ms: performance.now() - started };
}

function isTile(t: unknown): t is Conv3dTile {
  return typeof t === 'object' && t !== null && 'm' in t && 'n' in t && 'k' in t &&
    Number.isInteger(t.m) && Number.isInteger(t.n) && Number.isInteger(t.k);
}
