// Messages between the UI thread and the engine worker, which owns the GPUDevice. Everything here is
// structured-clonable; the UI never sees a GPU object.
import type { AdapterDescription } from '../../kernels/device.ts';
import type { MemoryReport } from '../../model/executor.ts';
import type { ClassMaps } from '../../model/classifier.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import type { VideoInfo } from '../video/decode.ts';
import type { KeptBackend } from '../storage/keptFolder.ts';
import type { ElementFrames } from '../video/elementSource.ts';
import type { CameraFrames, WebcamErrorKind } from '../video/webcam.ts';
import type { EngineKind } from '../../model/classifier.ts';
import type { AnalysisNotice } from '../video/analyze.ts';
import type { CurvePoint, Evaluation } from '../../model/head/train.ts';
import type { Precision } from '../../model/kernelChoice.ts';

/** A model is known by its zoo name (model/zoo.ts: 'SLOWFAST_8x8_R50', 'charades/SLOW_8x8_R50', …), or 'custom' for a file the user gave. */
export type ModelKey = string;

export interface Label {
  index: number;
  label: string;
  probability: number;
}

export interface ModelInfo {
  key: ModelKey;
  /** What the user would call it: the preset's title or the dropped file's name. */
  name: string;
  config: SlowFastConfig;
  parameters: number;
  bytes: number;
  /** Cached in this browser, served by this site, downloaded from the model zoo, or the user's file. */
  source: 'cache' | 'server' | 'zoo' | 'file';
  /** The dataset whose label map the head outputs (Kinetics-400, Kinetics-600, Charades), if known. */
  dataset?: string;
  /** Names from the user's label file, if one was given (then `labelsName` is its file's name). */
  labelsName?: string;
  /** Which load made it current: the same model re-announced (after a failed load) keeps its id. */
  loadId: number;
  /** The head's class names, by index (the label file's, the dataset's, or "class N"). */
  classNames: string[];
  /** Each class has its own probability (a sigmoid head, as Charades'): several actions can be true at once. */
  multiLabel: boolean;
}

export type GpuState =
  | { status: 'checking' }
  /** `notice`: something to tell about the device (it was lost and started again). */
  | { status: 'ready'; adapter: AdapterDescription; features: string[]; notice?: string }
  | { status: 'unavailable'; message: string }
  /** No WebGPU adapter (`message` says why): video files run on the CPU engine (onnxruntime-web's wasm). */
  | { status: 'cpu'; message: string }
  | { status: 'lost'; message: string };

/** How far a load has got: reading weights, or downloading them (see WeightsState). */
export interface LoadProgress {
  phase: 'cache' | 'download' | 'read' | 'waiting';
  received: number;
  total: number;
  cancellable?: boolean;
  secondsLeft?: number;
  wholeFile?: boolean;
}

export type WeightsState =
  | { status: 'none' }
  /**
   * `cancellable`: a download from the model zoo, which 'cancelDownload' stops; `secondsLeft`, its time left at
   * this visit's rate; `wholeFile`, the server answers no Range requests, so the whole checkpoint (optimizer state
   * and all) comes. Phase 'waiting': another tab is downloading the same model, and this one waits for it.
   */
  | ({ status: 'loading'; key: ModelKey; name: string } & LoadProgress)
  | { status: 'ready'; model: ModelInfo }
  /**
   * `download`: the model zoo has it and this site can fetch it ('downloadModel'): about `bytes` (its weights'
   * records, not the whole checkpoint), of which `kept` arrived in an earlier download that broke off.
   */
  | { status: 'missing'; key: ModelKey; message: string; download?: { bytes: number; kept?: number } }
  | { status: 'error'; message: string };

export type CacheState =
  | { status: 'checking' }
  /** `storage`: where they are kept (OPFS, else IndexedDB where the browser refuses OPFS). */
  | { status: 'available'; models: { key: ModelKey; name: string; bytes: number }[]; storage: KeptBackend }
  | { status: 'unavailable'; message: string }
  /** No WebGPU adapter (`message` says why): video files run on the CPU engine (onnxruntime-web's wasm). */
  | { status: 'cpu'; message: string };

/** The conv tiles in use: the default heuristic, being tuned on this GPU, or tuned (kept in browser storage). */
export type TilesState =
  /** `automatic`: this GPU gets tuned by itself after an analysis (hardware adapters; not software ones). */
  | { status: 'default'; automatic?: boolean }
  /** `automatic`: started by the engine after an analysis on a hardware GPU, stopped by the next job. */
  | { status: 'tuning'; done: number; total: number; automatic?: boolean }
  /** Automatic tuning stopped for a job; the shapes measured are kept and it resumes after the next analysis. */
  | { status: 'paused'; done: number; total: number }
  | { status: 'tuned'; shapes: number; precision: 'f32' | 'f16'; ms?: number };

/** The taught head the engine labels with, if any (its classes replace the checkpoint's). */
export type HeadState =
  | { status: 'none' }
  | { status: 'ready'; name: string; classNames: string[]; source: 'trained' | 'file'; evaluation?: Evaluation };

/** One example for training: a clip's pooled features, its class, and the take it came from. */
export interface TeachExample {
  features: Float32Array;
  label: number;
  group: string;
}

export interface RunSettings {
  /** Input height and width; default the model's own. */
  inputSize?: number;
  /** Seconds between clip starts. */
  stride: number;
  views: 1 | 3;
  profile: boolean;
  /** 'paper': 10 clips evenly spaced over the video (with views 3) instead of one every `stride`. */
  protocol?: 'stride' | 'paper';
  /** Video files on the CPU engine even where there is a GPU (a software adapter is slower than it). */
  engine?: 'webgpu' | 'wasm';
  /**
   * On WebGPU: 'f16' stores the backbone's weights and activations as f16 (half the GPU memory; the GPU needs
   * shader-f16), 'auto' takes f16 where the GPU has it; default f32. The CPU engine is f32.
   */
  precision?: Precision;
  /**
   * Bytes of GPU memory a video's models may take (weights and working memory): a video whose model, or two models
   * compared, are planned over it runs on the CPU engine instead, with a notice. None: as much as the GPU gives.
   */
  gpuMemoryLimit?: number;
}

export interface ClipLabels {
  start: number;
  end: number;
  top: Label[];
  /** Every class's probability (the timeline plots the top classes across all clips). */
  probabilities: Float32Array;
  ms: number;
  /** Where the model looked, for the clip's top classes (see ClassMaps). */
  maps?: ClassMaps;
  /** With a taught head: the checkpoint's own top labels for the clip. */
  baseTop?: Label[];
}

export interface PerfReport {
  /** Last inference (all views), milliseconds, upload to read-back. */
  inferenceMs: number;
  pipelineMs: number;
  memory: MemoryReport;
  /** Per-layer GPU time where the adapter has timestamp-query (and profiling is on). */
  layers?: { name: string; ms: number }[];
  inputSize: number;
  /** How the backbone was stored and multiplied (the CPU engine's is f32). */
  precision: 'f32' | 'f16';
  /** What the engine holds now: GPU buffers and textures not yet destroyed, camera frames not yet closed. */
  resources: { gpuBuffers: number; gpuTextures: number; openVideoFrames: number };
  /**
   * What the engine has made on this device since it started: buffers and pipelines created, bytes written
   * into buffers, and models built (a second video or a camera start on the loaded model adds none of these
   * but its few bytes of frame indices).
   */
  made: { buffers: number; pipelines: number; bytesUploaded: number; modelBuilds: number };
}

/** How an engine is set up by whoever starts it (the page takes the defaults; the library passes its caller's). */
export interface EngineOptions {
  /** Keep converted weights, label files and tuned tiles in the origin's storage (default true). */
  keep?: boolean;
  /** Where zoo checkpoints are fetched from (their zoo paths below it); default the site's own relay. */
  zooUrl?: string;
  /** Try the site's own converted weights (`models/` beside the page, as `npm run weights` writes them) before the zoo (default true). */
  siteModels?: boolean;
  /** Where onnxruntime-web's .wasm is served, where the bundler did not place it beside the worker. */
  wasmUrl?: string;
}

/** What an analysis's results mean, as the engine runs it: the page and the library take these, not their own guesses. */
export interface AnalysisFacts {
  /** The model's name (its preset's title or its file's). */
  model: string;
  /** The classes its probabilities are over: the taught head's, the label file's, or the dataset's. */
  classNames: string[];
  /** Each class has its own probability (a sigmoid head, as Charades'): the video's verdict takes each class's peak. */
  multiLabel: boolean;
  /** Input height and width the clips ran at. */
  inputSize: number;
  /** Spatial views per clip (the paper's protocol is 3). */
  views: 1 | 3;
  stride: number;
  protocol: 'stride' | 'paper';
  /**
   * A second model run on the same clips' frames (see 'loadPartner'): its name and classes, and which of the two
   * the comparison's gains are of ('partner': the second's over the first's, unless the first is SlowFast and the
   * second Slow-only: the Fast pathway's gains are SlowFast's).
   */
  compare?: { model: string; classNames: string[]; multiLabel: boolean; gainsOf: 'partner' | 'current' };
}

/** One model's share of the GPU memory: its name, and its weights and working memory (activations and frame ring). */
export interface ModelBudget {
  name: string;
  weightBytes: number;
  workingBytes: number;
  /** What it is planned in: the precision it would run in on this GPU. */
  precision: 'f32' | 'f16';
}

/** The second model of a comparison, beside the current one. */
export type PartnerState =
  | { status: 'none' }
  /** `progress`: where it is read from the cache or downloaded from the model zoo (a file the user gave has none). */
  | { status: 'loading'; name: string; progress?: LoadProgress }
  | { status: 'ready'; model: ModelInfo }
  | { status: 'error'; message: string };

export type EngineRequest =
  /**
   * Starts the GPU and storage, then loads `model` (the user's last choice) or the cached or default one; `null`
   * loads nothing (the library loads what its caller gives).
   */
  | { type: 'init'; model?: ModelKey | null; options?: EngineOptions }
  | { type: 'loadModel'; key: ModelKey }
  /** Downloads a zoo model (with progress), converts it and caches it. */
  | { type: 'downloadModel'; key: ModelKey }
  /** `partner`: the second model's download, not the current one's. */
  | { type: 'cancelDownload'; partner?: boolean }
  | { type: 'loadWeightsFile'; file: Blob; name: string }
  /** Class names for the current model's head (one label a line, or JSON); kept with the model. */
  | { type: 'loadLabels'; file: Blob; name: string }
  | { type: 'clearCache' }
  /** Times the candidate conv tiles on every layer shape of the current model on this GPU, and keeps the best. */
  | { type: 'tuneTiles'; settings: RunSettings }
  /** With `frames`, the frames come from the page's <video> element (WebCodecs refused the file). */
  /** With `compare`, the partner model (if one is loaded) runs too, on the same decode: its clips come as 'compareClip'. */
  | { type: 'analyze'; id: number; file: Blob; name: string; settings: RunSettings; frames?: ElementFrames; compare?: boolean }
  /**
   * A second model to compare the current one with, on the same label set: its weights as 'loadWeightsFile' takes
   * them, or a zoo model by `key` (from this browser's cache, else downloaded and cached).
   */
  | { type: 'loadPartner'; file: Blob; name: string }
  | { type: 'loadPartner'; key: ModelKey }
  /** What the current model and `partner` (a zoo model; null: the loaded partner) take on the GPU together: answered by 'compareBudget'. */
  | { type: 'budgetCompare'; partner: ModelKey | null; settings: RunSettings }
  | { type: 'dropPartner' }
  /**
   * Where the model looked for `classIndex` in one clip of a file already analysed (a class outside the clip's
   * mapped top ones): the clip is decoded and run again. `partner`: the compared model's clip, by that model.
   * Answered by 'clipMap', or an error of scope 'maps'.
   */
  | { type: 'mapClip'; id: number; file: Blob; window: { start: number; end: number }; classIndex: number; settings: RunSettings; partner?: boolean }
  | { type: 'cancel'; id: number }
  | { type: 'webcamStart'; id: number; frames: CameraFrames; settings: RunSettings; intervalMs: number }
  | { type: 'webcamStop'; id: number; error?: { kind: WebcamErrorKind; message: string } }
  /**
   * The pooled features of a file's clips (every 0.5 s, 3 crops each, and each mirrored if `mirrored`), or of
   * those inside `range` (seconds): examples for teaching. Answered by 'teachFeatures'.
   */
  | { type: 'teachFile'; id: number; file: Blob; name: string; settings: RunSettings; range?: { start: number; end: number }; mirrored?: boolean }
  /** Trains a head on the examples; progress comes as 'trainProgress', the head as 'trained', and the engine labels with it. */
  | { type: 'train'; id: number; name: string; classNames: string[]; examples: TeachExample[] }
  /** Labels with the head in this file (safetensors from 'trained' or `npm run teach`), or, null, with the checkpoint's again. */
  | { type: 'useHead'; file: Blob | null; name?: string };

export type EngineEvent =
  | { type: 'gpu'; state: GpuState }
  | { type: 'weights'; state: WeightsState }
  | { type: 'cache'; state: CacheState }
  | { type: 'tiles'; state: TilesState }
  /** `engine`: where its clips run (our shaders on the GPU, or the CPU engine). */
  | { type: 'analysisStart'; id: number; info: VideoInfo; engine: EngineKind; facts: AnalysisFacts }
  /** The analysis goes on on another engine (the GPU refused a kernel): from here its clips run there. */
  | { type: 'analysisEngine'; id: number; engine: EngineKind }
  | { type: 'progress'; id: number; clipsDone: number; clips: number }
  | { type: 'clip'; id: number; clip: ClipLabels }
  /** The partner model's clip of an analysis run with `compare` (its own span where its clips are longer). */
  | { type: 'compareClip'; id: number; clip: ClipLabels }
  | { type: 'partner'; state: PartnerState }
  /**
   * What two models take on the GPU together at `inputSize` (weights and working memory, f32), before the second is
   * loaded; `limit`, the GPU memory limit set, where one is (over it, the comparison runs on the CPU engine);
   * `download`, what choosing it fetches from the model zoo, where it is not in this browser yet.
   */
  | { type: 'compareBudget'; partner: ModelKey | null; inputSize: number; models: [ModelBudget, ModelBudget]; limit?: number; download?: number }
  | { type: 'analysisEnd'; id: number; outcome: 'done' | 'cancelled' }
  /** A clip's maps with `classIndex` first (its top classes after), asked for by 'mapClip'. */
  | { type: 'clipMap'; id: number; start: number; classIndex: number; maps: ClassMaps; partner?: boolean }
  /** Something to know about an analysis's results (a video shorter than a clip, one that ends early). */
  | { type: 'notice'; id: number; kind: AnalysisNotice['kind']; message: string }
  /** `maps`: where the model looked in the latest clip (its own top classes, before smoothing). */
  | {
    type: 'webcamLabels'; id: number; time: number; top: Label[]; latencyMs: number; maps?: ClassMaps;
    /** The input size the clip ran at (the maps' crop). */
    inputSize: number;
    /** The latest clip's pooled features (for teaching), and with a taught head the checkpoint's own labels. */
    features: Float32Array; baseTop?: Label[];
  }
  /** `notice`: said when the file ran on another engine than the one chosen (the GPU refused the model). */
  | { type: 'teachFeatures'; id: number; clips: { start: number; end: number; features: Float32Array[] }[]; duration: number; notice?: string }
  | { type: 'trainProgress'; id: number; point: CurvePoint }
  /** `file`: the head as a head file, to save; `backend`: where its gradient ran. */
  | { type: 'trained'; id: number; evaluation: Evaluation; curve: CurvePoint[]; ms: number; backend: string; examples: number; file: Uint8Array<ArrayBuffer> }
  | { type: 'head'; state: HeadState }
  | { type: 'webcamEnd'; id: number }
  | { type: 'perf'; report: PerfReport }
  | { type: 'error'; scope: 'video' | 'weights' | 'labels' | 'webcam' | 'gpu' | 'cache' | 'tiles' | 'teach' | 'head' | 'maps' | 'partner'; id?: number; kind?: string; message: string };
