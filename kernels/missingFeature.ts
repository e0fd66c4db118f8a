// For the kernel tests of variants a device may lack (subgroups: Firefox's WebGPU has none): where the device
// has the feature the variant is checked against its reference; where it lacks it, the kernels must never be
// asked for it there, and the variant, asked for anyway, is refused with the compiler's reason.
import { expect } from 'vitest';
import { hasSubgroups } from './device.ts';
import type { KernelDescriptor } from './kernel.ts';
import { pipelineFor } from './runKernel.ts';

/** This device lacks subgroups: hasSubgroups says so, and `variant` (a subgroup variant) does not compile here. */
export async function expectSubgroupsRefused(device: GPUDevice, variant: KernelDescriptor): Promise<void> {
  expect(hasSubgroups(device)).toBe(false);
  await expect(pipelineFor(device, variant)).rejects.toThrow(/subgroup/i);
}
