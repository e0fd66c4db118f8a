// A network run in f16 reads f16 frames: the engine resolves the precision on its device before it takes a ring,
// the ring is preprocessed in f16, and the GPU memory planned without a device is what the engine then holds.
// Gecko's WebGPU has shader-f16 (the firefox project); SwiftShader has none, and there the engine stays in f32.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, hasF16 } from '../../kernels/device.ts';
import { closeness } from '../../kernels/compare.ts';
import { roundToF16 } from '../../kernels/f16.ts';
import { fetchShared, sharedJson } from '../../kernels/fixtures.ts';
import { KernelCompileError } from '../../kernels/runKernel.ts';
import { GpuLimitError, plannedGpuBytes } from '../../model/executor.ts';
import { GOLDEN_FIXTURES } from '../../model/goldenFixtures.ts';
import { PrecisionError } from '../../model/kernelChoice.ts';
import { readWeights } from '../../model/weights/load.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { FrameRing } from '../video/frameRing.ts';
import { distanceFromGolden, GOLDEN_DIR, writeGoldenFrames } from '../video/goldenFrames.ts';
import { Engine, type EngineModel } from './engine.ts';
import { modelBudget } from './runtime.ts';

let device: GPUDevice;
let model: EngineModel;
const config = GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px;

beforeAll(async () => {
  device = (await acquireGpu()).device;
  const dict = (await readWeights(new Uint8Array(await fetchShared(`${GOLDEN_DIR}/checkpoint.pyth`)))).dict;
  model = { id: 1, config, weights: () => new StateDictSource(dict) };
});

const topK = (x: Float32Array, k: number) => [...x.keys()].sort((a, b) => x[b] - x[a]).slice(0, k);

describe('the engine in f16 where the GPU has shader-f16', () => {
  it('an f16 ring holds the decoded golden frames as the f32 ring does, each value rounded once to f16, in half the bytes', async () => {
    const half = new FrameRing(device, { size: 64, slots: 32, upload: 'copyTo', dtype: 'f16' });
    try {
      if (!hasF16(device)) {
        await expect(writeGoldenFrames(half)).rejects.toThrow(KernelCompileError);
        return;
      }
      const full = new FrameRing(device, { size: 64, slots: 32, upload: 'copyTo' });
      await writeGoldenFrames(half);
      await writeGoldenFrames(full);
      const [h, f] = [await half.read(), await full.read()];
      expect(half.bytes).toBe(full.bytes / 2);
      full.destroy();
      const c = closeness(h, roundToF16(f), 2 ** -10, 1e-6);
      expect(c.ok, c.summary).toBe(true);
      // Against the golden input (ffmpeg's frames): this browser's decoder sets the distance, f16 adds its rounding only.
      const [dHalf, dFull] = [await distanceFromGolden(h, 'input_fast.bin'), await distanceFromGolden(f, 'input_fast.bin')];
      expect(dFull.mean).toBeLessThanOrEqual(0.05);
      expect(dHalf.mean).toBeLessThanOrEqual(dFull.mean + 1e-3);
    } finally {
      half.destroy();
    }
  });

  it('an auto lease runs in f16 from an f16 ring: the f32 lease\'s labels, and the GPU memory planned for it', async () => {
    const engine = new Engine(device);
    try {
      if (!hasF16(device)) {
        const lease = await engine.lease(model, { views: 1, slots: 32, precision: 'auto' });
        expect([lease.ring.dtype, lease.classifier.precision]).toEqual(['f32', 'f32']);
        lease.release();
        await expect(engine.lease(model, { views: 1, slots: 32, precision: 'f16' })).rejects.toThrow(PrecisionError);
        return;
      }
      const clipIndex = Uint32Array.from({ length: 32 }, (_, i) => i);
      const logits: Record<'f32' | 'f16', Float32Array> = { f32: new Float32Array(), f16: new Float32Array() };
      for (const precision of ['f32', 'auto'] as const) {
        const lease = await engine.lease(model, { views: 1, slots: 32, precision });
        try {
          const dtype = precision === 'auto' ? 'f16' : 'f32';
          expect([lease.ring.dtype, lease.classifier.precision]).toEqual([dtype, dtype]);
          await writeGoldenFrames(lease.ring);
          logits[dtype] = (await lease.classifier.classify({ clipIndex }, 5, { bind: lease.bind })).logits;
          // The budget shown before a model loads is what the engine holds: weights and activation slots, in f16 too.
          const planned = modelBudget('golden', config, dtype);
          expect(lease.classifier.memory.weightBytes).toBe(planned.weightBytes);
          expect(plannedGpuBytes(lease.classifier.model.graph, { ring: dtype }, dtype).activationBytes).toBe(lease.classifier.memory.activationBytes);
        } finally {
          lease.release();
        }
      }
      const c = closeness(logits.f16, logits.f32, 1e-2, 0);
      expect(c.ok, c.summary).toBe(true);
      expect(topK(logits.f16, 5)).toEqual(topK(logits.f32, 5));
      const golden = await sharedJson<{ top5: { indices: number[] } }>(`${GOLDEN_DIR}/manifest.json`);
      expect(topK(logits.f16, 1)).toEqual(golden.top5.indices.slice(0, 1));
      const [budgetF16, budgetF32] = [modelBudget('golden', config, 'f16'), modelBudget('golden', config, 'f32')];
      const total = (b: typeof budgetF16) => b.weightBytes + b.workingBytes;
      expect(total(budgetF16)).toBeLessThanOrEqual(0.6 * total(budgetF32));
      expect(budgetF16.precision).toBe('f16');
    } finally {
      engine.destroy();
    }
  });

  it('a ring over one binding in f32 but not in f16 is planned in f16: tensors are checked at the size they are stored', async () => {
    const at224 = { ...model, id: 2, config: { ...config, inputSize: 224 } };
    const engine = new Engine(device);
    try {
      if (!hasF16(device)) {
        await expect(engine.lease(at224, { views: 1, slots: 250, precision: 'f16' })).rejects.toThrow(PrecisionError);
        return;
      }
      // 250 frames at 224 px: 150 MB in f32, over this GPU's binding limit (Firefox's 128 MiB); 75 MB in f16.
      const limit = device.limits.maxStorageBufferBindingSize;
      const frame = 3 * 224 * 224;
      expect(250 * frame * 4).toBeGreaterThan(limit);
      expect(250 * frame * 2).toBeLessThanOrEqual(limit);
      await expect(engine.lease(at224, { views: 1, slots: 250, precision: 'f32' })).rejects.toThrow(GpuLimitError);
      const lease = await engine.lease(at224, { views: 1, slots: 250, precision: 'auto' });
      expect([lease.ring.dtype, lease.ring.bytes]).toEqual(['f16', 250 * frame * 2]);
      lease.release();
    } finally {
      engine.destroy();
    }
  });
});
