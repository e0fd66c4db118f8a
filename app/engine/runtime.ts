// What a job runs on: the GPU's resident engine with the current model (its weights, input size and taught head)
// and tuned tiles, or the CPU engine where there is no adapter or the user chose it — and why WebGPU refused a
// model, when it did, so the job can go on on the CPU.
import { KernelCompileError } from '../../kernels/runKernel.ts';
import { liveResources, type Gpu } from '../../kernels/device.ts';
import type { Dtype } from '../../kernels/kernel.ts';
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import type { Classifier } from '../../model/classifier.ts';
import { DEFAULT_TOP_K } from '../../model/classifier.ts';
import { clipDuration } from '../../model/clips.ts';
import { GpuLimitError, plannedGpuBytes } from '../../model/executor.ts';
import { PrecisionError, type Precision } from '../../model/kernelChoice.ts';
import { buildSlowFast, PRESETS, type SlowFastConfig } from '../../model/slowfast.ts';
import { approximateWeightBytes, findZooModel } from '../../model/zoo.ts';
import { RingLayout } from '../video/frameRing.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { CpuEngine } from './cpuEngine.ts';
import type { Engine, EngineModel } from './engine.ts';
import type { GpuLifetime } from './gpuLifetime.ts';
import type { Models } from './models.ts';
import type { EngineEvent, ModelBudget, ModelKey, PerfReport, RunSettings } from './protocol.ts';
import type { Teacher } from './teacher.ts';
import type { Tiles } from './tiles.ts';

/** The frame rate a budget's frame ring is sized for (a video's own rate sizes its ring). */
const BUDGET_FPS = 30;

/**
 * What a model takes on the GPU at its config's input size in `precision`, planned without a device: its weights, and
 * its working memory (the executor's shared activations, and a ring of one clip's frames at BUDGET_FPS).
 */
export function modelBudget(name: string, config: SlowFastConfig, precision: Dtype = 'f32'): ModelBudget {
  const ring = new RingLayout({ size: config.inputSize, slots: Math.ceil(clipDuration(config) * BUDGET_FPS) + 2, dtype: precision });
  const { graph } = buildSlowFast(config, undefined, { input: 'ring', ringCapacity: ring.capacity, softmax: true, classMaps: DEFAULT_TOP_K, features: true });
  const { weightBytes, activationBytes } = plannedGpuBytes(graph, { ring: ring.dtype }, precision);
  return { name, weightBytes, workingBytes: activationBytes + ring.bytes, precision };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const total = (b: ModelBudget) => b.weightBytes + b.workingBytes;

/** A job's engine and model: on the GPU (`gpu` set, with its tiles), or on the CPU engine. */
export type JobSetup =
  | { gpu: Gpu; engine: Engine; model: EngineModel; tiles?: TileTable }
  | { gpu?: undefined; engine: CpuEngine; model: EngineModel; tiles?: undefined };

/**
 * Why WebGPU cannot run a job here, in a sentence, when the GPU refused its model (a kernel its compiler rejects, a
 * buffer over its limit): the job can go on on the CPU engine. Undefined for any other failure.
 */
export function gpuRefusal(e: unknown): string | undefined {
  const why = e instanceof KernelCompileError || e instanceof PrecisionError ? e.message : e instanceof GpuLimitError ? e.need : undefined;
  return why && `WebGPU cannot run this here (${why})`;
}

export class Runtime {
  /** The engine on the CPU (made when first needed). */
  private cpuEngine?: CpuEngine;
  /** Camera frames the live sessions hold open now (the camera sessions say). */
  heldFrames: () => number = () => 0;

  constructor(
    readonly gpu: GpuLifetime,
    private readonly models: Models,
    private readonly teacher: Teacher,
    private readonly tiles: Tiles,
  ) {}

  /** The current model as the engine takes it, at the input size of `settings`, with the taught head in use. */
  async model(settings: RunSettings): Promise<EngineModel> {
    const model = this.models.current;
    if (!model) throw new Error('Load weights first (see the model panel).');
    const config = settings.inputSize ? { ...model.config, inputSize: settings.inputSize } : model.config;
    return { id: model.loadId, config, weights: () => new StateDictSource(model.dict), labels: model.labels, head: await this.teacher.headFor(model) };
  }

  /** The partner model (the one compared with the current), as the engine takes it, at the input size of `settings`. */
  partnerModel(settings: RunSettings): EngineModel | undefined {
    const model = this.models.partner;
    if (!model) return undefined;
    const config = settings.inputSize ? { ...model.config, inputSize: settings.inputSize } : model.config;
    return { id: model.loadId, config, weights: () => new StateDictSource(model.dict), labels: this.models.current?.labels };
  }

  /** What a video, a camera session or teaching runs on: the GPU's engine, else the CPU engine (no adapter, or chosen). */
  async setup(settings: RunSettings): Promise<JobSetup> {
    const g = await this.gpu.start();
    if (g && settings.engine !== 'wasm') return this.onGpu(settings);
    this.cpuEngine ??= new CpuEngine();
    return { engine: this.cpuEngine, model: await this.model(settings) };
  }

  /** The device, its engine and the model a GPU job runs with, or the reason it cannot start. */
  async onGpu(settings: RunSettings): Promise<{ gpu: Gpu; engine: Engine; model: EngineModel; config: SlowFastConfig; precision?: Precision; tiles?: TileTable }> {
    const g = await this.gpu.start();
    if (!g) throw new Error('This needs WebGPU, which is not available here.');
    const model = await this.model(settings);
    return { gpu: g, engine: this.gpu.engineOf(g.device), model, config: model.config, precision: settings.precision, tiles: await this.tiles.tuned(g) };
  }

  /**
   * Why a video's model (with its partner, when it is compared) cannot be on the GPU under the memory limit set, as a
   * clause; undefined where it fits, or no limit is set.
   */
  overLimit(settings: RunSettings, precision: Dtype, model: EngineModel, partner?: EngineModel): string | undefined {
    const limit = settings.gpuMemoryLimit;
    if (!limit) return undefined;
    if (partner) {
      const pair = this.compareNeed(precision, model, partner);
      return pair.bytes > limit ? `${pair.names} together need about ${pair.about} of GPU memory, over the ${mb(limit)} limit set` : undefined;
    }
    const need = total(modelBudget(this.models.current?.name ?? 'this model', model.config, precision));
    return need > limit ? `this model needs about ${mb(need)} of GPU memory, over the ${mb(limit)} limit set` : undefined;
  }

  /** What the current model and its partner (as a job runs them: at its input size, in its precision) take on the GPU together, and their names. */
  compareNeed(precision: Dtype, model: EngineModel, partner: EngineModel): { names: string; bytes: number; about: string } {
    const main = modelBudget(this.models.current?.name ?? 'this model', model.config, precision);
    const second = modelBudget(this.models.partner?.name ?? 'the second model', partner.config, precision);
    const bytes = total(main) + total(second);
    return { names: `${main.name} and ${second.name}`, bytes, about: mb(bytes) };
  }

  /**
   * What the current model and a partner (a zoo model by key, or the loaded partner: null) take on the GPU together at
   * the input size of `settings`, in the precision they would run in on this GPU, before the partner is loaded.
   */
  async compareBudget(partner: ModelKey | null, settings: RunSettings, cached: boolean): Promise<Extract<EngineEvent, { type: 'compareBudget' }> | undefined> {
    const current = this.models.current;
    if (!current) return undefined;
    const precision = await this.precisionOn(settings);
    const at = (config: SlowFastConfig) => (settings.inputSize ? { ...config, inputSize: settings.inputSize } : config);
    const zoo = partner === null ? undefined : findZooModel(partner);
    const second = partner === null ? this.models.partner : undefined;
    const config = zoo ? { ...PRESETS[zoo.preset], numClasses: zoo.classes } : second?.config;
    if (!config) return undefined;
    const main = modelBudget(current.name, at(current.config), precision);
    return {
      type: 'compareBudget', partner, inputSize: at(current.config).inputSize,
      models: [main, modelBudget(zoo?.title ?? second!.name, at(config), precision)],
      ...(settings.gpuMemoryLimit ? { limit: settings.gpuMemoryLimit } : {}),
      ...(zoo && !cached ? { download: approximateWeightBytes(zoo) } : {}),
    };
  }

  /** The precision the GPU's engine runs a job of `settings` in (f32 where it has no GPU, or f16 is asked of one that lacks it). */
  private async precisionOn(settings: RunSettings): Promise<Dtype> {
    const g = await this.gpu.start();
    if (!g || settings.engine === 'wasm') return 'f32';
    try {
      return this.gpu.engineOf(g.device).precisionOf(settings.precision);
    } catch {
      return 'f32';
    }
  }

  /** Frees the compared model's classifier and weights on both engines (the comparison ended). */
  async freePartner(): Promise<void> {
    const g = await this.gpu.start();
    if (g) this.gpu.engineOf(g.device).free('partner');
    this.cpuEngine?.free('partner');
  }

  /** The Performance panel's figures after a run. */
  perf(classifier: Classifier, inferenceMs: number, settings: RunSettings): PerfReport {
    const layers = settings.profile && classifier.timings.length ? classifier.timings.map((t) => ({ name: t.name, ms: t.ms })) : undefined;
    const device = classifier.executor.device;
    const gpuObjects = device ? liveResources(device) : { buffers: 0, textures: 0, buffersCreated: 0, pipelinesCreated: 0, bytesUploaded: 0 };
    const resources = { gpuBuffers: gpuObjects.buffers, gpuTextures: gpuObjects.textures, openVideoFrames: this.heldFrames() };
    const made = { buffers: gpuObjects.buffersCreated, pipelines: gpuObjects.pipelinesCreated, bytesUploaded: gpuObjects.bytesUploaded, modelBuilds: device ? this.gpu.engineOf(device).builds : 0 };
    return { inferenceMs, pipelineMs: classifier.executor.pipelineMs, memory: classifier.memory, layers, inputSize: classifier.config.inputSize, precision: classifier.precision, resources, made };
  }
}
