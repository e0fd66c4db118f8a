// Video files through the engine: an analysis (clip by clip, resuming on a new device after a loss, moving to
// the CPU engine when the GPU refuses the model) and teaching's examples (a file's pooled features). Each runs
// under an id the page can cancel.
import { deviceLost } from '../../kernels/device.ts';
import type { Classifier } from '../../model/classifier.ts';
import { GpuLimitError, GpuMemoryError } from '../../model/executor.ts';
import { labelsFor } from '../../model/labels.ts';
import { analyzeVideo, analyzeVideoWith, viewsFor, type ClipResult } from '../video/analyze.ts';
import { openVideoFile, VideoInputError } from '../video/decode.ts';
import { openElementFrames, type ElementFrames } from '../video/elementSource.ts';
import type { EngineModel } from './engine.ts';
import { MAX_LOSSES_PER_MINUTE } from './gpuLifetime.ts';
import type { AnalysisFacts, EngineEvent, Label, RunSettings } from './protocol.ts';
import { gpuRefusal, type Runtime } from './runtime.ts';

/** Seconds between the clips a teaching file gives: overlapping clips are its takes' jitter in time. */
const TEACH_STRIDE = 0.5;

/** Labels as the page takes them: index, name and probability only (the classifier's carry more). */
export const plainLabels = (top: readonly Label[]): Label[] => top.map(({ index, label, probability }) => ({ index, label, probability }));

/** What an analysis's probabilities mean: a taught head's classes (single-label: a softmax), else the checkpoint's. */
function analysisFacts(modelName: string, model: EngineModel, settings: RunSettings): AnalysisFacts {
  const { config, head, labels } = model;
  return {
    model: modelName,
    classNames: [...(head?.classNames ?? labels ?? labelsFor(config.numClasses))],
    multiLabel: !head && config.headActivation === 'sigmoid',
    inputSize: config.inputSize,
    views: viewsFor(settings),
    stride: settings.stride,
    protocol: settings.protocol ?? 'stride',
  };
}

export class VideoJobs {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly post: (e: EngineEvent) => void,
    private readonly runtime: Runtime,
    private readonly modelName: () => string,
    /** The partner model's name, for an analysis that compares. */
    private readonly partnerName: () => string,
    /** After an analysis on the GPU: tiles may be tuned while the engine is idle. */
    private readonly idle: (settings: RunSettings, device: GPUDevice) => void,
  ) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  cancel(id: number): void {
    this.running.get(id)?.abort();
  }

  async analyze(id: number, file: Blob, name: string, settings: RunSettings, frames?: ElementFrames, compare = false): Promise<void> {
    const { post, runtime } = this;
    const controller = new AbortController();
    this.running.set(id, controller);
    let clipsDone = 0;
    try {
      // A lost device ends an attempt; the next one decodes again on a new device and classifies from the first
      // clip not yet done. (Frames from the page's player come once, so that source cannot resume.)
      let run = settings;
      for (let attempt = 0; ; attempt++) {
        const { gpu, engine, model, tiles } = await runtime.setup(run);
        const device = gpu?.device;
        const video = frames ? openElementFrames(frames) : await openVideoFile(file);
        // The partner model, compared on the same decode: its clips from the same frames, in its own spans.
        const offered = compare ? runtime.partnerModel(run) : undefined;
        // Compared only over the same classes: not beside a taught head, nor after a load of another label set.
        const partner = offered && !model.head && offered.config.numClasses === model.config.numClasses ? offered : undefined;

        let partnerDone = 0;
        const partnerRun = partner && {
          model: partner,
          options: {
            slot: 'partner' as const, precision: run.precision, tiles, stride: settings.stride, views: viewsFor(settings), protocol: settings.protocol, signal: controller.signal, resumeAt: partnerDone,
            onClip: (r: ClipResult) => {
              partnerDone++;
              post({ type: 'compareClip', id, clip: { start: r.start, end: r.end, top: plainLabels(r.top), probabilities: r.probabilities, ms: r.ms, maps: r.maps } });
            },
          },
        };
        try {
          if (attempt === 0) {
            const facts = analysisFacts(this.modelName(), model, settings);
            const slowFastFirst = partner && !model.config.slowOnly && !!partner.config.slowOnly;
            if (partner) facts.compare = { model: this.partnerName(), classNames: facts.classNames, multiLabel: facts.multiLabel, gainsOf: slowFastFirst ? 'current' : 'partner' };
            post({ type: 'analysisStart', id, info: video.info, engine: device ? 'webgpu' : 'wasm', facts });
            if (offered && !partner) {
              post({ type: 'notice', id, kind: 'compare', message: `Not compared with ${this.partnerName()}: ${model.head ? 'a taught head labels this video' : 'its classes are not this model\'s'}.` });
            }
          }
          // A model, or two compared, over the memory limit set: the video runs on the CPU engine (the fallback below says why).
          const overLimit = gpu ? runtime.overLimit(run, engine.precisionOf(run.precision), model, partner) : undefined;
          if (overLimit) throw new GpuLimitError(overLimit);
          let classifier: Classifier | undefined;
          await analyzeVideoWith(engine, [{ model, options: {
            tiles,
            precision: run.precision,
            stride: settings.stride,
            views: viewsFor(settings),
            protocol: settings.protocol,
            profile: settings.profile,
            signal: controller.signal,
            resumeAt: clipsDone,
            onClassifier: (c) => (classifier = c),
            onProgress: (p) => post({ type: 'progress', id, ...p }),
            onNotice: (n) => post({ type: 'notice', id, ...n }),
            onClip: (r) => {
              clipsDone++;
              post({
                type: 'clip', id,
                clip: { start: r.start, end: r.end, top: plainLabels(r.top), probabilities: r.probabilities, ms: r.ms, maps: r.maps, ...(r.baseTop ? { baseTop: plainLabels(r.baseTop) } : {}) },
              });
              if (classifier) post({ type: 'perf', report: runtime.perf(classifier, r.ms, settings) });
            },
          } }, ...(partnerRun ? [partnerRun] : [])], video);
          post({ type: 'analysisEnd', id, outcome: 'done' });
          this.running.delete(id);
          if (device) this.idle(settings, device);
          return;
        } catch (e) {
          if (device && !controller.signal.aborted && !frames && attempt < MAX_LOSSES_PER_MINUTE && (await deviceLost(device))) continue;
          // A kernel this GPU's compiler refuses, or a buffer larger than it allows, is no dead end: the video goes on
          // on the CPU engine, and the page says why. (Frames from the page's player come once, so that source cannot
          // start again.)
          // Out of memory with a second model on the GPU: it is the pair that does not fit.
          const pair = e instanceof GpuMemoryError && partner && gpu ? runtime.compareNeed(engine.precisionOf(run.precision), model, partner) : undefined;
          const refusal = pair ? `WebGPU cannot run this here (this GPU cannot hold both ${pair.names}, about ${pair.about} together)` : gpuRefusal(e);
          if (device && refusal && !controller.signal.aborted && !frames && clipsDone === 0) {
            run = { ...settings, engine: 'wasm' };
            post({ type: 'notice', id, kind: 'engine', message: `${refusal}: this video runs on the CPU engine instead.` });
            post({ type: 'analysisEngine', id, engine: 'wasm' });
            continue;
          }
          throw e;
        } finally {
          video.dispose();
        }
      }
    } catch (e) {
      if (controller.signal.aborted) {
        post({ type: 'analysisEnd', id, outcome: 'cancelled' });
        return;
      }
      const kind = e instanceof VideoInputError ? e.kind : undefined;
      post({ type: 'error', scope: 'video', id, kind, message: e instanceof VideoInputError ? `${name}: ${e.message}` : `${name} could not be analysed: ${(e as Error).message}` });
    } finally {
      this.running.delete(id);
    }
  }

  /** One clip of a file run again, mapping `classIndex` first (a class the analysis did not map there), by the current model or its partner. */
  async mapClip(id: number, file: Blob, window: { start: number; end: number }, classIndex: number, settings: RunSettings, partner = false): Promise<void> {
    try {
      const run = { ...settings, views: 1 as const };
      const { gpu, engine, model: current, tiles } = await this.runtime.setup(run);
      if (!gpu) throw new Error('maps need WebGPU (the CPU engine computes labels only)');
      const model = partner ? this.runtime.partnerModel(run) : current;
      if (!model) throw new Error('the model compared with is no longer loaded');
      if (!(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < model.config.numClasses)) throw new Error(`there is no class ${classIndex}`);
      const video = await openVideoFile(file);
      try {
        const [clip] = await analyzeVideo(engine, model, video, { slot: partner ? 'partner' : 'main', precision: run.precision, tiles, windows: [window], mappedClasses: [classIndex] });
        if (!clip?.maps) throw new Error('the clip gave no maps');
        this.post({ type: 'clipMap', id, start: window.start, classIndex, maps: clip.maps, ...(partner ? { partner } : {}) });
      } finally {
        video.dispose();
      }
    } catch (e) {
      this.post({ type: 'error', scope: 'maps', id, message: `The map could not be made: ${(e as Error).message}` });
    }
  }

  /** The pooled features of a file's clips (3 crops each, every half second), inside `range` if given. */
  async teachFile(id: number, file: Blob, name: string, settings: RunSettings, range?: { start: number; end: number }, mirrored = false): Promise<void> {
    const features = async (run: RunSettings, notice?: string) => {
      const { engine, model, tiles } = await this.runtime.setup(run);
      const video = await openVideoFile(file);
      try {
        const clips = await analyzeVideo(engine, model, video, { tiles, precision: run.precision, stride: TEACH_STRIDE, views: 3, mirrored });
        // A segment's examples are the clips mostly inside it.
        const inside = range ? clips.filter((c) => (c.start + c.end) / 2 >= range.start && (c.start + c.end) / 2 <= range.end) : clips;
        this.post({ type: 'teachFeatures', id, clips: inside.map((c) => ({ start: c.start, end: c.end, features: c.features })), duration: video.info.duration, notice });
      } finally {
        video.dispose();
      }
    };
    try {
      try {
        await features(settings);
      } catch (e) {
        const refusal = settings.engine !== 'wasm' ? gpuRefusal(e) : undefined;
        if (!refusal) throw e;
        await features({ ...settings, engine: 'wasm' }, `${refusal}: ${name} was read on the CPU engine instead.`);
      }
    } catch (e) {
      this.post({ type: 'error', scope: 'teach', id, message: e instanceof VideoInputError ? `${name}: ${e.message}` : `${name} could not be used: ${(e as Error).message}` });
    }
  }
}
