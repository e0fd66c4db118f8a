import { describe, expect, it } from 'vitest';
import { acquireGpu } from './device.ts';

describe('acquireGpu', () => {
  it('gets a device with the adapter\'s large buffer limits', async () => {
    const gpu = await acquireGpu();
    const adapter = await navigator.gpu.requestAdapter();
    expect(gpu.adapter.description.length).toBeGreaterThan(0);
    expect(gpu.device.limits.maxStorageBufferBindingSize).toBe(adapter!.limits.maxStorageBufferBindingSize);
    expect(gpu.device.limits.maxBufferSize).toBe(adapter!.limits.maxBufferSize);
    for (const f of gpu.features) expect(gpu.device.features.has(f)).toBe(true);
    gpu.device.destroy();
  });

  it('reports device loss to the caller', async () => {
    const gpu = await acquireGpu();
    gpu.device.destroy();
    const info = await gpu.lost;
    expect(info.reason).toBe('destroyed');
  });

  it('round-trips a compute kernel: y[i] = 2·x[i] + i', async () => {
    const { device } = await acquireGpu();
    const n = 1000; // not a multiple of the workgroup size, so the bounds check matters
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const module = device.createShaderModule({
      code: /* wgsl */ `
        @group(0) @binding(0) var<storage, read> x: array<f32>;
        @group(0) @binding(1) var<storage, read_write> y: array<f32>;
        @compute @workgroup_size(64)
        fn main(@builtin(global_invocation_id) id: vec3u) {
          if (id.x < arrayLength(&y)) { y[id.x] = 2.0 * x[id.x] + f32(id.x); }
        }`,
    });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module } });
    const input = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const output = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const readback = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(input, 0, x);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: output } }],
    }));
    pass.dispatchWorkgroups(Math.ceil(n / 64));
    pass.end();
    encoder.copyBufferToBuffer(output, 0, readback, 0, x.byteLength);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const y = new Float32Array(readback.getMappedRange().slice(0));
    for (let i = 0; i < n; i++) expect(y[i]).toBeCloseTo(2 * x[i] + i, 4);
    device.destroy();
  });
});
