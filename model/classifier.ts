// The engine's face: weights in, a ready Executor, and classify(slow, fast) → labels with probabilities.
import { buildSlowFast, OUTPUT, type BuildOptions, type BuiltModel, type SlowFastConfig, type SlowFastOutput } from './slowfast.ts';
import type { GraphOutputs, TensorId } from './graph.ts';
import { Executor, type MemoryReport, type NodeTiming, type WeightStore } from './executor.ts';
import type { KernelOptions } from './kernelChoice.ts';
import type { Dtype } from '../kernels/kernel.ts';
import { LabelFileError, labelsFor } from './labels.ts';
import { topRank } from '../kernels/classMap/classMap.ts';
import { combineProbabilities, topIndices } from './segments.ts';
import type { WeightSource } from './weights/weightSource.ts';
import { foldHead, headFingerprint, type CustomHead } from './head/customHead.ts';

export interface LabelScore {
  index: number;
  label: string;
  probability: number;
  /** Absent for averaged probabilities (several views or clips). */
  logit?: number;
}

export interface Classification {
  logits: Float32Array;
  probabilities: Float32Array;
  top: LabelScore[];
  /** Wall time of the inference, upload to read-back. */
  ms: number;
  /** With classMaps: where the model looked for one class, per pathway, (T, H, W) of its res5 features. */
  maps?: ClassMaps;
  /** The pooled res5 features the head read (what a taught head learns from). */
  features: Float32Array;
  /** With a taught head: the checkpoint head's own labels for the same clip. */
  base?: { logits: Float32Array; probabilities: Float32Array; top: LabelScore[] };
}

export interface ClassMaps {
  /** The classes mapped, in order (the top logits unless others were asked for). */
  classes: number[];
  /** (M, T, H, W): one map per class. */
  slow: Float32Array;
  /** (T, H, W) of each Slow map. */
  slowShape: readonly number[];
  /** Absent for the Slow-only baseline. */
  fast?: Float32Array;
  fastShape?: readonly number[];
}

export interface ClassifyOptions {
  /**
   * Graph inputs bound to GPU buffers point at these from this run on (a session's own frame ring); on the CPU
   * engine, at these arrays.
   */
  bind?: Record<string, { buffer: GPUBuffer; shape?: readonly number[] } | { array: Float32Array }>;
  /**
   * With classMaps: the classes to map, at most as many as the classifier maps; its slots left map the top
   * logits' classes (all of them by default).
   */
  mapClasses?: readonly number[];
}

/** How many labels a result lists unless asked otherwise. */
export const DEFAULT_TOP_K = 5;

export interface ClassifierOptions extends Omit<BuildOptions, 'softmax'>, KernelOptions {
  profile?: boolean;
  /** Class names (a user's label file); default the head's known label map, else "class N". */
  labels?: readonly string[];
  /** Graph inputs already on the GPU (see ExecutorOptions.inputBuffers), and how they store their elements. */
  inputBuffers?: Record<string, GPUBuffer>;
  inputDtypes?: Record<string, Dtype>;
  /** Also compute this many classes' activation maps in every run (BuildOptions.classMaps). */
  classMaps?: number;
  /** The weights on the GPU from an earlier plan of the same weights (see ExecutorOptions.weightStore). */
  weightStore?: WeightStore;
  /** A taught head to label with (its classes replace the checkpoint head's, which is still run beside it). */
  head?: CustomHead;
}

/** What runs a classifier's graph: our WGSL executor on the GPU, or onnxruntime-web's wasm on the CPU. */
export interface GraphRunner {
  run(inputs: Record<string, ArrayBufferView<ArrayBuffer>>, bind?: ClassifyOptions['bind']): Promise<GraphOutputs<SlowFastOutput>>;
  readonly memory: MemoryReport;
  readonly timings: NodeTiming[];
  /** Building it: shader pipelines, or the export and the wasm session. */
  readonly pipelineMs: number;
  /** The GPU device it runs on (none for the CPU engine). */
  readonly device?: GPUDevice;
  /** How the backbone is stored and computed: f16 where asked (or 'auto') on a GPU with shader-f16, else f32. */
  readonly precision: 'f32' | 'f16';
  destroy(): void;
}

/** Where a classifier runs: 'webgpu' (our shaders) or 'wasm' (onnxruntime-web on the CPU, from our ONNX export). */
export type EngineKind = 'webgpu' | 'wasm';

export class Classifier {
  private baseNames: readonly string[];

  private constructor(
    readonly model: BuiltModel,
    readonly executor: GraphRunner,
    readonly engine: EngineKind,
    labels: readonly string[],
    /** The taught head the classifier labels with, if any. */
    readonly head?: CustomHead,
  ) {
    this.baseNames = labels;
  }

  /** Class names, by index of the head that labels (the taught head's, else the checkpoint's). */
  get labels(): readonly string[] {
    return this.head?.classNames ?? this.baseNames;
  }

  /** The checkpoint head's class names. */
  get baseLabels(): readonly string[] {
    return this.baseNames;
  }

  /** Names the checkpoint head's classes anew (a label file loaded for the same weights): nothing on the GPU changes. */
  set labels(labels: readonly string[] | undefined) {
    if (labels && labels.length !== this.config.numClasses) {
      throw new LabelFileError(`${labels.length} labels were given for a head of ${this.config.numClasses} classes`);
    }
    this.baseNames = labels ?? labelsFor(this.config.numClasses);
  }

  /** How many classes the labelling head has. */
  get classCount(): number {
    return this.labels.length;
  }

  /** Without `weights`, every weight must already be in `options.weightStore` (the graph is built from shapes alone). */
  static async create(device: GPUDevice, config: SlowFastConfig, weights: WeightSource | undefined, options: ClassifierOptions = {}): Promise<Classifier> {
    const { head } = options;
    const customHead = head && { id: headFingerprint(head), classes: head.classNames.length, ...foldHead(head) };
    const model = buildSlowFast(config, weights, {
      input: options.input, ringCapacity: options.ringCapacity, softmax: true, classMaps: options.classMaps, features: true, customHead,
    });
    if (options.labels && options.labels.length !== config.numClasses) {
      throw new LabelFileError(`${options.labels.length} labels were given for a head of ${config.numClasses} classes`);
    }
    const { tilePolicy, tiles, subgroups, weightFormat, precision } = options;
    const { profile, inputBuffers, inputDtypes, weightStore } = options;
    const executor = await Executor.plan(device, model.graph, { profile, inputBuffers, inputDtypes, weightStore, tilePolicy, tiles, subgroups, weightFormat, precision });
    return new Classifier(model, executor, 'webgpu', options.labels ?? labelsFor(config.numClasses), head);
  }

  /**
   * The same network on the CPU: the graph exported to ONNX and run by onnxruntime-web's wasm backend (input
   * 'fast' by default: the Slow frames gathered inside it; or 'ring', a frame ring in `inputArrays`). No
   * activation maps there.
   */
  static async createOnCpu(config: SlowFastConfig, weights: WeightSource, options: Pick<ClassifierOptions, 'labels' | 'head' | 'input' | 'ringCapacity'> & { inputArrays?: Record<string, Float32Array> } = {}): Promise<Classifier> {
    const { head } = options;
    const customHead = head && { id: headFingerprint(head), classes: head.classNames.length, ...foldHead(head) };
    if (options.labels && options.labels.length !== config.numClasses) {
      throw new LabelFileError(`${options.labels.length} labels were given for a head of ${config.numClasses} classes`);
    }
    const model = buildSlowFast(config, weights, { input: options.input ?? 'fast', ringCapacity: options.ringCapacity, softmax: true, features: true, customHead });
    const { OrtExecutor } = await import('./onnx/ortExecutor.ts');
    return new Classifier(model, await OrtExecutor.plan(model.graph, { inputArrays: options.inputArrays }), 'wasm', options.labels ?? labelsFor(config.numClasses), head);
  }

  /** A sigmoid head: each class's probability stands alone (several actions at once), they do not sum to 1. */
  get multiLabel(): boolean {
    return !this.head && this.model.config.headActivation === 'sigmoid';
  }

  /** One probability vector from several (views of a clip, clips of a video): see combineProbabilities. */
  combine(vectors: readonly Float32Array[]): Float32Array {
    return combineProbabilities(vectors, this.classCount, this.multiLabel);
  }

  /** combine, for the checkpoint head's probabilities (beside a taught head's). */
  combineBase(vectors: readonly Float32Array[]): Float32Array {
    return combineProbabilities(vectors, this.config.numClasses, this.config.headActivation === 'sigmoid');
  }

  get config(): SlowFastConfig {
    return this.model.config;
  }

  get memory(): MemoryReport {
    return this.executor.memory;
  }

  /** f16 or f32 (see GraphRunner.precision). */
  get precision(): 'f32' | 'f16' {
    return this.executor.precision;
  }

  get timings(): NodeTiming[] {
    return this.executor.timings;
  }

  /**
   * Inputs are normalised clips, (1, 3, T/α, S, S) and (1, 3, T, S, S), by graph input name (see
   * model.inputShapes); inputs bound to GPU buffers are read in place, and `o.bind` points them at another
   * buffer (a session's own frame ring) from this run on.
   */
  async classify(inputs: Record<string, ArrayBufferView<ArrayBuffer>> = {}, topK = DEFAULT_TOP_K, o: ClassifyOptions = {}): Promise<Classification> {
    const graph = this.model.graph;
    const slowMaps = graph.outputs.get(OUTPUT.mapSlow);
    const count = slowMaps === undefined ? 0 : graph.shape(slowMaps)[1];
    const asked = o.mapClasses ?? [];
    const bad = asked.find((k) => !(Number.isInteger(k) && k >= 0 && k < this.classCount));
    if (bad !== undefined) throw new RangeError(`class ${bad} is not one of the head's ${this.classCount}`);
    if (asked.length > count) throw new RangeError(`this classifier maps ${count} classes a run, ${asked.length} were asked for`);
    // The classes asked for, then the top ones in the slots left.
    const mapClasses = Uint32Array.from({ length: count }, (_, r) => asked[r] ?? topRank(r - asked.length));
    const t0 = performance.now();
    const out = await this.executor.run(count ? { mapClasses, ...inputs } : inputs, o.bind);
    const ms = performance.now() - t0;
    const { logits, probabilities, features } = out;
    if (!logits || !probabilities || !features) throw new Error('the classifier\'s graph lacks its logits, probabilities or features');
    const result: Classification = { logits, probabilities, top: this.topOf(probabilities, topK, logits), ms, features };
    if (this.head) {
      const { base_logits: baseLogits, base_probabilities: baseProbabilities } = out;
      if (!baseLogits || !baseProbabilities) throw new Error('the classifier\'s graph lacks the checkpoint head\'s outputs beside the taught head');
      result.base = { logits: baseLogits, probabilities: baseProbabilities, top: this.baseTopOf(baseProbabilities, topK, baseLogits) };
    }
    if (count) {
      // Ranked as the kernel ranks them: by logit, equal ones by index (a stable sort).
      const ranked = [...asked, ...topIndices(logits, count - asked.length)];
      const mapShape = (t: TensorId) => graph.shape(t).slice(2);
      const fastMaps = graph.outputs.get(OUTPUT.mapFast);
      const { map_slow: slow, map_fast: fast } = out;
      if (!slow || slowMaps === undefined) throw new Error('the classifier\'s graph lacks its class maps');
      result.maps = {
        classes: ranked, slow, slowShape: mapShape(slowMaps),
        ...(fast && fastMaps !== undefined ? { fast, fastShape: mapShape(fastMaps) } : {}),
      };
    }
    return result;
  }

  /** The k most probable labels of a probability vector (e.g. several views combined); per class for a multi-label head. */
  topOf(probabilities: Float32Array, k: number, logits?: Float32Array): LabelScore[] {
    return topIndices(probabilities, k).map((index) => ({ index, label: this.labels[index], probability: probabilities[index], ...(logits ? { logit: logits[index] } : {}) }));
  }

  /** The same, for the checkpoint head's probabilities (beside a taught head's). */
  baseTopOf(probabilities: Float32Array, k: number, logits?: Float32Array): LabelScore[] {
    return topIndices(probabilities, k).map((index) => ({ index, label: this.baseNames[index], probability: probabilities[index], ...(logits ? { logit: logits[index] } : {}) }));
  }

  destroy(): void {
    this.executor.destroy();
  }
}
