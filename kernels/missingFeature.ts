// For the kernel tests of variants a device may lack (subgroups: Firefox's WebGPU has none): where the device
// has the feature the variant is checked against its reference; where it lacks it, the kernels must never be
// asked for it there, and the variant, asked for anyway, is refused with the compiler's reason.
import { expect } from 'vitest';
import { hasSubgroups } from './device.ts';
import type { KernelDescriptor } from './kernel.ts';
import { KernelCompileError, pipelineFor } from './runKernel.ts';

/**
 * This device lacks subgroups: hasSubgroups says so, and `variant` (a subgroup variant) does not compile here —
 * refused with a KernelCompileError that names the kernel and gives the compiler's reason, in a sentence.
 */
export async function expectSubgroupsRefused(device: GPUDevice, variant: KernelDescriptor): Promise<void> {
  expect(hasSubgroups(device)).toBe(false);
  const refusal = await pipelineFor(device, variant).then(() => undefined, (e: unknown) => e);
  expect(refusal).toBeInstanceOf(KernelCompileError);
  // Asserted on the line above.
  const { kernel, reasons, message } = refusal as KernelCompileError;
  expect(kernel).toBe(variant.name);
  expect(reasons.join(' ')).toMatch(/subgroup/i);
  expect(message).toMatch(new RegExp(`^the ${variant.name} kernel does not compile on this GPU \\(.*subgroup`, 'i'));
}
