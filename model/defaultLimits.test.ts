// WebGPU's default limits (no raised limits requested: 128 MiB a binding, 16 KiB of workgroup storage, 256
// invocations a workgroup, no optional features): the engine plans within them and still gives the golden logits.
import { describe, expect, it } from 'vitest';
import { closeness } from '../kernels/compare.ts';
import { fetchShared, sharedF32 } from '../kernels/fixtures.ts';
import { Classifier } from './classifier.ts';
import { GOLDEN_FIXTURES } from './goldenFixtures.ts';
import { readWeights } from './weights/load.ts';
import { StateDictSource } from './weights/weightSource.ts';

const DIR = 'golden/slowfast_r50_w16_8x8_64px';

describe('a device with WebGPU\'s default limits', () => {
  it('runs the golden model within them and gives the golden logits', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    // No requiredLimits, no requiredFeatures: what any WebGPU implementation must offer.
    const device = await adapter!.requestDevice();
    expect(device.limits.maxComputeWorkgroupStorageSize).toBe(16384);
    expect(device.limits.maxComputeInvocationsPerWorkgroup).toBe(256);
    expect(device.limits.maxStorageBufferBindingSize).toBe(134217728);
    const errors: string[] = [];
    device.addEventListener('uncapturederror', (e) => errors.push((e as GPUUncapturedErrorEvent).error.message));
    const { dict } = await readWeights(new Uint8Array(await fetchShared(`${DIR}/checkpoint.pyth`)));
    const c = await Classifier.create(device, GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px, new StateDictSource(dict));
    const r = await c.classify({ slow: await sharedF32(`${DIR}/input_slow.bin`), fast: await sharedF32(`${DIR}/input_fast.bin`) });
    c.destroy();
    device.destroy();
    expect(errors).toEqual([]);
    const cmp = closeness(r.logits, await sharedF32(`${DIR}/logits.bin`), 1e-4, 1e-5);
    expect(cmp.ok, cmp.summary).toBe(true);
  });
});
