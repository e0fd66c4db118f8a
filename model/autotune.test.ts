// Tiles tuned on this adapter: one measured tile per distinct layer shape, cached by adapter, and a model
// built with them still gives the golden logits.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, isSoftwareAdapter, type Gpu } from '../kernels/device.ts';
import { closeness } from '../kernels/compare.ts';
import { convSignature, tileCandidates } from '../kernels/conv3d/autotune.ts';
import { tilePolicyFor } from '../kernels/conv3d/conv3d.ts';
import { fetchShared, sharedF32 } from '../kernels/fixtures.ts';
import { convLayersOf, loadOrTuneTiles, tileCacheKey, type TileCache } from './autotune.ts';
import { Classifier } from './classifier.ts';
import { GOLDEN_FIXTURES } from './goldenFixtures.ts';
import { readPyTorchCheckpoint } from './weights/pytorch.ts';
import { StateDictSource } from './weights/weightSource.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await acquireGpu();
});

class MapCache implements TileCache {
  readonly map = new Map<string, string>();
  writes = 0;
  async get(key: string) {
    return this.map.get(key);
  }
  async set(key: string, value: string) {
    this.writes++;
    this.map.set(key, value);
  }
}

/** The 4×16 fixture's network at 32 px: few layer shapes, quick to tune. */
async function smallClassifier() {
  const config = { ...GOLDEN_FIXTURES.slowfast_r50_w16_4x16_64px, inputSize: 32 };
  const dict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared('golden/slowfast_r50_w16_4x16_64px/checkpoint.pyth')))).dict;
  const policy = tilePolicyFor(isSoftwareAdapter(gpu.device.adapterInfo));
  return { c: await Classifier.create(gpu.device, config, new StateDictSource(dict), { tilePolicy: policy }), policy };
}

describe('conv tile autotuning', () => {
  it('measures each distinct layer shape once per adapter, caches the table, and the tuned model gives the golden logits', async () => {
    const dir = 'golden/slowfast_r50_w16_4x16_64px';
    const config = GOLDEN_FIXTURES.slowfast_r50_w16_4x16_64px;
    const dict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
    const policy = tilePolicyFor(isSoftwareAdapter(gpu.device.adapterInfo));
    const plain = await Classifier.create(gpu.device, config, new StateDictSource(dict), { tilePolicy: policy });
    const layers = convLayersOf(plain.model.graph);
    const distinct = new Set(layers.map(convSignature));
    expect(layers.length).toBeGreaterThan(distinct.size);

    const cache = new MapCache();
    const first = await loadOrTuneTiles(gpu.device, gpu.adapter, plain.model.graph, { policy, cache, samples: 1, minSeconds: 0.002 });
    expect(first.tuned).toBe(distinct.size);
    expect(Object.keys(first.tiles).sort()).toEqual([...distinct].sort());
    const candidates = tileCandidates(policy).map((t) => JSON.stringify(t));
    for (const tile of Object.values(first.tiles)) expect(candidates).toContain(JSON.stringify(tile));
    expect(cache.writes).toBe(1);
    expect(JSON.parse(cache.map.get(tileCacheKey(gpu.adapter, policy))!)).toEqual(first.tiles);

    // Second load: everything comes from the cache, nothing is measured or written.
    const second = await loadOrTuneTiles(gpu.device, gpu.adapter, plain.model.graph, { policy, cache });
    expect(second.tuned).toBe(0);
    expect(second.tiles).toEqual(first.tiles);
    expect(cache.writes).toBe(1);
    plain.destroy();

    const tuned = await Classifier.create(gpu.device, config, new StateDictSource(dict), { tilePolicy: policy, tiles: first.tiles });
    const used = tuned.model.graph.nodes.filter((n) => n.op.op === 'conv3d');
    expect(used.length).toBe(layers.length);
    const out = await tuned.classify({ slow: await sharedF32(`${dir}/input_slow.bin`), fast: await sharedF32(`${dir}/input_fast.bin`) });
    tuned.destroy();
    const c = closeness(out.logits, await sharedF32(`${dir}/logits.bin`), 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
  });

  it('re-measures a cache entry it cannot read', async () => {
    const { c, policy } = await smallClassifier();
    const cache = new MapCache();
    cache.map.set(tileCacheKey(gpu.adapter, policy), '{not json');
    const r = await loadOrTuneTiles(gpu.device, gpu.adapter, c.model.graph, { policy, cache, samples: 1, minSeconds: 0.002 });
    expect(r.tuned).toBe(new Set(convLayersOf(c.model.graph).map(convSignature)).size);
    expect(JSON.parse(cache.map.get(tileCacheKey(gpu.adapter, policy))!)).toEqual(r.tiles);
    c.destroy();
  });

  it('stops between layer shapes when aborted, keeps what it measured, and the next call tunes only the rest', async () => {
    const { c, policy } = await smallClassifier();
    const distinct = new Set(convLayersOf(c.model.graph).map(convSignature)).size;
    const cache = new MapCache();
    const stop = new AbortController();
    const fast = { policy, cache, samples: 1, minSeconds: 0.002 };
    const first = await loadOrTuneTiles(gpu.device, gpu.adapter, c.model.graph, {
      ...fast, signal: stop.signal, onProgress: (done) => done === 2 && stop.abort(),
    });
    expect(first).toMatchObject({ tuned: 2, complete: false });
    expect(Object.keys(JSON.parse(cache.map.get(tileCacheKey(gpu.adapter, policy))!))).toHaveLength(2);
    const rest = await loadOrTuneTiles(gpu.device, gpu.adapter, c.model.graph, fast);
    expect(rest).toMatchObject({ tuned: distinct - 2, complete: true });
    expect(Object.keys(rest.tiles)).toHaveLength(distinct);
    for (const [signature, tile] of Object.entries(first.tiles)) expect(rest.tiles[signature]).toEqual(tile);
    c.destroy();
  });
});
