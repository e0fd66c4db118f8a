// The whole model against the official pytorchvideo outputs in ../shared/golden: logits and every block.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, hasF16 } from '../kernels/device.ts';
import { closeness } from '../kernels/compare.ts';
import { fetchShared, sharedF32, sharedJson } from '../kernels/fixtures.ts';
import { Executor } from './executor.ts';
import { kernelChoices, PrecisionError } from './kernelChoice.ts';
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
});
