// The CPU engine's executor: the same graph the GPU executor plans, exported by our ONNX exporter and run by
// onnxruntime-web's WebAssembly backend (SIMD, and threads where the page is cross-origin isolated). For
// machines without a WebGPU adapter, and for software adapters, where it is much faster than our shaders.
import type { Graph, GraphOutputs } from '../graph.ts';
import type { ClassifyOptions } from '../classifier.ts';
import type { MemoryReport, NodeTiming } from '../executor.ts';
import { exportOnnx } from './exportOnnx.ts';
import type { OrtInput, OrtModel } from './ortSession.ts';
import { loadWasmModel } from './ortWasm.ts';

export class OrtExecutor<O extends string = string> {
  readonly timings: NodeTiming[] = [];
  /** onnxruntime-web's wasm computes in f32. */
  readonly precision = 'f32';

  /** Inputs that stay put between runs (a frame ring on the CPU), by graph input name; a run's bind replaces them. */
  private readonly resident: Record<string, Float32Array>;

  private constructor(
    private readonly graph: Graph<O>,
    private readonly session: OrtModel,
    /** The exported model's size: its weights, held by the wasm heap. */
    private readonly modelBytes: number,
    /** Export and session creation, ms. */
    readonly pipelineMs: number,
    resident: Record<string, Float32Array>,
    /** The exported inputs whose length along one axis is free (a ring's frames), by name: that axis. */
    private readonly freeAxes: ReadonlyMap<string, number>,
  ) {
    this.resident = { ...resident };
  }

  static async plan<O extends string>(graph: Graph<O>, { inputArrays = {} }: { inputArrays?: Record<string, Float32Array> } = {}): Promise<OrtExecutor<O>> {
    const started = performance.now();
    const onnx = exportOnnx(graph, { name: 'slowfast-web' });
    const session = await loadWasmModel(onnx.bytes);
    const freeAxes = new Map(onnx.inputs.flatMap((i) => (i.dynamicAxis === undefined ? [] : [[i.name, i.dynamicAxis] as const])));
    return new OrtExecutor(graph, session, onnx.bytes.byteLength, performance.now() - started, inputArrays, freeAxes);
  }

  /** Wasm threads the session runs on. */
  get threads(): number {
    return this.session.threads;
  }

  /** No GPU memory: the weights live in the wasm heap (their size is weightBytes). */
  get memory(): MemoryReport {
    return { weightBytes: this.modelBytes, activationBytes: 0, activationBytesUnshared: 0, inputBytes: 0, totalBytes: 0, activationBuffers: 0 };
  }

  /**
   * Inputs by graph input name, as Executor.run takes them; `bind` points inputs at other arrays from this run
   * on (a session's own ring), with their shape where it differs (a ring of another length).
   */
  async run(inputs: Record<string, ArrayBufferView<ArrayBuffer>>, bind: ClassifyOptions['bind'] = {}): Promise<GraphOutputs<O>> {
    for (const [name, b] of Object.entries(bind)) {
      if (!('array' in b)) throw new Error(`${name}: the CPU engine binds arrays, not GPU buffers`);
      this.resident[name] = b.array;
    }
    const feeds: Record<string, OrtInput> = {};
    for (const t of this.graph.tensors) {
      if (t.kind !== 'input') continue;
      const data = inputs[t.name] ?? this.resident[t.name];
      if (!data) throw new Error(`missing input ${this.graph.describe(t.id)}`);
      // Indices (a clip's ring slots) are u32 in our graph, int32 in ONNX's Gather.
      if (data instanceof Uint32Array) feeds[t.name] = { data: new Int32Array(data.buffer, data.byteOffset, data.length), shape: t.shape };
      else if (data instanceof Float32Array) feeds[t.name] = { data, shape: this.shapeOf(t.name, data, t.shape) };
      else throw new Error(`${this.graph.describe(t.id)}: float32 or uint32 data expected`);
    }
    const results = await this.session.run(feeds);
    const out: { [K in O]?: Float32Array } = {};
    for (const name of this.graph.outputs.keys()) out[name] = results[name];
    return out;
  }

  /** A ring's length is its data's: the model takes any number of frames along its free axis. */
  private shapeOf(name: string, data: Float32Array, shape: readonly number[]): readonly number[] {
    const fixed = shape.reduce((a, b) => a * b, 1);
    if (data.length === fixed) return shape;
    const axis = this.freeAxes.get(name);
    if (axis === undefined) throw new Error(`${name}: ${data.length} values, ${fixed} expected (${shape.join('×')})`);
    const rest = fixed / shape[axis];
    if (data.length % rest !== 0) throw new Error(`${name}: ${data.length} values do not fit ${shape.join('×')}`);
    return shape.map((d, i) => (i === axis ? data.length / rest : d));
  }

  destroy(): void {
    void this.session.release();
  }
}
