// The engine's face: weights in, a ready Executor, and classify(slow, fast) → labels with probabilities.
import { buildSlowFast, type BuildOptions, type BuiltModel, type SlowFastConfig } from './slowfast.ts';
import { Executor, type MemoryReport, type NodeTiming, type WeightStore } from './executor.ts';
import type { KernelOptions } from './kernelChoice.ts';
import { LabelFileError, labelsFor } from './labels.ts';
import type { WeightSource } from './weights/weightSource.ts';

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
}

/** How many labels a result lists unless asked otherwise. */
export const DEFAULT_TOP_K = 5;

export interface ClassifierOptions extends Omit<BuildOptions, 'softmax'>, KernelOptions {
  profile?: boolean;
  /** Class names (a user's label file); default the head's known label map, else "class N". */
  labels?: readonly string[];
  /** Graph inputs already on the GPU (see ExecutorOptions.inputBuffers). */
  inputBuffers?: Record<string, GPUBuffer>;
  /** The weights on the GPU from an earlier plan of the same weights (see ExecutorOptions.weightStore). */
  weightStore?: WeightStore;
}

export class Classifier {
  private names: readonly string[];

  private constructor(
    readonly model: BuiltModel,
    readonly executor: Executor,
    labels: readonly string[],
  ) {
    this.names = labels;
  }

  /** Class names, by head index. */
  get labels(): readonly string[] {
    return this.names;
  }

  /** Names the classes anew (a label file loaded for the same weights): nothing on the GPU changes. */
  set labels(labels: readonly string[] | undefined) {
    if (labels && labels.length !== this.config.numClasses) {
      throw new LabelFileError(`${labels.length} labels were given for a head of ${this.config.numClasses} classes`);
    }
    this.names = labels ?? labelsFor(this.config.numClasses);
  }

  /** Without `weights`, every weight must already be in `options.weightStore` (the graph is built from shapes alone). */
  static async create(device: GPUDevice, config: SlowFastConfig, weights: WeightSource | undefined, options: ClassifierOptions = {}): Promise<Classifier> {
    const model = buildSlowFast(config, weights, { input: options.input, ringFrames: options.ringFrames, softmax: true });
    if (options.labels && options.labels.length !== config.numClasses) {
      throw new LabelFileError(`${options.labels.length} labels were given for a head of ${config.numClasses} classes`);
    }
    const { tilePolicy, tiles, subgroups, weightFormat } = options;
    const { profile, inputBuffers, weightStore } = options;
    const executor = await Executor.plan(device, model.graph, { profile, inputBuffers, weightStore, tilePolicy, tiles, subgroups, weightFormat });
    return new Classifier(model, executor, options.labels ?? labelsFor(config.numClasses));
  }

  /** A sigmoid head: each class's probability stands alone (several actions at once), they do not sum to 1. */
  get multiLabel(): boolean {
    return this.model.config.headActivation === 'sigmoid';
  }

  /**
   * One probability vector from several (views of a clip, clips of a video): their mean for a softmax head,
   * as the paper's multi-view testing does; their maximum for a multi-label head, as PySlowFast's Charades
   * testing does (an action seen in any clip happened).
   */
  combine(vectors: readonly Float32Array[]): Float32Array {
    const out = new Float32Array(this.config.numClasses);
    if (this.multiLabel) for (const v of vectors) v.forEach((p, i) => (out[i] = Math.max(out[i], p)));
    else for (const v of vectors) v.forEach((p, i) => (out[i] += p / vectors.length));
    return out;
  }

  get config(): SlowFastConfig {
    return this.model.config;
  }

  get memory(): MemoryReport {
    return this.executor.memory;
  }

  get timings(): NodeTiming[] {
    return this.executor.timings;
  }

  /**
   * Inputs are normalised clips, (1, 3, T/α, S, S) and (1, 3, T, S, S), by graph input name (see
   * model.inputShapes); inputs bound to GPU buffers are read in place, and `bind` points them at another
   * buffer (a session's own frame ring) from this run on.
   */
  async classify(
    inputs: Record<string, ArrayBufferView<ArrayBuffer>> = {}, topK = DEFAULT_TOP_K,
    bind?: Record<string, { buffer: GPUBuffer; shape?: readonly number[] }>,
  ): Promise<Classification> {
    const t0 = performance.now();
    const out = await this.executor.run(inputs, bind);
    const ms = performance.now() - t0;
    const logits = out.get('logits')!;
    const probabilities = out.get('probabilities')!;
    return { logits, probabilities, top: this.topOf(probabilities, topK, logits), ms };
  }

  /** The k most probable labels of a probability vector (e.g. several views combined); per class for a multi-label head. */
  topOf(probabilities: Float32Array, k: number, logits?: Float32Array): LabelScore[] {
    return [...probabilities.keys()]
      .sort((a, b) => probabilities[b] - probabilities[a])
      .slice(0, k)
      .map((index) => ({ index, label: this.labels[index], probability: probabilities[index], ...(logits ? { logit: logits[index] } : {}) }));
  }

  destroy(): void {
    this.executor.destroy();
  }
}
