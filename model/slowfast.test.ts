// The whole model against the official pytorchvideo outputs in ../shared/golden: logits and every block.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, hasF16, isSoftwareAdapter } from '../kernels/device.ts';
import { convSignature, signaturePrecision, tileCandidates } from '../kernels/conv3d/autotune.ts';
import { tilePolicyFor } from '../kernels/conv3d/conv3d.ts';
import { KernelCompileError } from '../kernels/runKernel.ts';
import { convLayersOf, loadOrTuneTiles, tileCacheKey } from './autotune.ts';
import { closeness } from '../kernels/compare.ts';
import { fetchShared, sharedF32, sharedJson } from '../kernels/fixtures.ts';
import { Executor } from './executor.ts';
import { kernelChoices, PrecisionError } from './kernelChoice.ts';
import { Classifier } from './classifier.ts';
import { backboneIdentity, checkBackbone, foldHead } from './head/customHead.ts';
import { trainHead } from './head/train.ts';
import { GOLDEN_FIXTURES, type GoldenFixture } from './goldenFixtures.ts';
import { buildSlowFast, type Tap } from './slowfast.ts';
import { readPyTorchCheckpoint } from './weights/pytorch.ts';
import { StateDictSource } from './weights/weightSource.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

interface Manifest {
  files: { file: string; shape: number[] }[];
  top5: { indices: number[] };
}

function topK(x: Float32Array, k: number): number[] {
  return [...x.keys()].sort((a, b) => x[b] - x[a]).slice(0, k);
}

/** Reads a tap: the tensor, or its channel slice (N = 1). */
async function readTap(ex: Executor, tap: Tap): Promise<Float32Array> {
  const all = await ex.read(tap.tensor);
  if (!tap.channels) return all;
  const shape = ex.graph.shape(tap.tensor);
  const plane = shape.slice(2).reduce((a, b) => a * b, 1);
  return all.slice(tap.channels[0] * plane, tap.channels[1] * plane);
}

describe('SlowFast against the golden pytorchvideo outputs', () => {
  for (const fixture of Object.keys(GOLDEN_FIXTURES) as GoldenFixture[]) {
    it(`${fixture}: logits and every block output, from checkpoint.pyth`, async () => {
      const dir = `golden/${fixture}`;
      const manifest = await sharedJson<Manifest>(`${dir}/manifest.json`);
      const stateDict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
      const model = buildSlowFast(GOLDEN_FIXTURES[fixture], new StateDictSource(stateDict));
      const keep = [...model.taps.values()].map((t) => t.tensor);
      const ex = await Executor.plan(device, model.graph, { keep });
      const out = await ex.run({
        slow: await sharedF32(`${dir}/input_slow.bin`),
        fast: await sharedF32(`${dir}/input_fast.bin`),
      });
      const logits = out.logits!;
      const ref = await sharedF32(`${dir}/logits.bin`);
      const c = closeness(logits, ref, 1e-4, 1e-5);
      expect(c.ok, `logits: ${c.summary}`).toBe(true);
      expect(topK(logits, 5)).toEqual(manifest.top5.indices);

      const intermediates = manifest.files.filter((f) => f.file.startsWith('intermediates/'));
      expect(intermediates.length).toBeGreaterThan(15);
      const failures: string[] = [];
      for (const f of intermediates) {
        const name = f.file.slice('intermediates/'.length, -'.bin'.length);
        const tap = model.taps.get(name);
        if (!tap) {
          failures.push(`${name}: no tap`);
          continue;
        }
        const ours = await readTap(ex, tap);
        const r = closeness(ours, await sharedF32(`${dir}/${f.file}`), 1e-4, 1e-5);
        if (!r.ok) failures.push(`${name}: ${r.summary}`);
      }
      expect(failures).toEqual([]);
      ex.destroy();
    });
  }
});

// f16 storage and multiplies with f32 sums, from the golden checkpoint: Gecko's WebGPU has shader-f16 (SwiftShader has
// none, and refuses an explicit f16 with the reason). The 4×16 fixture's top-5 logits are at least 2% of max|logit| apart.
describe('SlowFast in f16 where the GPU has shader-f16', () => {
  it('slowfast_r50_w16_4x16_64px: the golden logits within 1e-2·max|ref|, the same top-5, in at most 0.6× the f32 plan\'s GPU memory', async () => {
    const dir = 'golden/slowfast_r50_w16_4x16_64px';
    const manifest = await sharedJson<Manifest>(`${dir}/manifest.json`);
    const stateDict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
    const model = buildSlowFast(GOLDEN_FIXTURES.slowfast_r50_w16_4x16_64px, new StateDictSource(stateDict));
    expect(kernelChoices(device, { precision: 'auto' }).precision).toBe(hasF16(device) ? 'f16' : 'f32');
    if (!hasF16(device)) {
      await expect(Executor.plan(device, model.graph, { precision: 'f16' })).rejects.toThrow(PrecisionError);
      await expect(Executor.plan(device, model.graph, { precision: 'f16' })).rejects.toThrow('f16 precision needs a GPU with shader-f16, which this one does not have: choose auto or f32');
      return;
    }
    const half = await Executor.plan(device, model.graph, { precision: 'f16' });
    const out = await half.run({ slow: await sharedF32(`${dir}/input_slow.bin`), fast: await sharedF32(`${dir}/input_fast.bin`) });
    const ref = await sharedF32(`${dir}/logits.bin`);
    const c = closeness(out.logits!, ref, 1e-2, 0);
    expect(c.ok, `logits: ${c.summary}`).toBe(true);
    expect(topK(out.logits!, 5)).toEqual(manifest.top5.indices);
    const full = await Executor.plan(device, model.graph, { precision: 'f32' });
    expect(half.memory.totalBytes).toBeLessThanOrEqual(0.6 * full.memory.totalBytes);
    expect(half.memory.weightBytes).toBeLessThanOrEqual(0.6 * full.memory.weightBytes);
    half.destroy();
    full.destroy();
  });

  it('the pooled features agree across precisions: a head taught on f32 features labels f16 ones as f32 ones, and the other way round', async () => {
    const dir = 'golden/slowfast_r50_w16_4x16_64px';
    const config = GOLDEN_FIXTURES.slowfast_r50_w16_4x16_64px;
    const dict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
    if (!hasF16(device)) {
      await expect(Classifier.create(device, config, new StateDictSource(dict), { precision: 'f16' })).rejects.toThrow(PrecisionError);
      return;
    }
    // Clips that differ: the golden one, time reversed, mirrored, dimmed; two classes of two takes each.
    const slow = await sharedF32(`${dir}/input_slow.bin`);
    const fast = await sharedF32(`${dir}/input_fast.bin`);
    const reversed = (x: Float32Array, t: number) => {
      const plane = x.length / (3 * t);
      const y = new Float32Array(x.length);
      for (let c = 0; c < 3; c++) for (let f = 0; f < t; f++) y.set(x.subarray((c * t + f) * plane, (c * t + f + 1) * plane), (c * t + (t - 1 - f)) * plane);
      return y;
    };
    const mirrored = (x: Float32Array) => {
      const y = new Float32Array(x.length);
      for (let r = 0; r < x.length / 64; r++) for (let i = 0; i < 64; i++) y[r * 64 + i] = x[r * 64 + 63 - i];
      return y;
    };
    const clips = [
      { slow, fast }, { slow: mirrored(slow), fast: mirrored(fast) },
      { slow: reversed(slow, 8), fast: reversed(fast, 32) }, { slow: reversed(slow, 8).map((v) => v * 0.5), fast: reversed(fast, 32).map((v) => v * 0.5) },
    ];
    const features: Record<'f32' | 'f16', Float32Array[]> = { f32: [], f16: [] };
    for (const precision of ['f32', 'f16'] as const) {
      const c = await Classifier.create(device, config, new StateDictSource(dict), { precision });
      expect(c.precision).toBe(precision);
      for (const clip of clips) features[precision].push((await c.classify(clip)).features);
      c.destroy();
    }
    features.f16.forEach((f, i) => {
      const r = closeness(f, features.f32[i], 1e-2, 0);
      expect(r.ok, `clip ${i}: ${r.summary}`).toBe(true);
    });
    const identity = await backboneIdentity(dict, config, 'golden 4×16');
    const labelsOf = (head: { weight: Float32Array; bias: Float32Array }, f: Float32Array) => {
      const k = head.bias.length;
      const scores = Array.from({ length: k }, (_, j) => head.bias[j] + f.reduce((a, v, d) => a + v * head.weight[j * f.length + d], 0));
      return scores.indexOf(Math.max(...scores));
    };
    for (const [taught, other] of [['f32', 'f16'], ['f16', 'f32']] as const) {
      const examples = features[taught].map((f, i) => ({ features: f, label: i < 2 ? 0 : 1, group: `take ${i}` }));
      const trained = await trainHead(['forwards', 'backwards'], examples, { epochs: 100 });
      const head = { ...trained, classNames: ['forwards', 'backwards'], backbone: identity };
      // The fingerprint is of the weights: one head file serves both precisions.
      checkBackbone(head, identity);
      const folded = foldHead(head);
      expect(features[other].map((f) => labelsOf(folded, f))).toEqual(features[taught].map((f) => labelsOf(folded, f)));
      expect(features[taught].map((f) => labelsOf(folded, f))).toEqual([0, 0, 1, 1]);
    }
  });

  it('tiles tuned in f16 are kept beside the f32 ones in one table per adapter, and the model planned with them gives the golden logits', async () => {
    const dir = 'golden/slowfast_r50_w16_4x16_64px';
    const config = GOLDEN_FIXTURES.slowfast_r50_w16_4x16_64px;
    const { graph } = buildSlowFast(config);
    const policy = tilePolicyFor(isSoftwareAdapter(device.adapterInfo));
    const stored = new Map<string, string>();
    const cache = { get: async (key: string) => stored.get(key), set: async (key: string, value: string) => void stored.set(key, value) };
    const fast = { policy, cache, samples: 1, minSeconds: 0.002 };
    const adapter = (await acquireGpu()).adapter;
    if (!hasF16(device)) {
      await expect(loadOrTuneTiles(device, adapter, graph, { ...fast, precision: 'f16' })).rejects.toThrow(KernelCompileError);
      return;
    }
    // A table holding f32 tiles already (as a page that ran in f32 before keeps one): f16 is tuned into it.
    const f32 = { tiles: Object.fromEntries(convLayersOf(graph).map((l) => [convSignature(l), tileCandidates(policy)[0]])) };
    stored.set(tileCacheKey(adapter, policy), JSON.stringify(f32.tiles));
    const f16 = await loadOrTuneTiles(device, adapter, graph, { ...fast, precision: 'f16' });
    const shapes = new Set(convLayersOf(graph).map(convSignature)).size;
    expect(f16.tuned).toBe(shapes);
    expect(Object.keys(f16.tiles)).toHaveLength(2 * shapes);
    expect(Object.keys(f16.tiles).filter((s) => signaturePrecision(s) === 'f16').sort()).toEqual([...new Set(convLayersOf(graph, 'f16').map(convSignature))].sort());
    // The f32 tiles are as they were, and one cache entry holds both.
    for (const [signature, tile] of Object.entries(f32.tiles)) expect(f16.tiles[signature]).toEqual(tile);
    expect(stored.size).toBe(1);
    expect(JSON.parse([...stored.values()][0])).toEqual(f16.tiles);

    const dict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
    const tuned = await Classifier.create(device, config, new StateDictSource(dict), { precision: 'f16', tilePolicy: policy, tiles: f16.tiles });
    const out = await tuned.classify({ slow: await sharedF32(`${dir}/input_slow.bin`), fast: await sharedF32(`${dir}/input_fast.bin`) });
    tuned.destroy();
    const c = closeness(out.logits, await sharedF32(`${dir}/logits.bin`), 1e-2, 0);
    expect(c.ok, `logits: ${c.summary}`).toBe(true);
    expect(topK(out.logits, 5)).toEqual((await sharedJson<Manifest>(`${dir}/manifest.json`)).top5.indices);
  });
});
