// Plans a Graph once — buffers with liveness-based reuse, pipelines compiled in parallel, one uniform
// buffer, bind groups — and then runs it many times: one command encoder and one submission per inference,
// no GPU allocation. It knows kernels only as descriptors, never an op by name.
import { pipelineFor, readBuffer } from '../kernels/runKernel.ts';
import { sizeOf } from '../kernels/kernel.ts';
import type { Graph, TensorId } from './graph.ts';

export interface ExecutorOptions {
  /** Activations to keep readable after a run (excluded from buffer reuse), e.g. for stage-by-stage checks. */
  keep?: TensorId[];
  /** Time every node with timestamp queries (needs the `timestamp-query` feature). */
  profile?: boolean;
  /**
   * Inputs that already live on the GPU (e.g. a clip the video pipeline preprocessed there): the executor
   * reads them in place and `run` needs no data for them. The caller keeps ownership.
   */
  inputBuffers?: Record<string, GPUBuffer>;
}

export interface MemoryReport {
  weightBytes: number;
  /** The activation buffers after reuse (uploaded inputs included). */
  activationBytes: number;
  /** What the activations would take without reuse. */
  activationBytesUnshared: number;
  /** Uploaded inputs (they share the activation slots, so this is part of activationBytes). */
  inputBytes: number;
  /** Everything this executor holds on the GPU. */
  totalBytes: number;
  activationBuffers: number;
}

export interface NodeTiming {
  name: string;
  op: string;
  ms: number;
}

/** A shared activation buffer: as large as the largest tensor placed in it. */
interface Slot {
  bytes: number;
}

/**
 * Assigns activations to shared slots: a tensor lives from its first writer to its last reader. Uploaded
 * inputs live from before the first node (the upload precedes the pass) to their last reader, so the clip's
 * slot is reused once the stems have read it.
 */
function planSlots(graph: Graph, keep: Set<TensorId>, uploaded: readonly TensorId[] = []): { slotOf: Map<TensorId, number>; slots: Slot[] } {
  const last = new Map<TensorId, number>();
  graph.nodes.forEach((node, i) => {
    for (const t of node.outputs) last.set(t, Math.max(last.get(t) ?? i, i));
    for (const t of node.inputs) last.set(t, i);
  });
  const pinned = new Set([...keep, ...graph.outputs.values()]);
  const slots: Slot[] = [];
  const slotOf = new Map<TensorId, number>();
  const free = new Set<number>();
  const place = (t: TensorId) => {
    if (slotOf.has(t)) return;
    const bytes = graph.tensors[t].bytes;
    let best = -1;
    for (const s of free) {
      if (best < 0) {
        best = s;
        continue;
      }
      const size = slots[s].bytes;
      const bestSize = slots[best].bytes;
      // Prefer the smallest free slot that fits; when none fits, the largest (it grows least).
      const better = size >= bytes ? bestSize < bytes || size < bestSize : bestSize < bytes && size > bestSize;
      if (better) best = s;
    }
    if (best < 0) {
      best = slots.length;
      slots.push({ bytes });
    } else {
      free.delete(best);
      slots[best].bytes = Math.max(slots[best].bytes, bytes);
    }
    slotOf.set(t, best);
  };
  for (const t of uploaded) place(t);
  graph.nodes.forEach((node, i) => {
    // Outputs are placed before this node's inputs are released, so a node never reads and writes one buffer.
    for (const t of node.outputs) place(t);
    for (const t of new Set([...node.inputs, ...node.outputs])) {
      if (!slotOf.has(t) || pinned.has(t) || last.get(t) !== i) continue;
      free.add(slotOf.get(t)!);
    }
  });
  return { slotOf, slots };
}

/** The model needs a buffer larger than this GPU allows: a smaller preset or input size may fit. */
export class GpuLimitError extends Error {
  override readonly name = 'GpuLimitError';
}

const mib = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;

/** Throws a GpuLimitError naming the largest tensor when one cannot be a storage buffer on this device. */
function checkLimits(device: GPUDevice, graph: Graph): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const largest = graph.tensors.reduce((a, t) => (t.bytes > a.bytes ? t : a));
  if (largest.bytes > limit) {
    throw new GpuLimitError(
      `This model needs a ${mib(largest.bytes)} buffer (${largest.name}, shape [${largest.shape.join(', ')}]), ` +
        `but this GPU allows at most ${mib(limit)} in one buffer. Choose a smaller input size or a smaller model.`,
    );
  }
}

export class Executor {
  private readonly buffers = new Map<TensorId, GPUBuffer>();
  private readonly owned: GPUBuffer[] = [];
  private readonly staging = new Map<TensorId, GPUBuffer>();
  private bound: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; dispatch: [number, number, number] }[] = [];
  private querySet?: GPUQuerySet;
  private queryResolve?: GPUBuffer;
  private queryRead?: GPUBuffer;
  private lastTimings: NodeTiming[] = [];
  private running: Promise<unknown> = Promise.resolve();
  memory!: MemoryReport;
  /** Milliseconds spent creating pipelines. */
  pipelineMs = 0;

  private constructor(
    readonly device: GPUDevice,
    readonly graph: Graph,
    private readonly options: ExecutorOptions,
  ) {}

  static async create(device: GPUDevice, graph: Graph, options: ExecutorOptions = {}): Promise<Executor> {
    checkLimits(device, graph);
    const ex = new Executor(device, graph, options);
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    try {
      await ex.plan();
    } finally {
      const validation = await device.popErrorScope();
      const oom = await device.popErrorScope();
      if (oom) throw new Error(`Not enough GPU memory for this model (${oom.message}); try a smaller preset or input size.`);
      if (validation) throw new Error(`Planning the model failed: ${validation.message}`);
    }
    return ex;
  }

  private buffer(bytes: number, usage: number, label: string): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage, label });
    this.owned.push(b);
    return b;
  }

  private async plan(): Promise<void> {
    const { device, graph } = this;
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const keep = new Set(this.options.keep ?? []);
    let weightBytes = 0;
    let inputBytes = 0;
    const uploaded: TensorId[] = [];
    for (const t of graph.tensors) {
      if (t.kind === 'weight') {
        const b = this.buffer(t.bytes, storage, t.name);
        const data = t.data!;
        // writeBuffer wants a multiple of 4 bytes.
        const padded = data.byteLength % 4 === 0 ? data : copyPadded(data);
        device.queue.writeBuffer(b, 0, padded);
        this.buffers.set(t.id, b);
        weightBytes += b.size;
      } else if (t.kind === 'input') {
        const external = this.options.inputBuffers?.[t.name];
        if (external && external.size < t.bytes) {
          throw new Error(`input buffer for ${graph.describe(t.id)} holds ${external.size} bytes, ${t.bytes} needed`);
        }
        if (external) {
          this.buffers.set(t.id, external);
        } else {
          uploaded.push(t.id);
          inputBytes += t.bytes;
        }
      }
    }
    const { slotOf, slots } = planSlots(graph, keep, uploaded);
    const slotBuffers = slots.map((s, i) => this.buffer(s.bytes, storage, `activation slot ${i}`));
    for (const [t, s] of slotOf) this.buffers.set(t, slotBuffers[s]);
    const activationBytes = slotBuffers.reduce((a, b) => a + b.size, 0);
    const activationBytesUnshared = graph.tensors.filter((t) => t.kind === 'activation').reduce((a, t) => a + t.bytes, 0);

    for (const [, t] of graph.outputs) {
      this.staging.set(t, this.buffer(graph.tensors[t].bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `read ${graph.tensors[t].name}`));
    }

    const t0 = performance.now();
    const pipelines = await Promise.all(graph.nodes.map((n) => pipelineFor(device, n.kernel)));
    this.pipelineMs = performance.now() - t0;

    const align = device.limits.minUniformBufferOffsetAlignment;
    const offsets: number[] = [];
    let uniformBytes = 0;
    for (const n of graph.nodes) {
      offsets.push(uniformBytes);
      uniformBytes += Math.ceil(n.kernel.uniforms.byteLength / align) * align;
    }
    const uniforms = this.buffer(uniformBytes, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'uniforms');
    const packed = new Uint8Array(uniformBytes);
    graph.nodes.forEach((n, i) => packed.set(new Uint8Array(n.kernel.uniforms.buffer, n.kernel.uniforms.byteOffset, n.kernel.uniforms.byteLength), offsets[i]));
    device.queue.writeBuffer(uniforms, 0, packed);

    this.bound = graph.nodes.map((n, i) => ({
      pipeline: pipelines[i],
      dispatch: n.kernel.dispatch,
      bindGroup: device.createBindGroup({
        label: n.name,
        layout: pipelines[i].getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: uniforms, offset: offsets[i], size: n.kernel.uniforms.byteLength } },
          ...n.kernel.inputBindings.map((binding, j) => ({ binding, resource: { buffer: this.buffers.get(n.inputs[j])! } })),
          ...n.kernel.outputBindings.map((binding, j) => ({ binding, resource: { buffer: this.buffers.get(n.outputs[j])! } })),
        ],
      }),
    }));

    if (this.options.profile && device.features.has('timestamp-query')) {
      const count = 2 * graph.nodes.length;
      this.querySet = device.createQuerySet({ type: 'timestamp', count });
      this.queryResolve = this.buffer(count * 8, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, 'timestamps');
      this.queryRead = this.buffer(count * 8, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'read timestamps');
    }

    const totalBytes = this.owned.reduce((a, b) => a + b.size, 0);
    this.memory = { weightBytes, activationBytes, activationBytesUnshared, inputBytes, totalBytes, activationBuffers: slotBuffers.length };
  }

  /** Runs one inference and returns the graph's named outputs. Calls are serialised. */
  run(inputs: Record<string, ArrayBufferView<ArrayBuffer>>): Promise<Map<string, Float32Array>> {
    const result = this.running.then(() => this.runNow(inputs));
    this.running = result.catch(() => undefined);
    return result;
  }

  private async runNow(inputs: Record<string, ArrayBufferView<ArrayBuffer>>): Promise<Map<string, Float32Array>> {
    const { device, graph } = this;
    for (const t of graph.tensors) {
      if (t.kind !== 'input' || this.options.inputBuffers?.[t.name]) continue;
      const data = inputs[t.name];
      if (!data) throw new Error(`missing input ${graph.describe(t.id)}`);
      if (data.byteLength !== sizeOf(t.shape) * 4) {
        throw new Error(`input ${graph.describe(t.id)} needs ${sizeOf(t.shape)} floats, got ${data.byteLength / 4}`);
      }
      device.queue.writeBuffer(this.buffers.get(t.id)!, 0, data);
    }
    const encoder = device.createCommandEncoder();
    if (this.querySet) {
      this.bound.forEach((b, i) => {
        const pass = encoder.beginComputePass({
          timestampWrites: { querySet: this.querySet!, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
        });
        pass.setPipeline(b.pipeline);
        pass.setBindGroup(0, b.bindGroup);
        pass.dispatchWorkgroups(...b.dispatch);
        pass.end();
      });
      encoder.resolveQuerySet(this.querySet, 0, 2 * this.bound.length, this.queryResolve!, 0);
      encoder.copyBufferToBuffer(this.queryResolve!, 0, this.queryRead!, 0, this.queryRead!.size);
    } else {
      const pass = encoder.beginComputePass();
      for (const b of this.bound) {
        pass.setPipeline(b.pipeline);
        pass.setBindGroup(0, b.bindGroup);
        pass.dispatchWorkgroups(...b.dispatch);
      }
      pass.end();
    }
    for (const [t, staging] of this.staging) {
      encoder.copyBufferToBuffer(this.buffers.get(t)!, 0, staging, 0, graph.tensors[t].bytes);
    }
    device.queue.submit([encoder.finish()]);
    const out = new Map<string, Float32Array>();
    await Promise.all([...this.staging.values()].map((s) => s.mapAsync(GPUMapMode.READ)));
    for (const [name, t] of graph.outputs) {
      const s = this.staging.get(t)!;
      out.set(name, new Float32Array(s.getMappedRange(0, graph.tensors[t].bytes).slice(0)));
      s.unmap();
    }
    if (this.queryRead) {
      await this.queryRead.mapAsync(GPUMapMode.READ);
      const ts = new BigInt64Array(this.queryRead.getMappedRange().slice(0));
      this.queryRead.unmap();
      this.lastTimings = graph.nodes.map((n, i) => ({ name: n.name, op: n.kernel.name, ms: Number(ts[2 * i + 1] - ts[2 * i]) / 1e6 }));
    }
    return out;
  }

  /** Per-node GPU time of the last run, when profiling. */
  get timings(): NodeTiming[] {
    return this.lastTimings;
  }

  /** Reads a tensor kept with `options.keep` (or an output) after a run. */
  async read(t: TensorId): Promise<Float32Array> {
    const keepable = (this.options.keep ?? []).includes(t) || [...this.graph.outputs.values()].includes(t);
    if (!keepable) throw new Error(`${this.graph.describe(t)} was not kept; pass it in options.keep`);
    await this.running;
    return new Float32Array(await readBuffer(this.device, this.buffers.get(t)!, this.graph.tensors[t].bytes));
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.querySet?.destroy();
  }
}

function copyPadded(data: ArrayBufferView<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return out;
}
