// The slowfast-web package: SlowFast action recognition in the browser behind a small typed API. Each model
// runs in its own engine worker (our WGSL kernels on WebGPU, else onnxruntime-web's wasm on the CPU), so the
// caller's page stays responsive and two models can be resident at once. The page and the widget speak to the
// same worker through the same protocol (protocol.ts); this module turns its events into promises.
import { Engine as EngineWorker } from './client.ts';
import type { AnalysisFacts, ClipLabels, EngineEvent, EngineOptions, GpuState, HeadState, Label, ModelInfo, RunSettings, TeachExample, WeightsState } from './protocol.ts';
import type { AdapterDescription } from '../../kernels/device.ts';
import type { ClassMaps, EngineKind } from '../../model/classifier.ts';
import { clipFrameRate } from '../../model/clips.ts';
import type { CurvePoint, Evaluation } from '../../model/head/train.ts';
import { segmentsOf, type Segment, type SegmentOptions } from '../../model/segments.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import { findZooModel, ZOO, ZOO_BASE_URL } from '../../model/zoo.ts';
import { verdictOf } from '../results.ts';
import { elementVideoInfo, frameGrid, openPlayableVideo, playerMayPlay, serveElementFrames, type ElementFrames } from '../video/elementSource.ts';
import { cameraFromStream, WebcamError } from '../video/webcam.ts';

export type { AdapterDescription, ClassMaps, CurvePoint, EngineKind, Evaluation, Label, Segment, SegmentOptions, SlowFastConfig };

/**
 * The engine worker's own client, for an app that drives everything the engine does (the slowfast-web page: its
 * model panel, cache, tiles and performance figures): typed requests out, typed events in (see protocol.ts).
 * loadModel and Model are built on it.
 */
export { Engine as EngineClient } from './client.ts';
export type * from './protocol.ts';

/** The zoo's checkpoints by name ('SLOWFAST_8x8_R50', 'charades/SLOW_8x8_R50', …), for `loadModel`. */
export const ZOO_MODELS: readonly string[] = ZOO.map((m) => m.name);

// ---- Errors --------------------------------------------------------------------------------------------------

/** Every error this package throws. `message` is a sentence fit to show a user. */
export class SlowFastError extends Error {
  override name = 'SlowFastError';
}

/** The weights could not be used: not a checkpoint, a damaged or unknown one, a download that failed. */
export class WeightsError extends SlowFastError {
  override name = 'WeightsError';
}

/** An error of a known kind (`kind`), for code that acts on which. */
class KindedError extends SlowFastError {
  constructor(message: string, readonly kind?: string) {
    super(message);
  }
}

/**
 * No frame of the video could be decoded (not a video, an unsupported codec, a damaged file). `kind` says which:
 * 'empty' | 'not-a-video' | 'still-image' | 'no-video-track' | 'unsupported-codec' | 'decode-failed'.
 */
export class VideoError extends KindedError {
  override name = 'VideoError';
}

/** `engine: 'webgpu'` was asked for where there is no usable WebGPU adapter. */
export class WebGpuUnavailableError extends SlowFastError {
  override name = 'WebGpuUnavailableError';
}

/** The GPU device was lost for good (the engine restarts a lost device a few times a minute; past that, this). */
export class GpuLostError extends SlowFastError {
  override name = 'GpuLostError';
}

/** The caller's AbortSignal fired, or the model was disposed. Its `name` is 'AbortError', as fetch's is. */
export class AbortedError extends SlowFastError {
  override name = 'AbortError';
}

/** The camera could not be read, or stopped. `kind`: 'permission-denied' | 'no-camera' | 'camera-in-use' | 'camera-disconnected' | 'unsupported'. */
export class CameraError extends KindedError {
  override name = 'CameraError';
}

/** A head file or training that could not be used. */
export class HeadError extends SlowFastError {
  override name = 'HeadError';
}

// ---- Types ---------------------------------------------------------------------------------------------------

export type EngineChoice = 'auto' | 'webgpu' | 'wasm';

export type PrecisionChoice = 'auto' | 'f32' | 'f16';

export interface LoadModelOptions {
  /** 'auto' (default): WebGPU where there is an adapter, else the CPU. 'webgpu' fails without one; 'wasm' is the CPU. */
  engine?: EngineChoice;
  /**
   * How WebGPU stores and multiplies the network: 'auto' (default) f16 where the GPU has `shader-f16` (half the GPU
   * memory; sums in f32), else f32. 'f16' fails where the GPU lacks it; 'f32' always. The CPU engine is f32.
   */
  precision?: PrecisionChoice;
  /** Class names for the model's head, by index (else the dataset's: Kinetics-400/600, Charades). */
  labels?: readonly string[];
  /** Bytes of weights read or downloaded so far (`total` 0 while unknown). */
  onProgress?: (progress: { loaded: number; total: number }) => void;
  signal?: AbortSignal;
  /** Where zoo checkpoints are fetched from: a server holding the zoo's paths (default the official zoo, which must allow your origin). */
  mirror?: string;
  /**
   * Input height and width for every clip this model runs, unless a call says otherwise (default the model's own,
   * 256 for the zoo's R50s; smaller is faster and less exact).
   */
  inputSize?: number;
  /** Keep converted weights in this origin's storage (OPFS, else IndexedDB), so a zoo model loads from there next time (default true). */
  keep?: boolean;
  /**
   * Where this package's files (worker.js, ort-wasm-simd-threaded.wasm) are served, for bundlers that do not
   * follow `new URL(…, import.meta.url)` (esbuild): copy `node_modules/slowfast-web/dist/` there. Vite and webpack 5
   * need nothing.
   */
  assetsUrl?: string | URL;
}

export type VideoSource = Blob | string | HTMLVideoElement;

export interface ClassifyOptions {
  /** Seconds between clip starts (default 1). */
  stride?: number;
  /** Spatial crops per clip: 1 (centre, default) or 3 (the paper's multi-view testing). */
  views?: 1 | 3;
  /** 'paper': the paper's test protocol, 10 clips evenly spaced × 3 crops, instead of one every `stride`. */
  protocol?: 'stride' | 'paper';
  /** Input height and width (default loadModel's `inputSize`, else the model's own). */
  inputSize?: number;
  /** Thresholds for `segments` (default enter 0.5, exit 0.3, minDuration 1 s). */
  segments?: SegmentOptions;
  /** How many classes `top` and each clip's `top` hold (default 5). */
  topK?: number;
  /** Where the model looked, per clip, for its top classes (WebGPU only: the CPU engine has none). */
  classMaps?: boolean;
  signal?: AbortSignal;
  /** Called as each clip finishes, in time order. */
  onClip?: (clip: ClipResult) => void;
}

export interface ClipResult {
  /** Seconds. */
  start: number;
  end: number;
  /** Its most probable classes, most probable first. */
  top: Label[];
  /** Every class's probability, by index. */
  probabilities: Float32Array;
  /** With `classMaps` on WebGPU: where the model looked for its top classes. */
  maps?: ClassMaps;
}

export interface VideoResult {
  /** The whole video's most probable classes: the mean over its clips (each class's peak where `multiLabel`). */
  top: Label[];
  clips: ClipResult[];
  /** The video's label in a word: its top class, or undefined for a video with no clip. */
  verdict: Label | undefined;
  /** When each class was happening (see `ClassifyOptions.segments`). */
  segments: Segment[];
  /** Each class has its own probability (a sigmoid head, as Charades'): several can be true at once. */
  multiLabel: boolean;
  /** Sentences about the results worth showing: a video shorter than a clip, one that ends early, an engine change. */
  notices: string[];
  /** Where its clips ran. */
  engine: EngineKind;
  classNames: string[];
  inputSize: number;
  views: 1 | 3;
}

export interface ModelDescription {
  /** The zoo name ('SLOWFAST_8x8_R50'), or 'custom' for other weights. */
  key: string;
  name: string;
  config: SlowFastConfig;
  parameters: number;
  /** Where clips run: 'webgpu' (our kernels) or 'wasm' (onnxruntime-web on the CPU). */
  engine: EngineKind;
  /** How the network is stored and multiplied: 'f16' (sums in f32) or 'f32' (always on the CPU engine). */
  precision: 'f32' | 'f16';
  /** The WebGPU adapter, where the engine is 'webgpu'. */
  adapter?: AdapterDescription;
  /** Class names by index (a taught head's, when one is in use). */
  labels: string[];
  /** The dataset the checkpoint's head was trained on, when known. */
  dataset?: string;
  /** A taught head in use, if any. */
  head?: { name: string; classNames: string[]; evaluation?: Evaluation };
}

export interface LiveLabels {
  /** Seconds since watching started. */
  time: number;
  top: Label[];
  latencyMs: number;
  maps?: ClassMaps;
}

export interface WatchOptions {
  /** Milliseconds between labels (default 500). */
  interval?: number;
  /** Input height and width (default loadModel's `inputSize`, else the model's own). */
  inputSize?: number;
  onLabels: (labels: LiveLabels) => void;
  /** The camera stopped (its track ended, its permission was withdrawn) or could not be read. */
  onError?: (error: CameraError) => void;
}

export interface ExampleOptions {
  /** Only the clips mostly inside this span (seconds). */
  range?: { start: number; end: number };
  /** Each crop mirrored too: twice the examples (only for actions that mean the same mirrored). */
  mirrored?: boolean;
  /** Input height and width (default loadModel's `inputSize`, else the model's own). */
  inputSize?: number;
  signal?: AbortSignal;
}

/** A clip's features for teaching, from `examplesFrom`: one per crop (and mirrored copy). */
export interface ExampleClip {
  start: number;
  end: number;
  features: Float32Array[];
}

export interface TrainResult {
  evaluation: Evaluation;
  curve: CurvePoint[];
  /** The head as a file (safetensors): `loadHead` takes it back, on this model or one with the same backbone. */
  file: Uint8Array<ArrayBuffer>;
}

// ---- The engine worker, as promises ---------------------------------------------------------------------------

/**
 * Waits for the first event `pick` answers (a value to resolve with, or throws to reject), or the signal. The
 * worker's end (terminate) rejects too.
 */
function waitFor<T>(worker: EngineWorker, pick: (e: EngineEvent) => T | undefined, callerSignal?: AbortSignal, onAbort?: () => void): Promise<T> {
  const signal = callerSignal ? AbortSignal.any([callerSignal, worker.closed]) : worker.closed;
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      off();
      signal.removeEventListener('abort', aborted);
    };
    const aborted = () => {
      done();
      if (!worker.closed.aborted) onAbort?.();
      reject(new AbortedError(worker.closed.aborted ? 'The model was disposed.' : 'Aborted.'));
    };
    const off = worker.on((e) => {
      let value: T | undefined;
      try {
        value = pick(e);
      } catch (error) {
        done();
        reject(error);
        return;
      }
      if (value !== undefined) {
        done();
        resolve(value);
      }
    });
    if (signal.aborted) return aborted();
    signal.addEventListener('abort', aborted);
  });
}

const isZooName = (s: string) => findZooModel(s) !== undefined && !/[/.:]/.test(s.replace(/^[a-z0-9]+\//, ''));

/** Fetches a URL with progress (the engine reads the bytes as a Blob). */
async function fetchBlob(url: string, signal: AbortSignal | undefined, onProgress?: LoadModelOptions['onProgress'], what = 'The file'): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (e) {
    if (signal?.aborted) throw new AbortedError('Aborted.');
    throw new SlowFastError(`${what} could not be fetched from ${url}: ${(e as Error).message}`);
  }
  if (!response.ok || !response.body) throw new SlowFastError(`${what} could not be fetched from ${url}: the server answered HTTP ${response.status}.`);
  // Servers that answer every path with their page (single-page apps) say 200 for a file they do not have.
  if (/text\/html/.test(response.headers.get('content-type') ?? '')) {
    await response.body.cancel().catch(() => {});
    throw new SlowFastError(`${what} could not be fetched from ${url}: the server answered with a web page, not the file (is the address right?).`);
  }
  const total = Number(response.headers.get('content-length')) || 0;
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let loaded = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ loaded, total });
  }
  return new Blob(chunks, { type: response.headers.get('content-type') ?? '' });
}

const nameOf = (source: Blob | string, fallback: string) =>
  typeof source === 'string' ? decodeURIComponent(new URL(source, location.href).pathname.split('/').pop() || fallback) : source instanceof File ? source.name : fallback;

/**
 * Loads a SlowFast (or Slow-only) checkpoint: a File or Blob, an ArrayBuffer, a URL, or a zoo name such as
 * 'SLOWFAST_8x8_R50'. Official `.pyth` files (zip or legacy), and `.safetensors` from `npm run convert`.
 */
export async function loadModel(source: Blob | ArrayBuffer | ArrayBufferView | string, options: LoadModelOptions = {}): Promise<Model> {
  const { engine: choice = 'auto', precision = 'auto', signal } = options;
  const assets = options.assetsUrl === undefined ? undefined : new URL('./', new URL(String(options.assetsUrl), location.href));
  const worker = new EngineWorker(assets && new URL('worker.js', assets));
  const model = new ResidentModel(worker, options.inputSize);
  try {
    if (signal?.aborted) throw new AbortedError('Aborted.');
    const engineOptions: EngineOptions = {
      keep: options.keep ?? true,
      zooUrl: options.mirror === undefined ? ZOO_BASE_URL : new URL(options.mirror, location.href).href,
      siteModels: false,
      wasmUrl: assets && new URL('ort-wasm-simd-threaded.wasm', assets).href,
    };
    const gpuReady = waitFor(worker, (e) => {
      // The worker itself failed to start (its file missing: see assetsUrl).
      if (e.type === 'error' && e.scope === 'gpu') throw new SlowFastError(e.message);
      return e.type === 'gpu' && e.state.status !== 'checking' ? e.state : undefined;
    }, signal);
    worker.send({ type: 'init', model: null, options: engineOptions });
    const gpu = await gpuReady;
    if (choice === 'webgpu' && gpu.status !== 'ready') throw new WebGpuUnavailableError(`WebGPU is not available here: ${gpu.message}`);
    if (gpu.status === 'unavailable') throw new SlowFastError(gpu.message);
    model.useEngine(gpu.status === 'ready' && choice !== 'wasm' ? 'webgpu' : 'wasm');
    const f16 = gpu.status === 'ready' && gpu.features.includes('shader-f16');
    if (precision === 'f16' && (choice === 'wasm' || !f16)) {
      throw new SlowFastError(choice === 'wasm' || gpu.status !== 'ready'
        ? 'f16 precision needs the WebGPU engine: the CPU engine computes in f32.'
        : 'f16 precision needs a GPU with shader-f16, which this one does not have: choose auto or f32.');
    }
    model.usePrecision(precision, f16);

    // Bytes read by the worker; a URL's are the fetch's own (counted here as they arrive).
    const progress = (s: WeightsState) => {
      if (s.status === 'loading' && typeof source !== 'string') options.onProgress?.({ loaded: s.received, total: s.total });
      else if (s.status === 'loading' && s.phase === 'download') options.onProgress?.({ loaded: s.received, total: s.total });
    };
    const weightsError = (e: EngineEvent) => {
      if (e.type === 'error' && e.scope === 'weights') throw new WeightsError(e.message);
      if (e.type === 'weights' && e.state.status === 'error') throw new WeightsError(e.state.message);
    };
    const ready = (e: EngineEvent): ModelInfo | undefined => {
      weightsError(e);
      if (e.type === 'weights') {
        progress(e.state);
        if (e.state.status === 'ready') return e.state.model;
      }
      return undefined;
    };
    const cancel = () => worker.send({ type: 'cancelDownload' });
    let info: ModelInfo;
    if (typeof source === 'string' && isZooName(source)) {
      const zoo = findZooModel(source)!;
      // From storage if kept there, else 'missing': then downloaded.
      const first = waitFor<{ ready: ModelInfo } | { missing: WeightsState }>(worker, (e) => {
        const r = ready(e);
        if (r) return { ready: r };
        if (e.type === 'weights' && e.state.status === 'missing') return { missing: e.state };
        return undefined;
      }, signal);
      worker.send({ type: 'loadModel', key: zoo.name });
      const answer = await first;
      if ('ready' in answer) info = answer.ready;
      else {
        const downloaded = waitFor<ModelInfo>(worker, (e) => {
          const r = ready(e);
          // A failed download announces 'missing' again with its reason (and an error event).
          if (e.type === 'weights' && e.state.status === 'missing' && !e.state.download) throw new WeightsError(e.state.message);
          return r;
        }, signal, cancel);
        worker.send({ type: 'downloadModel', key: zoo.name });
        info = await downloaded;
      }
    } else {
      const blob = typeof source === 'string' ? await fetchBlob(source, signal, options.onProgress, 'The weights')
        : source instanceof Blob ? source
        : new Blob([source instanceof ArrayBuffer ? source : new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice()]);
      const loaded = waitFor(worker, ready, signal);
      worker.send({ type: 'loadWeightsFile', file: blob, name: nameOf(typeof source === 'string' || source instanceof Blob ? source : '', 'weights') });
      info = await loaded;
    }
    model.useWeights(info);
    if (options.labels) await model.setLabels(options.labels);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** A loaded model, resident in its own engine worker until `dispose()`. */
export interface Model {
  /** What is loaded and where it runs. */
  readonly info: ModelDescription;
  /** Names the head's classes (one name per class, by index). */
  setLabels(labels: readonly string[]): Promise<void>;
  /**
   * Classifies a video clip by clip: a File or Blob (mp4, webm, mov, mkv, gif), a URL, or a <video> element (its
   * source is read by a hidden player of its own; the element is not disturbed).
   */
  classifyVideo(source: VideoSource, options?: ClassifyOptions): Promise<VideoResult>;
  /** Labels a live stream (a camera's, from getUserMedia) every `interval` ms until stop(). The stream's tracks are the caller's: stop() leaves them running. */
  watch(stream: MediaStream, options: WatchOptions): { stop(): void };
  /** Labels with a taught head from a head file (`train`'s `file`, or `npm run teach`'s): its classes replace the checkpoint's. */
  loadHead(file: Blob, name?: string): Promise<void>;
  /** Labels with the checkpoint's own head and classes again. */
  useOwnClasses(): Promise<void>;
  /**
   * Examples for teaching from a video: the pooled features of its clips every half second (3 crops each, each
   * mirrored too with `mirrored`), or of those inside `range` (seconds).
   */
  examplesFrom(video: Blob, options?: ExampleOptions): Promise<ExampleClip[]>;
  /**
   * Trains a head on examples (`label`: the class's index in `classNames`; `group`: the take it came from, so a
   * take is never both trained on and graded), and labels with it from then on.
   */
  train(name: string, classNames: readonly string[], examples: readonly TeachExample[], options?: { onProgress?: (point: CurvePoint) => void }): Promise<TrainResult>;
  /** Ends the engine worker and frees its GPU memory. Pending calls reject with AbortedError. */
  dispose(): void;
}

/** The model in its worker: what loadModel returns. */
class ResidentModel implements Model {
  private weights?: ModelInfo;
  private engine: EngineKind = 'webgpu';
  private precision: PrecisionChoice = 'auto';
  private gpuHasF16 = false;
  private adapter?: AdapterDescription;
  private head: HeadState = { status: 'none' };
  private lost?: string;
  private disposed = false;

  constructor(
    private readonly worker: EngineWorker,
    private readonly inputSize: number | undefined,
  ) {
    worker.on((e) => this.track(e));
  }

  private track(e: EngineEvent): void {
    if (e.type === 'gpu') this.trackGpu(e.state);
    else if (e.type === 'weights' && e.state.status === 'ready') this.weights = e.state.model;
    else if (e.type === 'head') this.head = e.state;
  }

  private trackGpu(s: GpuState): void {
    if (s.status === 'ready') {
      this.adapter = s.adapter;
      this.lost = undefined;
    } else if (s.status === 'lost' && /again/.test(s.message)) this.lost = s.message;
  }

  useEngine(engine: EngineKind): void {
    this.engine = engine;
  }

  /** The precision asked for, and whether the GPU has shader-f16 ('auto' is f16 there). */
  usePrecision(precision: PrecisionChoice, gpuHasF16: boolean): void {
    this.precision = precision;
    this.gpuHasF16 = gpuHasF16;
  }

  useWeights(info: ModelInfo): void {
    this.weights = info;
  }

  /** What is loaded and where it runs. */
  get info(): ModelDescription {
    const w = this.loaded();
    const head = this.head.status === 'ready' ? { name: this.head.name, classNames: this.head.classNames, evaluation: this.head.evaluation } : undefined;
    return {
      key: w.key, name: w.name, config: w.config, parameters: w.parameters, engine: this.engine,
      precision: this.engine === 'webgpu' && this.precision !== 'f32' && this.gpuHasF16 ? 'f16' : 'f32',
      adapter: this.engine === 'webgpu' ? this.adapter : undefined, labels: head?.classNames ?? w.classNames, dataset: w.dataset, head,
    };
  }

  private loaded(): ModelInfo {
    if (this.disposed) throw new SlowFastError('This model was disposed.');
    return this.weights!;
  }

  private settings(o: Pick<ClassifyOptions, 'stride' | 'views' | 'protocol' | 'inputSize'> = {}): RunSettings {
    return { stride: o.stride ?? 1, views: o.views ?? 1, protocol: o.protocol ?? 'stride', inputSize: o.inputSize ?? this.inputSize, profile: false, engine: this.engine, precision: this.precision };
  }

  /** Names the head's classes (one name per class, by index). */
  async setLabels(labels: readonly string[]): Promise<void> {
    const n = this.loaded().config.numClasses;
    if (labels.length !== n) throw new SlowFastError(`The model's head has ${n} classes, but ${labels.length} labels were given.`);
    const named = waitFor(this.worker, (e) => {
      if (e.type === 'error' && e.scope === 'labels') throw new SlowFastError(e.message);
      return e.type === 'weights' && e.state.status === 'ready' && e.state.model.labelsName === 'labels.txt' ? true : undefined;
    });
    this.worker.send({ type: 'loadLabels', file: new Blob([labels.join('\n')], { type: 'text/plain' }), name: 'labels.txt' });
    await named;
  }

  /**
   * Classifies a video clip by clip: a File or Blob (mp4, webm, mov, mkv, gif), a URL, or an <video> element
   * (its source is read by a hidden player of its own; the element is not disturbed).
   */
  async classifyVideo(source: VideoSource, options: ClassifyOptions = {}): Promise<VideoResult> {
    this.loaded();
    const { signal } = options;
    const name = source instanceof HTMLVideoElement ? nameOf(source.currentSrc || source.src || 'video', 'video') : nameOf(source, 'video');
    if (source instanceof HTMLVideoElement) {
      const url = source.currentSrc || source.src;
      if (!url) throw new VideoError('This <video> element has no source to read (a live stream? use watch()).', 'not-a-video');
      return this.analyzeInPlayer(url, name, undefined, options);
    }
    const file = typeof source === 'string' ? await fetchBlob(source, signal, undefined, 'The video') : source;
    try {
      return await this.analyze(file, name, options);
    } catch (e) {
      // WebCodecs refused it: the browser's own player may play it (its frames are then served from there).
      if (e instanceof VideoError && playerMayPlay(e.kind) && !/^image\//.test(file.type)) {
        const url = URL.createObjectURL(file);
        try {
          return await this.analyzeInPlayer(url, name, e, options);
        } finally {
          URL.revokeObjectURL(url);
        }
      }
      throw e;
    }
  }

  private async analyzeInPlayer(url: string, name: string, refusal: VideoError | undefined, options: ClassifyOptions): Promise<VideoResult> {
    const video = await openPlayableVideo(url);
    if (!video) throw refusal ?? new VideoError(`${name}: the browser cannot play this video.`, 'unsupported-codec');
    try {
      const info = elementVideoInfo(video);
      const inputSize = options.inputSize ?? this.inputSize;
      const config = { ...this.loaded().config, ...(inputSize ? { inputSize } : {}) };
      const times = frameGrid(video.duration, clipFrameRate(config));
      const port = serveElementFrames(video, times);
      return await this.analyze(new Blob(), name, options, { port, info, times });
    } finally {
      video.removeAttribute('src');
      video.load();
    }
  }

  private analyze(file: Blob, name: string, options: ClassifyOptions, frames?: ElementFrames): Promise<VideoResult> {
    const id = this.worker.id();
    const topK = options.topK ?? 5;
    const clips: ClipResult[] = [];
    const notices: string[] = [];
    let facts: AnalysisFacts | undefined;
    let engine: EngineKind = this.engine;
    const clipOf = (c: ClipLabels): ClipResult => {
      const top = c.top.slice(0, topK);
      return { start: c.start, end: c.end, top, probabilities: c.probabilities, ...(options.classMaps && c.maps ? { maps: c.maps } : {}) };
    };
    const finished = waitFor(this.worker, (e): VideoResult | undefined => {
      if (e.type === 'gpu' && e.state.status === 'lost' && /again/.test(e.state.message)) throw new GpuLostError(e.state.message);
      if (!('id' in e) || e.id !== id) {
        if (e.type === 'error' && e.scope === 'gpu') throw new SlowFastError(e.message);
        return undefined;
      }
      switch (e.type) {
        case 'analysisStart':
          facts = e.facts;
          engine = e.engine;
          return undefined;
        case 'analysisEngine':
          engine = e.engine;
          return undefined;
        case 'notice':
          notices.push(e.message);
          return undefined;
        case 'clip': {
          const clip = clipOf(e.clip);
          clips.push(clip);
          options.onClip?.(clip);
          return undefined;
        }
        case 'error':
          throw e.scope === 'video' ? new VideoError(e.message, e.kind) : new SlowFastError(e.message);
        case 'analysisEnd': {
          if (e.outcome === 'cancelled') throw new AbortedError('Aborted.');
          const f = facts!;
          const top = verdictOf(clips, f.classNames, f.multiLabel, topK);
          return {
            top, clips, verdict: top[0], segments: segmentsOf(clips, f.classNames, options.segments), multiLabel: f.multiLabel, notices,
            engine, classNames: f.classNames, inputSize: f.inputSize, views: f.views,
          };
        }
        default:
          return undefined;
      }
    }, options.signal, () => this.worker.send({ type: 'cancel', id }));
    if (this.lost) return Promise.reject(new GpuLostError(this.lost));
    this.worker.send({ type: 'analyze', id, file, name, settings: this.settings(options), ...(frames ? { frames } : {}) });
    return finished;
  }

  /** Labels a live stream (a camera's, from getUserMedia) every `interval` ms until stop(). The stream's tracks are the caller's: stop() leaves them running. */
  watch(stream: MediaStream, options: WatchOptions): { stop(): void } {
    this.loaded();
    const id = this.worker.id();
    let camera: ReturnType<typeof cameraFromStream>;
    try {
      camera = cameraFromStream(stream, { stopTracks: false });
    } catch (e) {
      throw e instanceof WebcamError ? new CameraError(e.message, e.kind) : e;
    }
    const off = this.worker.on((e) => {
      if (!('id' in e) || e.id !== id) return;
      if (e.type === 'webcamLabels') options.onLabels({ time: e.time, top: e.top, latencyMs: e.latencyMs, ...(e.maps ? { maps: e.maps } : {}) });
      else if (e.type === 'error' && e.scope === 'webcam') options.onError?.(new CameraError(e.message, e.kind));
      else if (e.type === 'webcamEnd') stop();
    });
    const ended = () => this.worker.send({ type: 'webcamStop', id, error: { kind: 'camera-disconnected', message: 'The camera was disconnected. Labels stopped.' } });
    camera.track.addEventListener('ended', ended);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      off();
      camera.track.removeEventListener('ended', ended);
      this.worker.send({ type: 'webcamStop', id });
      camera.stop();
    };
    this.worker.send({ type: 'webcamStart', id, frames: camera.frames, settings: this.settings(options), intervalMs: options.interval ?? 500 });
    return { stop };
  }

  /** Labels with a taught head from a head file (`train`'s `file`, or `npm run teach`'s): its classes replace the checkpoint's. */
  async loadHead(file: Blob, name = file instanceof File ? file.name : 'head.safetensors'): Promise<void> {
    this.loaded();
    const used = waitFor(this.worker, (e) => {
      if (e.type === 'error' && e.scope === 'head') throw new HeadError(e.message);
      return e.type === 'head' && e.state.status === 'ready' ? true : undefined;
    });
    this.worker.send({ type: 'useHead', file, name });
    await used;
  }

  /** Labels with the checkpoint's own head and classes again. */
  async useOwnClasses(): Promise<void> {
    this.loaded();
    if (this.head.status === 'none') return;
    const used = waitFor(this.worker, (e) => (e.type === 'head' && e.state.status === 'none' ? true : undefined));
    this.worker.send({ type: 'useHead', file: null });
    await used;
  }

  /**
   * Examples for teaching from a video: the pooled features of its clips every half second (3 crops each, each
   * mirrored too with `mirrored`), or of those inside `range` (seconds).
   */
  async examplesFrom(video: Blob, options: ExampleOptions = {}): Promise<ExampleClip[]> {
    this.loaded();
    const id = this.worker.id();
    const read = waitFor(this.worker, (e) => {
      if (!('id' in e) || e.id !== id) return undefined;
      if (e.type === 'error') throw new VideoError(e.message, e.kind);
      return e.type === 'teachFeatures' ? e.clips : undefined;
    }, options.signal);
    this.worker.send({ type: 'teachFile', id, file: video, name: nameOf(video, 'video'), settings: this.settings(options), range: options.range, mirrored: options.mirrored });
    return read;
  }

  /**
   * Trains a head on examples (`label`: the class's index in `classNames`; `group`: the take it came from, so a
   * take is never both trained on and graded), and labels with it from then on.
   */
  async train(name: string, classNames: readonly string[], examples: readonly TeachExample[], options: { onProgress?: (point: CurvePoint) => void } = {}): Promise<TrainResult> {
    this.loaded();
    const id = this.worker.id();
    const trained = waitFor(this.worker, (e) => {
      if (!('id' in e) || e.id !== id) return undefined;
      if (e.type === 'error') throw new HeadError(e.message);
      if (e.type === 'trainProgress') options.onProgress?.(e.point);
      return e.type === 'trained' ? { evaluation: e.evaluation, curve: e.curve, file: e.file } : undefined;
    });
    this.worker.send({ type: 'train', id, name, classNames: [...classNames], examples: [...examples] });
    const result = await trained;
    // The engine labels with it once 'head' says so.
    if (this.head.status !== 'ready' || this.head.name !== name) await waitFor(this.worker, (e) => (e.type === 'head' && e.state.status === 'ready' ? true : undefined));
    return result;
  }

  /** Ends the engine worker and frees its GPU memory. Pending calls reject with AbortedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.worker.terminate();
  }
}

export type { TeachExample };
