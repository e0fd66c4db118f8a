// GPU acquisition: the one place that asks the browser for an adapter and a device.

/** Why WebGPU could not be used, in words a user can act on. */
export type GpuUnavailableReason = 'no-webgpu' | 'no-adapter' | 'device-failed';

export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
  constructor(
    readonly reason: GpuUnavailableReason,
    message: string,
  ) {
    super(message);
  }
}

/** Optional features we use when the adapter has them. */
export const OPTIONAL_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups'] as const;
export type OptionalFeature = (typeof OPTIONAL_FEATURES)[number];

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True where the browser says it is its fallback adapter. */
  isFallback: boolean;
  /** A software adapter (the fallback, or SwiftShader or llvmpipe by name): see isSoftwareAdapter. */
  software: boolean;
}

export interface Gpu {
  device: GPUDevice;
  adapter: AdapterDescription;
  features: ReadonlySet<OptionalFeature>;
  /** Resolves when the device is lost; `reason` is 'destroyed' when we destroyed it ourselves. */
  lost: Promise<GPUDeviceLostInfo>;
}

export const WEBGPU_HELP =
  'WebGPU is needed. Use a recent Chrome or Edge (113+) on Windows, macOS or ChromeOS, Chrome 121+ on ' +
  'Android, Safari 26+, or Firefox 141+ on Windows. On Linux, start Chrome with ' +
  '--enable-unsafe-webgpu --enable-features=Vulkan. The page must be served from https or http://localhost.';

/**
 * Whether an adapter runs on the CPU (SwiftShader, llvmpipe): there, a workgroup barrier or a GPU-side
 * YUV → RGB copy costs far more than on a GPU, and several kernels choose differently.
 */
export function isSoftwareAdapter(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'description'> & { isFallbackAdapter?: boolean }): boolean {
  return !!info.isFallbackAdapter || /swiftshader|llvmpipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

/**
 * Whether `device` has been lost, looking for `waitMs`: the failure a loss causes (a rejected read-back) may
 * arrive before the device's `lost` promise settles.
 */
export function deviceLost(device: GPUDevice, waitMs = 250): Promise<boolean> {
  return Promise.race([device.lost.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs))]);
}

/** GPU objects a device has made and not destroyed, and what it has made and uploaded since it started (see countResources). */
export interface LiveResources {
  buffers: number;
  textures: number;
  /** Buffers created since the device started (destroyed ones included). */
  buffersCreated: number;
  /** Compute pipelines created since the device started. */
  pipelinesCreated: number;
  /** Bytes written into buffers with queue.writeBuffer since the device started (weights, uniforms, indices). */
  bytesUploaded: number;
  /** Bytes of the buffers not yet destroyed, and the most there have been since resetPeakBytes. */
  bufferBytes: number;
  peakBufferBytes: number;
}

const live = new WeakMap<GPUDevice, LiveResources>();

/**
 * Counts the buffers and textures made on `device` that are not yet destroyed, so that a long session can
 * show it does not leak them (our code destroys everything it makes explicitly), and what it creates and
 * uploads, so that a second video can show it reuses the loaded model.
 */
function countResources(device: GPUDevice): void {
  const counts: LiveResources = { buffers: 0, textures: 0, buffersCreated: 0, pipelinesCreated: 0, bytesUploaded: 0, bufferBytes: 0, peakBufferBytes: 0 };
  live.set(device, counts);
  const counted = <T extends { destroy(): void }>(make: () => T, kind: 'buffers' | 'textures', bytes = 0): T => {
    const resource = make();
    counts[kind]++;
    counts.bufferBytes += bytes;
    counts.peakBufferBytes = Math.max(counts.peakBufferBytes, counts.bufferBytes);
    const destroy = resource.destroy.bind(resource);
    let destroyed = false;
    resource.destroy = () => {
      if (!destroyed) {
        counts[kind]--;
        counts.bufferBytes -= bytes;
      }
      destroyed = true;
      destroy();
    };
    return resource;
  };
  const createBuffer = device.createBuffer.bind(device);
  const createTexture = device.createTexture.bind(device);
  const createPipeline = device.createComputePipeline.bind(device);
  const createPipelineAsync = device.createComputePipelineAsync.bind(device);
  const writeBuffer = device.queue.writeBuffer.bind(device.queue);
  device.createBuffer = (d) => {
    counts.buffersCreated++;
    return counted(() => createBuffer(d), 'buffers', d.size);
  };
  device.createTexture = (d) => counted(() => createTexture(d), 'textures');
  device.createComputePipeline = (d) => {
    counts.pipelinesCreated++;
    return createPipeline(d);
  };
  device.createComputePipelineAsync = (d) => {
    counts.pipelinesCreated++;
    return createPipelineAsync(d);
  };
  device.queue.writeBuffer = (buffer, offset, data, dataOffset?, size?) => {
    const bytes = 'byteLength' in data ? data.byteLength : 0;
    counts.bytesUploaded += size !== undefined ? size * ('BYTES_PER_ELEMENT' in data ? Number(data.BYTES_PER_ELEMENT) : 1) : bytes;
    writeBuffer(buffer, offset, data, dataOffset, size);
  };
}

/** The live buffers and textures of a device from acquireGpu, and what it has created and uploaded. */
export function liveResources(device: GPUDevice): LiveResources {
  return { ...(live.get(device) ?? { buffers: 0, textures: 0, buffersCreated: 0, pipelinesCreated: 0, bytesUploaded: 0, bufferBytes: 0, peakBufferBytes: 0 }) };
}

/** Starts a new peak of buffer bytes (from what is live now), to measure one stretch of work. */
export function resetPeakBytes(device: GPUDevice): void {
  const counts = live.get(device);
  if (counts) counts.peakBufferBytes = counts.bufferBytes;
}

export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  const description =
    info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') ||
    // Firefox names none of them.
    (info.isFallbackAdapter ? "the browser's fallback adapter" : 'an adapter the browser does not name');
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description,
    isFallback: info.isFallbackAdapter ?? false,
    software: isSoftwareAdapter(info),
  };
}

/** Whether `device` stores and computes f16 in shaders (`shader-f16`, requested by acquireGpu wherever the adapter has it). */
export function hasF16(device: GPUDevice): boolean {
  return device.features.has('shader-f16');
}

/**
 * Whether kernels may use subgroup operations on this device: the 'subgroups' feature and WGSL's subgroup_id
 * built-ins (which say which subgroup an invocation is in, so partial results can be published per subgroup),
 * and, for a device from acquireGpu, a probe shader that uses them compiled (a browser may list a feature that
 * its shader compiler then refuses).
 */
export function hasSubgroups(device: GPUDevice): boolean {
  return subgroupsAdvertised(device) && probed.get(device) !== false;
}

const probed = new WeakMap<GPUDevice, boolean>();

function subgroupsAdvertised(device: GPUDevice): boolean {
  return device.features.has('subgroups') && !!navigator.gpu?.wgslLanguageFeatures?.has('subgroup_id');
}

/** Compiles the subgroup operations our kernels use (reduce, quad broadcast, subgroup_id); false if refused. */
async function probeSubgroups(device: GPUDevice): Promise<boolean> {
  const code = `enable subgroups;
requires subgroup_id;
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(subgroup_id) id: u32, @builtin(local_invocation_index) i: u32) {
  out[i] = subgroupAdd(f32(id)) + subgroupMax(quadBroadcast(f32(i), 0u));
}`;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: 'subgroups probe' });
  const compiled = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } }).then(() => true, () => false);
  const error = await device.popErrorScope();
  return compiled && !error;
}

/**
 * Acquires a device with the adapter's largest buffer limits (the defaults, 128/256 MiB, are too small for
 * full-size activations) and every optional feature we can use.
 */
export async function acquireGpu(powerPreference: GPUPowerPreference = 'high-performance'): Promise<Gpu> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    throw new GpuUnavailableError('no-webgpu', `This browser does not expose WebGPU (navigator.gpu). ${WEBGPU_HELP}`);
  }
  const adapter = await navigator.gpu.requestAdapter({ powerPreference });
  if (!adapter) {
    throw new GpuUnavailableError(
      'no-adapter',
      `WebGPU is present but no GPU adapter is available (blocklisted driver or GPU disabled). ${WEBGPU_HELP}`,
    );
  }
  const features = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredFeatures: features,
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
        maxComputeWorkgroupSizeY: adapter.limits.maxComputeWorkgroupSizeY,
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      },
    });
  } catch (e) {
    throw new GpuUnavailableError('device-failed', `The GPU adapter refused to create a device: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (subgroupsAdvertised(device)) probed.set(device, await probeSubgroups(device));
  countResources(device);
  return { device, adapter: describeAdapter(adapter), features: new Set(features), lost: device.lost };
}
