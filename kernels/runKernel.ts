// What every dispatcher of kernel descriptors shares — the per-device pipeline cache and buffer upload and
// read-back — and a one-shot runner for tests and the kernel benchmark. The model's executor (model/) is
// the production path: it plans buffers, pipelines and bind groups once and reuses them.
import { bytesPerElement, type Dtype, type KernelDescriptor } from './kernel.ts';
import { widenF16 } from './f16.ts';

export type KernelInput = ArrayBufferView | GPUTexture | GPUBuffer;

const pipelines = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** A kernel this device's shader compiler refused: which one, and the compiler's reasons. */
export class KernelCompileError extends Error {
  override readonly name = 'KernelCompileError';
  constructor(
    readonly kernel: string,
    readonly reasons: string[],
    cause: string,
  ) {
    super(`the ${kernel} kernel does not compile on this GPU (${reasons[0] ?? cause})`);
  }
}

export function pipelineFor(device: GPUDevice, desc: KernelDescriptor): Promise<GPUComputePipeline> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let p = cache.get(desc.cacheKey);
  if (!p) {
    const module = device.createShaderModule({ code: desc.source, label: desc.name });
    p = device
      .createComputePipelineAsync({
        label: desc.name,
        layout: 'auto',
        compute: { module, entryPoint: desc.entryPoint },
      })
      .catch(async (e: unknown) => {
        // The pipeline error only says the module is invalid; the compiler's messages say why.
        const info = await module.getCompilationInfo();
        const lines = info.messages.filter((m) => m.type === 'error').map((m) => `${m.message.trim()} at line ${m.lineNum}`);
        throw new KernelCompileError(desc.name, lines, e instanceof Error ? e.message : String(e));
      });
    cache.set(desc.cacheKey, p);
  }
  return p;
}

/** `data` as writeBuffer takes it: whole 4-byte words in an ArrayBuffer (copied, zero-padded, only when it is not). */
export function padTo4(data: ArrayBufferView): ArrayBufferView<ArrayBuffer> {
  // Its buffer is checked to be an ArrayBuffer (TypeScript does not narrow a view by its buffer).
  if (data.byteLength % 4 === 0 && data.buffer instanceof ArrayBuffer) return data as ArrayBufferView<ArrayBuffer>;
  const padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return padded;
}

export function storageBuffer(device: GPUDevice, data: ArrayBufferView | number, usage = 0): GPUBuffer {
  const bytes = typeof data === 'number' ? data : data.byteLength;
  const buffer = device.createBuffer({
    size: Math.max(16, Math.ceil(bytes / 4) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage,
  });
  if (typeof data !== 'number') device.queue.writeBuffer(buffer, 0, padTo4(data));
  return buffer;
}

export async function readBuffer(device: GPUDevice, buffer: GPUBuffer, bytes = buffer.size): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0);
  staging.destroy();
  return out;
}

export interface Bound {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  dispatch: [number, number, number];
}

/** What a kernel's input binds to: a buffer, a texture (bound as its default view), a view, or a video frame imported as an external texture. */
export type BindingInput = GPUBuffer | GPUTexture | GPUTextureView | GPUExternalTexture;

/** A descriptor's bind group: its uniforms at binding 0, then its inputs and outputs at the bindings it names. */
export function bindGroupFor(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  desc: KernelDescriptor,
  uniforms: GPUBufferBinding,
  inputs: BindingInput[],
  outputs: GPUBuffer[],
  label = desc.name,
): GPUBindGroup {
  const resource = (r: BindingInput): GPUBindingResource => (r instanceof GPUTexture ? r.createView() : r instanceof GPUBuffer ? { buffer: r } : r);
  return device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: uniforms },
      ...desc.inputBindings.map((binding, i) => ({ binding, resource: resource(inputs[i]) })),
      ...desc.outputBindings.map((binding, i) => ({ binding, resource: resource(outputs[i]) })),
    ],
  });
}

/** Binds a descriptor to buffers (or textures) given in its input order, then its output order. */
export async function bindKernel(
  device: GPUDevice,
  desc: KernelDescriptor,
  inputs: (GPUBuffer | GPUTexture)[],
  outputs: GPUBuffer[],
): Promise<Bound> {
  if (inputs.length !== desc.inputBindings.length || outputs.length !== desc.outputBindings.length) {
    throw new Error(
      `${desc.name}: expects ${desc.inputBindings.length} inputs and ${desc.outputBindings.length} outputs, ` +
        `got ${inputs.length} and ${outputs.length}`,
    );
  }
  const pipeline = await pipelineFor(device, desc);
  const uniforms = device.createBuffer({ size: desc.uniforms.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniforms, 0, desc.uniforms);
  return { pipeline, bindGroup: bindGroupFor(device, pipeline, desc, { buffer: uniforms }, inputs, outputs), dispatch: desc.dispatch };
}

export function encodeKernels(encoder: GPUCommandEncoder, kernels: Bound[]): void {
  const pass = encoder.beginComputePass();
  for (const k of kernels) {
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, k.bindGroup);
    pass.dispatchWorkgroups(...k.dispatch);
  }
  pass.end();
}

/**
 * Uploads the inputs, runs one descriptor, and returns its outputs as Float32Arrays (outputs stored as f16, per
 * `outputDtypes`, are widened). GPU validation errors are raised, not swallowed, so a bad binding fails the test
 * that caused it. f16 inputs are given as their bits (packF16).
 */
export async function runKernel(
  device: GPUDevice,
  desc: KernelDescriptor,
  inputs: KernelInput[],
  outputLengths: number[],
  outputDtypes: readonly Dtype[] = [],
): Promise<Float32Array[]> {
  device.pushErrorScope('validation');
  const created: GPUBuffer[] = [];
  const inputResources = inputs.map((x) => {
    if (x instanceof GPUBuffer || x instanceof GPUTexture) return x;
    const b = storageBuffer(device, x);
    created.push(b);
    return b;
  });
  const bytes = outputLengths.map((n, i) => n * bytesPerElement(outputDtypes[i] ?? 'f32'));
  const outputs = bytes.map((n) => storageBuffer(device, Math.ceil(n / 4) * 4));
  created.push(...outputs);
  const bound = await bindKernel(device, desc, inputResources, outputs);
  const encoder = device.createCommandEncoder();
  encodeKernels(encoder, [bound]);
  device.queue.submit([encoder.finish()]);
  const results = await Promise.all(outputs.map((b, i) => readBuffer(device, b, Math.max(4, Math.ceil(bytes[i] / 4) * 4))));
  const error = await device.popErrorScope();
  for (const b of created) b.destroy();
  if (error) throw new Error(`${desc.name}: ${error.message}`);
  return results.map((r, i) => (outputDtypes[i] === 'f16' ? widenF16(new Uint16Array(r, 0, outputLengths[i])) : new Float32Array(r, 0, outputLengths[i])));
}

/** Median seconds per dispatch: `reps` dispatches per submission, sized so one sample takes ≳ minSeconds. */
export async function timeDispatch(device: GPUDevice, bound: Bound, samples: number, minSeconds: number): Promise<number> {
  const submit = async (reps: number) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(bound.pipeline);
    pass.setBindGroup(0, bound.bindGroup);
    for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(...bound.dispatch);
    pass.end();
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000;
  };
  const once = await submit(1); // warm-up, and an estimate
  const reps = Math.max(1, Math.min(200, Math.ceil(minSeconds / Math.max(once, 1e-6))));
  const times: number[] = [];
  for (let s = 0; s < samples; s++) times.push((await submit(reps)) / reps);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
