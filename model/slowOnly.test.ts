// The Slow-only baseline (pytorchvideo's hub slow_r50, quarter width, 64 px) against PyTorch's own logits
// (../shared/golden/slow_r50_w16_8x8_64px): its config read off the weights, on WebGPU and on the CPU engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../kernels/device.ts';
import { closeness } from '../kernels/compare.ts';
import { fetchShared, sharedF32, sharedJson } from '../kernels/fixtures.ts';
import { Classifier } from './classifier.ts';
import { SLOW_ONLY_GOLDEN } from './goldenFixtures.ts';
import { inferConfig } from './inferConfig.ts';
import { topIndices } from './segments.ts';
import { readWeights } from './weights/load.ts';
import { StateDictSource } from './weights/weightSource.ts';

const DIR = 'golden/slow_r50_w16_8x8_64px';
let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('Slow-only against PyTorch', () => {
  it('slow_r50_w16_8x8_64px: the config read off checkpoint.pyth, and the golden logits and top-5 on WebGPU and on the CPU engine', async () => {
    const { dict } = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint.pyth`)));
    // Weights tell the architecture, not the input size.
    const config = { ...inferConfig(dict), inputSize: 64 };
    expect(config).toEqual(SLOW_ONLY_GOLDEN);
    const input = await sharedF32(`${DIR}/input.bin`);
    const golden = await sharedF32(`${DIR}/logits.bin`);
    const { top5 } = await sharedJson<{ top5: number[] }>(`${DIR}/meta.json`);
    expect(input.length).toBe(3 * 8 * 64 * 64);

    const gpu = await Classifier.create(device, config, new StateDictSource(dict));
    expect(Object.keys(gpu.model.inputShapes)).toEqual(['slow']);
    const onGpu = await gpu.classify({ slow: input });
    gpu.destroy();
    const g = closeness(onGpu.logits, golden, 1e-4, 1e-5);
    expect(g.ok, g.summary).toBe(true);
    expect(topIndices(onGpu.logits, 5)).toEqual(top5);

    const cpu = await Classifier.createOnCpu(config, new StateDictSource(dict), { input: 'pathways' });
    const onCpu = await cpu.classify({ slow: input });
    cpu.destroy();
    const c = closeness(onCpu.logits, golden, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
    expect(topIndices(onCpu.logits, 5)).toEqual(top5);
  });
});
