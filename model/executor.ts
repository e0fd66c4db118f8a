// Plans a Graph on one device — each node's kernel chosen for it (kernelChoice.ts), buffers with
// liveness-based reuse, pipelines compiled in parallel, one uniform buffer, bind groups — and then runs it
// many times: one command encoder and one submission per inference, no GPU allocation. An input that lives
// on the GPU (the frame ring) may be bound afresh for a run: only the bind groups that read it are remade.
import { packF16, widenF16 } from '../kernels/f16.ts';
import { bindGroupFor, encodeKernels, padTo4, pipelineFor, readBuffer, type Bound } from '../kernels/runKernel.ts';
import { fmt, sizeOf, storedBytes, type Dtype, type KernelDescriptor, type Shape } from '../kernels/kernel.ts';
import type { Graph, GraphOutputs, TensorId } from './graph.ts';
import { elementsOf, kernelChoices, kernelFor, packedInputs, tensorDtypes, type KernelChoices, type KernelOptions } from './kernelChoice.ts';
import { outputShape } from './ops.ts';

export interface ExecutorOptions extends KernelOptions {
  /** Activations to keep readable after a run (excluded from buffer reuse), e.g. for stage-by-stage checks. */
  keep?: TensorId[];
  /** Time every node with timestamp queries (needs the `timestamp-query` feature). */
  profile?: boolean;
  /**
   * Inputs that already live on the GPU (e.g. a clip the video pipeline preprocessed there): the executor
   * reads them in place and `run` needs no data for them. The caller keeps ownership.
   */
  inputBuffers?: Record<string, GPUBuffer>;
  /** How `inputBuffers` store their elements (default f32): a frame ring preprocessed in f16 (FrameRingOptions.dtype). */
  inputDtypes?: Record<string, Dtype>;
  /**
   * Where the model's weights live on the GPU, shared with other plans of the same weights (another input
   * size, tile table or profiling choice): weights found there are neither uploaded nor need data in the
   * graph, and those uploaded are left there. The store owns them.
   */
  weightStore?: WeightStore;
}

/** A model's weights on the GPU, by tensor name, shape and format; shared by the executors planned for it. */
export class WeightStore {
  private readonly buffers = new Map<string, GPUBuffer>();

  static key(name: string, shape: Shape, packed: boolean): string {
    return `${name} ${fmt(shape)} ${packed ? 'f16' : 'f32'}`;
  }

  get(key: string): GPUBuffer | undefined {
    return this.buffers.get(key);
  }

  set(key: string, buffer: GPUBuffer): void {
    this.buffers.set(key, buffer);
  }

  get size(): number {
    return this.buffers.size;
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
  }
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
function planSlots(graph: Graph, keep: Set<TensorId>, uploaded: readonly TensorId[] = [], bytesOf = (t: TensorId) => graph.tensors[t].bytes): { slotOf: Map<TensorId, number>; slots: Slot[] } {
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
    const bytes = bytesOf(t);
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
  override readonly name: string = 'GpuLimitError';
  /** `need`: what did not fit, as a clause ("this model needs a 218 MiB buffer … in one buffer"). */
  constructor(readonly need: string) {
    super(`${need[0].toUpperCase()}${need.slice(1)}. Choose a smaller input size or a smaller model.`);
  }
}

/** The GPU ran out of memory while the model's buffers were made (another model, or another tab, holds the rest). */
export class GpuMemoryError extends GpuLimitError {
  override readonly name = 'GpuMemoryError';
}

const mib = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;

/**
 * Throws a GpuLimitError naming the largest tensor when one cannot be a storage buffer on this device, each as it is
 * stored (`bytesOf`: an f16 tensor takes half an f32 one).
 */
function checkLimits(device: GPUDevice, graph: Graph, bytesOf: (t: TensorId) => number): void {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const largest = graph.tensors.reduce((a, t) => (bytesOf(t.id) > bytesOf(a.id) ? t : a));
  if (bytesOf(largest.id) > limit) {
    throw new GpuLimitError(
      `this model needs a ${mib(bytesOf(largest.id))} buffer (${largest.name}, shape [${largest.shape.join(', ')}]), ` +
        `but this GPU allows at most ${mib(limit)} in one buffer`,
    );
  }
}

/**
 * What a graph takes on the GPU as the executor plans it in `precision` (a resolved one: f16 stores the backbone's
 * weights and activations as f16), known without a device: its weights, and the shared activation slots with the
 * inputs uploaded into them (`external` inputs are bound to buffers of their own, stored as given).
 */
export function plannedGpuBytes(graph: Graph, external: Readonly<Record<string, Dtype>> = {}, precision: Dtype = 'f32'): { weightBytes: number; activationBytes: number } {
  const padded = (bytes: number) => Math.max(16, Math.ceil(bytes / 16) * 16);
  const dtypes = tensorDtypes(graph, { precision }, external);
  const bytesOf = (t: TensorId) => storedBytes(graph.shape(t), dtypes.get(t) ?? 'f32');
  let weightBytes = 0;
  const uploaded: TensorId[] = [];
  for (const t of graph.tensors) {
    if (t.kind === 'weight') weightBytes += padded(bytesOf(t.id));
    else if (t.kind === 'input' && !(t.name in external)) uploaded.push(t.id);
  }
  const { slots } = planSlots(graph, new Set(), uploaded, bytesOf);
  return { weightBytes, activationBytes: slots.reduce((a, s) => a + padded(s.bytes), 0) };
}

export class Executor<O extends string = string> {
  private readonly buffers = new Map<TensorId, GPUBuffer>();
  private readonly owned: GPUBuffer[] = [];
  private readonly staging = new Map<TensorId, GPUBuffer>();
  private bound: Bound[] = [];
  private kernels: KernelDescriptor[] = [];
  private pipelines: GPUComputePipeline[] = [];
  private uniforms!: GPUBuffer;
  private uniformOffsets: number[] = [];
  /** The shape each GPU-resident input is bound with now (it may differ from the graph's: a larger ring). */
  private readonly boundShapes = new Map<TensorId, Shape>();
  /** How each tensor is stored (the precision's choice: see tensorDtypes). */
  private dtypes = new Map<TensorId, Dtype>();
  private querySet?: GPUQuerySet;
  private queryResolve?: GPUBuffer;
  private queryRead?: GPUBuffer;
  private lastTimings: NodeTiming[] = [];
  private running: Promise<unknown> = Promise.resolve();
  memory!: MemoryReport;
  /** How the backbone is stored and computed on this device (the precision asked for, resolved: see kernelChoices). */
  precision: Dtype = 'f32';
  /** Milliseconds spent creating pipelines. */
  pipelineMs = 0;

  private constructor(
    readonly device: GPUDevice,
    readonly graph: Graph<O>,
    private readonly options: ExecutorOptions,
  ) {}

  /** Chooses every node's kernel for `device` (and `options`), allocates, compiles and binds. */
  static async plan<O extends string>(device: GPUDevice, graph: Graph<O>, options: ExecutorOptions = {}): Promise<Executor<O>> {
    const ex = new Executor(device, graph, options);
    const choices = ex.chooseStorage();
    checkLimits(device, graph, (t) => ex.bytesOf(t));
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    try {
      await ex.allocate(choices);
    } finally {
      const validation = await device.popErrorScope();
      const oom = await device.popErrorScope();
      if (oom) throw new GpuMemoryError(`there is not enough GPU memory for this model (${oom.message})`);
      if (validation) throw new Error(`Planning the model failed: ${validation.message}`);
    }
    return ex;
  }

  private buffer(bytes: number, usage: number, label: string, owned = true): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage, label });
    if (owned) this.owned.push(b);
    return b;
  }

  /** The device's kernel choices, and how each tensor is stored under them (the precision resolved). */
  private chooseStorage(): KernelChoices {
    const choices = kernelChoices(this.device, this.options);
    this.precision = choices.precision;
    const { inputBuffers = {}, inputDtypes = {} } = this.options;
    this.dtypes = tensorDtypes(this.graph, choices, Object.fromEntries(Object.keys(inputBuffers).map((name) => [name, inputDtypes[name] ?? 'f32'])));
    return choices;
  }

  private async allocate(choices: KernelChoices): Promise<void> {
    const { device, graph } = this;
    this.kernels = graph.nodes.map((n) => kernelFor(n.op, n.inputs.map((t) => graph.shape(t)), choices, elementsOf(n, this.dtypes)));
    const packed = new Set(graph.nodes.flatMap((n) => packedInputs(n.op, choices).map((i) => n.inputs[i])));
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const keep = new Set(this.options.keep ?? []);
    let weightBytes = 0;
    let inputBytes = 0;
    const uploaded: TensorId[] = [];
    for (const t of graph.tensors) {
      if (t.kind === 'weight') {
        const store = this.options.weightStore;
        const key = WeightStore.key(t.name, t.shape, packed.has(t.id));
        let b = store?.get(key);
        if (!b) {
          if (!t.data) throw new Error(`${graph.describe(t.id)} has no data: this graph was built from shapes alone and its weights are not on the GPU`);
          const data = packed.has(t.id) && t.data instanceof Float32Array ? packF16(t.data) : t.data;
          b = this.buffer(data.byteLength, storage, t.name, !store);
          device.queue.writeBuffer(b, 0, padTo4(data));
          store?.set(key, b);
        }
        this.buffers.set(t.id, b);
        weightBytes += b.size;
      } else if (t.kind === 'input') {
        const external = this.options.inputBuffers?.[t.name];
        if (external && external.size < this.bytesOf(t.id)) {
          throw new Error(`input buffer for ${graph.describe(t.id)} holds ${external.size} bytes, ${this.bytesOf(t.id)} needed`);
        }
        if (external) {
          this.buffers.set(t.id, external);
          this.boundShapes.set(t.id, t.shape);
        } else {
          uploaded.push(t.id);
          inputBytes += this.bytesOf(t.id);
        }
      }
    }
    const { slotOf, slots } = planSlots(graph, keep, uploaded, (t) => this.bytesOf(t));
    const slotBuffers = slots.map((s, i) => this.buffer(s.bytes, storage, `activation slot ${i}`));
    for (const [t, s] of slotOf) this.buffers.set(t, slotBuffers[s]);
    const activationBytes = slotBuffers.reduce((a, b) => a + b.size, 0);
    const activationBytesUnshared = graph.tensors.filter((t) => t.kind === 'activation').reduce((a, t) => a + this.bytesOf(t.id), 0);

    for (const [, t] of graph.outputs) {
      this.staging.set(t, this.buffer(this.bytesOf(t), GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `read ${graph.tensors[t].name}`));
    }

    const t0 = performance.now();
    this.pipelines = await Promise.all(this.kernels.map((k) => pipelineFor(device, k)));
    this.pipelineMs = performance.now() - t0;

    const align = device.limits.minUniformBufferOffsetAlignment;
    let uniformBytes = 0;
    for (const k of this.kernels) {
      this.uniformOffsets.push(uniformBytes);
      uniformBytes += Math.ceil(k.uniforms.byteLength / align) * align;
    }
    this.uniforms = this.buffer(uniformBytes, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'uniforms');
    const packedUniforms = new Uint8Array(uniformBytes);
    this.kernels.forEach((k, i) => packedUniforms.set(new Uint8Array(k.uniforms.buffer, k.uniforms.byteOffset, k.uniforms.byteLength), this.uniformOffsets[i]));
    device.queue.writeBuffer(this.uniforms, 0, packedUniforms);

    this.bound = graph.nodes.map((_, i) => ({ pipeline: this.pipelines[i], dispatch: this.kernels[i].dispatch, bindGroup: this.bindGroup(i) }));

    if (this.options.profile && device.features.has('timestamp-query')) {
      const count = 2 * graph.nodes.length;
      this.querySet = device.createQuerySet({ type: 'timestamp', count });
      this.queryResolve = this.buffer(count * 8, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, 'timestamps');
      this.queryRead = this.buffer(count * 8, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'read timestamps');
    }

    const totalBytes = this.owned.reduce((a, b) => a + b.size, 0) + (this.options.weightStore ? weightBytes : 0);
    this.memory = { weightBytes, activationBytes, activationBytesUnshared, inputBytes, totalBytes, activationBuffers: slotBuffers.length };
  }

  /** Bytes tensor `t` takes as stored (a multiple of 4: buffers copy and map in whole words). */
  private bytesOf(t: TensorId): number {
    return storedBytes(this.graph.shape(t), this.dtypes.get(t) ?? 'f32');
  }

  /** A tensor's bytes as read back, as f32. */
  private widened(t: TensorId, bytes: ArrayBuffer): Float32Array {
    const n = sizeOf(this.graph.shape(t));
    return this.dtypes.get(t) === 'f16' ? widenF16(new Uint16Array(bytes, 0, n)) : new Float32Array(bytes, 0, n);
  }

  private bindGroup(i: number): GPUBindGroup {
    const node = this.graph.nodes[i];
    const kernel = this.kernels[i];
    return bindGroupFor(this.device, this.pipelines[i], kernel,
      { buffer: this.uniforms, offset: this.uniformOffsets[i], size: kernel.uniforms.byteLength },
      node.inputs.map((t) => this.buffers.get(t)!), node.outputs.map((t) => this.buffers.get(t)!), node.name);
  }

  /**
   * Reads graph input `name` from `buffer` from the next run on, holding a tensor of `shape` (default the
   * graph's). Only the nodes that read it get new bind groups (and, for a new shape, new uniforms: their
   * outputs must keep their shapes, so nothing downstream changes).
   */
  private async rebind(name: string, buffer: GPUBuffer, shape?: Shape): Promise<void> {
    const t = this.graph.tensors.find((s) => s.kind === 'input' && s.name === name);
    if (!t || !this.boundShapes.has(t.id)) throw new Error(`${name} is not a graph input bound to a GPU buffer`);
    const newShape = shape ?? t.shape;
    if (buffer === this.buffers.get(t.id) && fmt(newShape) === fmt(this.boundShapes.get(t.id)!)) return;
    const needed = storedBytes(newShape, this.dtypes.get(t.id) ?? 'f32');
    if (buffer.size < needed) throw new Error(`input buffer for ${name} ${fmt(newShape)} holds ${buffer.size} bytes, ${needed} needed`);
    const choices = kernelChoices(this.device, this.options);
    const readers = this.graph.nodes.flatMap((n, i) => (n.inputs.includes(t.id) ? [i] : []));
    const kernels = new Map<number, KernelDescriptor>();
    for (const i of readers) {
      const node = this.graph.nodes[i];
      const shapes = node.inputs.map((x) => (x === t.id ? newShape : this.graph.shape(x)));
      let writes: Shape | undefined;
      try {
        writes = outputShape(node.op, shapes);
      } catch {
        writes = undefined;
      }
      const k = writes && kernelFor(node.op, shapes, choices, elementsOf(node, this.dtypes));
      if (!k || !writes || fmt(writes) !== fmt(this.graph.shape(node.outputs[0])) || k.cacheKey !== this.kernels[i].cacheKey ||
        k.uniforms.byteLength !== this.kernels[i].uniforms.byteLength || fmt(k.dispatch) !== fmt(this.kernels[i].dispatch)) {
        throw new Error(`${node.name}: ${name} ${fmt(newShape)} would change what it computes; plan the graph for that shape`);
      }
      kernels.set(i, k);
    }
    this.buffers.set(t.id, buffer);
    this.boundShapes.set(t.id, newShape);
    for (const [i, k] of kernels) {
      this.kernels[i] = k;
      this.device.queue.writeBuffer(this.uniforms, this.uniformOffsets[i], k.uniforms);
      this.bound[i] = { ...this.bound[i], bindGroup: this.bindGroup(i) };
    }
  }

  /**
   * Runs one inference and returns the graph's named outputs. Calls are serialised. `bind` gives GPU-resident
   * inputs a buffer (and shape) for this run and the ones after it (see rebind).
   */
  run(inputs: Record<string, ArrayBufferView<ArrayBuffer>>, bind: Record<string, { buffer: GPUBuffer; shape?: Shape }> = {}): Promise<GraphOutputs<O>> {
    const result = this.running.then(async () => {
      for (const [name, b] of Object.entries(bind)) await this.rebind(name, b.buffer, b.shape);
      return this.runNow(inputs);
    });
    this.running = result.catch(() => undefined);
    return result;
  }

  private async runNow(inputs: Record<string, ArrayBufferView<ArrayBuffer>>): Promise<GraphOutputs<O>> {
    const { device, graph } = this;
    for (const t of graph.tensors) {
      if (t.kind !== 'input' || this.options.inputBuffers?.[t.name]) continue;
      const data = inputs[t.name];
      if (!data) throw new Error(`missing input ${graph.describe(t.id)}`);
      if (data.byteLength !== sizeOf(t.shape) * 4) {
        throw new Error(`input ${graph.describe(t.id)} needs ${sizeOf(t.shape)} floats, got ${data.byteLength / 4}`);
      }
      // A clip stored as f16 is converted as it is written.
      const stored = this.dtypes.get(t.id) === 'f16' ? packF16(new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4)) : data;
      device.queue.writeBuffer(this.buffers.get(t.id)!, 0, stored);
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
      encodeKernels(encoder, this.bound);
    }
    for (const [t, staging] of this.staging) {
      encoder.copyBufferToBuffer(this.buffers.get(t)!, 0, staging, 0, this.bytesOf(t));
    }
    device.queue.submit([encoder.finish()]);
    const out: { [K in O]?: Float32Array } = {};
    await Promise.all([...this.staging.values()].map((s) => s.mapAsync(GPUMapMode.READ)));
    for (const [name, t] of graph.outputs) {
      const s = this.staging.get(t)!;
      out[name] = this.widened(t, s.getMappedRange(0, this.bytesOf(t)).slice(0));
      s.unmap();
    }
    if (this.queryRead) {
      await this.queryRead.mapAsync(GPUMapMode.READ);
      const ts = new BigInt64Array(this.queryRead.getMappedRange().slice(0));
      this.queryRead.unmap();
      this.lastTimings = graph.nodes.map((n, i) => ({ name: n.name, op: n.op.op, ms: Number(ts[2 * i + 1] - ts[2 * i]) / 1e6 }));
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
    return this.widened(t, await readBuffer(this.device, this.buffers.get(t)!, this.bytesOf(t)));
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.querySet?.destroy();
  }
}
