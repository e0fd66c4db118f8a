// What a job runs on: the GPU's resident engine with the current model (its weights, input size and taught head)
// and tuned tiles, or the CPU engine where there is no adapter or the user chose it — and why WebGPU refused a
// model, when it did, so the job can go on on the CPU.
import { KernelCompileError } from '../../kernels/runKernel.ts';
import { liveResources, type Gpu } from '../../kernels/device.ts';
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import type { Classifier } from '../../model/classifier.ts';
import { GpuLimitError } from '../../model/executor.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { CpuEngine } from './cpuEngine.ts';
import type { Engine, EngineModel } from './engine.ts';
import type { GpuLifetime } from './gpuLifetime.ts';
import type { Models } from './models.ts';
import type { PerfReport, RunSettings } from './protocol.ts';
import type { Teacher } from './teacher.ts';
import type { Tiles } from './tiles.ts';

/** A job's engine and model: on the GPU (`gpu` set, with its tiles), or on the CPU engine. */
export type JobSetup =
  | { gpu: Gpu; engine: Engine; model: EngineModel; tiles?: TileTable }
  | { gpu?: undefined; engine: CpuEngine; model: EngineModel; tiles?: undefined };

/**
 * Why WebGPU cannot run a job here, in a sentence, when the GPU refused its model (a kernel its compiler rejects, a
 * buffer over its limit): the job can go on on the CPU engine. Undefined for any other failure.
 */
export function gpuRefusal(e: unknown): string | undefined {
  const why = e instanceof KernelCompileError ? e.message : e instanceof GpuLimitError ? e.need : undefined;
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
  async onGpu(settings: RunSettings): Promise<{ gpu: Gpu; engine: Engine; model: EngineModel; config: SlowFastConfig; tiles?: TileTable }> {
    const g = await this.gpu.start();
    if (!g) throw new Error('This needs WebGPU, which is not available here.');
    const model = await this.model(settings);
    return { gpu: g, engine: this.gpu.engineOf(g.device), model, config: model.config, tiles: await this.tiles.tuned(g) };
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
    return { inferenceMs, pipelineMs: classifier.executor.pipelineMs, memory: classifier.memory, layers, inputSize: classifier.config.inputSize, resources, made };
  }
}
