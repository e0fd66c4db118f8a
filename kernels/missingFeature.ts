// For the kernel tests of variants a device may lack (subgroups: Firefox's WebGPU has none; shader-f16: SwiftShader
// has none): where the device has the feature the variant is checked against its reference; where it lacks it, the
// kernels must never be asked for it there, and the variant, asked for anyway, is refused with the compiler's reason.
import { expect } from 'vitest';
import { closeness } from './compare.ts';
import { hasF16, hasSubgroups } from './device.ts';
import { packF16, roundToF16 } from './f16.ts';
import type { Dtype, KernelDescriptor } from './kernel.ts';
import { KernelCompileError, pipelineFor, runKernel } from './runKernel.ts';

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

/** This device lacks `shader-f16`: hasF16 says so, and `variant` (an f16 variant) is refused with the compiler's reason. */
export async function expectF16Refused(device: GPUDevice, variant: KernelDescriptor): Promise<void> {
  expect(hasF16(device)).toBe(false);
  const refusal = await pipelineFor(device, variant).then(() => undefined, (e: unknown) => e);
  expect(refusal).toBeInstanceOf(KernelCompileError);
  // Asserted on the line above.
  const { kernel, message } = refusal as KernelCompileError;
  expect(kernel).toBe(variant.name);
  expect(message).toMatch(new RegExp(`^the ${variant.name} kernel does not compile on this GPU \\(.*f16`, 'i'));
}

/** An input of an f16 variant: its values, and whether the kernel reads it as f16 (uploaded as such, and rounded so). */
export interface HalfInput {
  values: Float32Array | Uint32Array;
  half?: boolean;
}

/**
 * Checks an f16 variant where the device has `shader-f16`, else that it is refused: run on `inputs` (those it reads as
 * f16 uploaded as f16), against `reference` of the values it reads (f16 inputs rounded to f16), its output rounded to
 * f16 where it is stored so. `rtol`: what the variant's own f16 arithmetic may add (0 for a kernel that only moves or
 * compares values).
 */
export async function checkHalfVariant(
  device: GPUDevice,
  variant: KernelDescriptor,
  inputs: readonly HalfInput[],
  reference: (read: (Float32Array | Uint32Array)[]) => Float32Array,
  out: { length: number; dtype: Dtype },
  rtol = 0,
): Promise<void> {
  if (!hasF16(device)) return expectF16Refused(device, variant);
  const read = inputs.map((i) => (i.half && i.values instanceof Float32Array ? roundToF16(i.values) : i.values));
  const uploaded = inputs.map((i) => (i.half && i.values instanceof Float32Array ? packF16(i.values) : i.values));
  const [y] = await runKernel(device, variant, uploaded, [out.length], [out.dtype]);
  const exact = reference(read);
  const expected = out.dtype === 'f16' ? roundToF16(exact) : exact;
  // One rounding to f16 of the output either way (rounding the reference may land on the other neighbour), plus the rest.
  const result = closeness(y, expected, rtol + (out.dtype === 'f16' ? 2 ** -10 : 1e-6), 1e-6);
  expect(result.ok, `${variant.name} (f16): ${result.summary}`).toBe(true);
}
