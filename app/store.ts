// The page's one store, in typed slices: what the engine worker reports (GPU, weights, cache, performance),
// the user's settings, the dropped video and its analysis, and the webcam. Components read slices; only
// the actions here talk to the engine.
import { create } from 'zustand';
import { Engine } from './engine/client.ts';
import type { CacheState, ClipLabels, EngineEvent, GpuState, HeadState, Label, ModelKey, PerfReport, TilesState, WeightsState } from './engine/protocol.ts';
import { clipFrameRate } from '../model/clips.ts';
import { elementVideoInfo, frameGrid, openPlayableVideo, serveElementFrames } from './video/elementSource.ts';
import { openCamera, type Camera, WebcamError, cameraEnded } from './video/webcam.ts';
import type { VideoInfo } from './video/decode.ts';
import type { ClassMaps, EngineKind } from '../model/classifier.ts';
import { DEFAULT_SEGMENT_OPTIONS, type SegmentOptions } from '../model/segments.ts';
import { DEFAULT_ZOO_MODEL } from '../model/zoo.ts';
import { clipDuration } from '../model/clips.ts';
import { initialTeach, teachSlice, type TeachActions, type TeachState } from './teach/slice.ts';
import { initialQueue, queueSlice, type QueueActions, type QueueState } from './queue/slice.ts';

export type { GpuState } from './engine/protocol.ts';

export interface Settings {
  model: ModelKey;
  /** Undefined: the model's own input size. */
  inputSize?: number;
  stride: number;
  views: 1 | 3;
  /** 'paper': the paper's test protocol (10 clips evenly spaced × 3 crops) instead of a clip every `stride`. */
  protocol: 'stride' | 'paper';
  profile: boolean;
  intervalMs: number;
  /** With a taught head, whether the checkpoint's own labels show beside its classes. */
  showModelLabels: boolean;
  /** Which class activation maps to draw over the video (and the camera), and how opaque. */
  mapView: 'off' | 'both' | 'slow' | 'fast';
  mapOpacity: number;
  /** How clip probabilities become segments (model/segments.ts). */
  segments: Required<SegmentOptions>;
  /** Where video files run: 'webgpu' (where there is an adapter, else the CPU) or 'wasm' (the CPU engine). */
  engine: 'webgpu' | 'wasm';
}

export interface VideoSource {
  name: string;
  url: string;
  /** The file itself (a segment of it can become teaching examples). */
  file: Blob;
  kind: 'video' | 'image';
  size: number;
}

export interface Analysis {
  id: number;
  source: VideoSource;
  info?: VideoInfo;
  status: 'running' | 'done' | 'cancelled';
  clipsDone: number;
  clips: number;
  results: ClipLabels[];
  /** What the user should know about the results (see AnalysisNotice). */
  notices: string[];
  /**
   * The analysis this one replaced on screen, kept until this one gives its first clip: if this file fails
   * before that, the earlier results come back.
   */
  previous?: Analysis;
  /** The model's class names and whether its head is multi-label (for segments and the verdict). */
  classNames: string[];
  multiLabel: boolean;
  /** Where its clips ran: our shaders on the GPU, or the CPU engine. */
  engine: EngineKind;
  /** Settings it ran with (for the export). */
  model: string;
  inputSize: number;
  stride: number;
  views: number;
}

/** A dropped file that is being opened, not yet on screen. */
export interface Pending {
  id: number;
  file: Blob;
  source: VideoSource;
  settings: Settings;
  /** Set once WebCodecs refused the file and the browser's player is tried instead. */
  viaPlayer?: boolean;
}

export interface WebcamState {
  status: 'off' | 'starting' | 'on';
  id?: number;
  stream?: MediaStream;
  /** Where the camera's frames come from (a <video> element where MediaStreamTrackProcessor is missing). */
  frameSource?: Camera['source'];
  labels?: Label[];
  /** Where the model looked in the latest clip. */
  maps?: ClassMaps;
  /** With a taught head: the checkpoint's own labels for the latest clip. */
  baseTop?: Label[];
  updates: number;
  /** Label updates per second over the last few updates. */
  rateHz?: number;
  latencyMs?: number;
  error?: string;
}

export interface StoreState extends TeachActions, QueueActions {
  gpu: GpuState;
  weights: WeightsState;
  cache: CacheState;
  tiles: TilesState;
  tilesError?: string;
  perf?: PerfReport;
  settings: Settings;
  /** The analysis on screen. A new file replaces it only once the file proves readable. */
  analysis?: Analysis;
  /** A dropped file that is being opened, not yet on screen. */
  pending?: Pending;
  videoError?: string;
  weightsError?: string;
  labelsError?: string;
  cacheNotice?: string;
  engineError?: string;
  webcam: WebcamState;
  /** Teaching: the open project, takes being recorded or read, training (app/teach/slice.ts). */
  teach: TeachState;
  /** Many videos, one after another (app/queue/slice.ts). */
  queue: QueueState;
  /** The taught head the engine labels with, if any (its classes replace the checkpoint's). */
  head: HeadState;
  headError?: string;

  start(): void;
  setSettings(patch: Partial<Settings>): void;
  chooseModel(key: ModelKey): void;
  /** Downloads the chosen zoo model (progress in `weights`), converts it and caches it. */
  downloadModel(key: ModelKey): void;
  cancelDownload(): void;
  /** Class names for the current model's head, from a label file. */
  loadLabels(file: Blob, name: string): void;
  dropFiles(files: readonly File[]): void;
  openVideo(file: Blob, name: string): void;
  loadWeightsFile(file: Blob, name: string): void;
  cancelAnalysis(): void;
  clearCache(): void;
  /** Tunes the conv tiles for this GPU on the current model (kept in browser storage, used from then on). */
  tuneTiles(): void;
  startWebcam(): Promise<void>;
  stopWebcam(): void;
}

const SETTINGS_KEY = 'slowfast-web.settings';
const DEFAULT_SETTINGS: Settings = { model: DEFAULT_ZOO_MODEL.name, stride: 1, views: 1, protocol: 'stride', profile: false, showModelLabels: false, intervalMs: 500, mapView: 'both', mapOpacity: 0.5, segments: DEFAULT_SEGMENT_OPTIONS, engine: 'webgpu' };

function loadSettings(): Settings {
  try {
    return { ...DEFAULT_SETTINGS, ...(JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>) };
  } catch {
    return DEFAULT_SETTINGS; // storage refused (sandboxed iframe): defaults, unsaved
  }
}

const WEIGHT_FILE = /\.(pyth|pth|pt|ckpt|safetensors)$/i;
const LABEL_FILE = /\.(txt|json)$/i;

/** Whether a dropped file is weights (by name; the worker checks the bytes). */
export const isWeightFile = (name: string) => WEIGHT_FILE.test(name);
/** Whether a dropped file is a label file (one label a line, or JSON). */
export const isLabelFile = (name: string) => LABEL_FILE.test(name);

/** Whether video files (and the webcam, and teaching) run on the CPU engine: no adapter, or that engine chosen. */
export const runsOnCpu = (s: Pick<StoreState, 'gpu' | 'settings'>) => s.gpu.status === 'cpu' || (s.gpu.status === 'ready' && s.settings.engine === 'wasm');

/** Refusals the browser's own player may still get past (it has the platform's codecs and demuxers). */
const PLAYER_MAY_PLAY = new Set(['unsupported-codec', 'not-a-video', 'no-video-track']);

const runSettings = (s: Settings) => ({ inputSize: s.inputSize, stride: s.stride, views: s.views, profile: s.profile, protocol: s.protocol, engine: s.engine });

let engine: Engine | undefined;
let camera: Camera | undefined;
const labelTimes: number[] = [];

export const useStore = create<StoreState>()((set, get) => {
  const teaching = teachSlice<StoreState>(set, get, () => engine, () => {
    const w = get().weights;
    return {
      settings: runSettings(get().settings),
      clipSeconds: w.status === 'ready' ? clipDuration(w.model.config) : undefined,
      loadId: w.status === 'ready' ? w.model.loadId : undefined,
    };
  });
  const queue = queueSlice<StoreState>(set, get);
  const onEvent = (e: EngineEvent) => {
    if (teaching.onEvent(e, performance.now())) return;
    handleEvent(e);
    // The queue acts on what the event left: a finished analysis's results, a file that failed for good.
    queue.afterEvent(e);
  };
  const handleEvent = (e: EngineEvent) => {
    switch (e.type) {
      case 'gpu':
        return set({ gpu: e.state });
      case 'weights':
        if (e.state.status !== 'ready') return set({ weights: e.state });
        // The next visit opens the model in use now (a dropped checkpoint is cached under its key).
        if (get().settings.model !== e.state.model.key) get().setSettings({ model: e.state.model.key });
        return set({ weights: e.state, weightsError: undefined, labelsError: undefined });
      case 'cache':
        return set(e.state.status === 'unavailable' ? { cache: e.state, cacheNotice: e.state.message } : { cache: e.state });
      case 'tiles':
        return set({ tiles: e.state });
      case 'perf':
        return set({ perf: e.report });
      case 'analysisStart': {
        const pending = get().pending;
        if (pending?.id !== e.id) return;
        // What goes back on screen if this file fails before its first clip: the last analysis with results.
        const old = get().analysis;
        let previous: Analysis | undefined;
        if (old?.results.length) {
          if (old.previous) URL.revokeObjectURL(old.previous.source.url);
          previous = { ...old, previous: undefined };
        } else if (old) {
          URL.revokeObjectURL(old.source.url);
          previous = old.previous;
        }
        // An animated image shows as an image, whatever its name says.
        const source: VideoSource = e.info.container === 'image' ? { ...pending.source, kind: 'image' } : pending.source;
        const { model, classNames, multiLabel, inputSize, stride, views } = e.facts;
        set({
          pending: undefined,
          videoError: undefined,
          analysis: {
            id: e.id, source, info: e.info, engine: e.engine, status: 'running', clipsDone: 0, clips: 0, results: [], notices: [], previous,
            model, classNames, multiLabel, inputSize, stride, views,
          },
        });
        return;
      }
      case 'progress':
        return updateAnalysis(e.id, (a) => ({ ...a, clipsDone: e.clipsDone, clips: e.clips }));
      case 'notice':
        return updateAnalysis(e.id, (a) => ({ ...a, notices: [...a.notices, e.message] }));
      case 'analysisEngine':
        return updateAnalysis(e.id, (a) => ({ ...a, engine: e.engine }));
      case 'clip':
        return updateAnalysis(e.id, (a) => {
          if (a.previous) URL.revokeObjectURL(a.previous.source.url);
          return { ...a, results: [...a.results, e.clip], previous: undefined };
        });
      case 'analysisEnd':
        if (get().pending?.id === e.id) set({ pending: undefined });
        return updateAnalysis(e.id, (a) => ({ ...a, status: e.outcome === 'done' ? 'done' : 'cancelled' }));
      case 'webcamLabels': {
        if (get().webcam.id !== e.id) return;
        labelTimes.push(performance.now());
        if (labelTimes.length > 6) labelTimes.shift();
        const rateHz = labelTimes.length > 1 ? ((labelTimes.length - 1) * 1000) / (labelTimes.at(-1)! - labelTimes[0]) : undefined;
        return set((s) => ({ webcam: { ...s.webcam, status: 'on', labels: e.top, maps: e.maps, baseTop: e.baseTop, latencyMs: e.latencyMs, updates: s.webcam.updates + 1, rateHz } }));
      }
      case 'webcamEnd':
        if (get().webcam.id === e.id) {
          camera?.stop();
          camera = undefined;
          set((s) => ({ webcam: { ...s.webcam, status: 'off', stream: undefined } }));
        }
        return;
      case 'error':
        switch (e.scope) {
          case 'video': {
            // The earlier analysis stays on screen; only a file that never started is dropped.
            const pending = get().pending;
            if (pending && pending.id === e.id) {
              if (!pending.viaPlayer && e.kind && PLAYER_MAY_PLAY.has(e.kind)) return void tryPlayer(pending, e.message);
              URL.revokeObjectURL(pending.source.url);
              set({ pending: undefined });
            } else {
              const a = get().analysis;
              if (a && a.id === e.id && a.results.length === 0 && a.previous) {
                // Nothing of the new file could be shown: the earlier results come back.
                URL.revokeObjectURL(a.source.url);
                set({ analysis: { ...a.previous, previous: undefined } });
              } else {
                updateAnalysis(e.id!, (x) => ({ ...x, status: 'cancelled' }));
              }
            }
            return set({ videoError: e.message });
          }
          case 'weights':
            return set({ weightsError: e.message });
          case 'labels':
            return set({ labelsError: e.message });
          case 'cache':
            return set({ cacheNotice: e.message });
          case 'tiles':
            return set({ tilesError: e.message });
          case 'webcam':
            return set((s) => ({ webcam: { ...s.webcam, error: e.message } }));
          case 'gpu':
            return set({ engineError: e.message });
        }
        return;
    }
  };
  /** WebCodecs refused the file: if the browser's player can play it, its frames are served from there. */
  const tryPlayer = async (pending: Pending, refusal: string) => {
    set({ pending: { ...pending, viaPlayer: true } });
    const video = await openPlayableVideo(pending.source.url);
    const weights = get().weights;
    const current = get().pending?.id === pending.id;
    if (!video || !current || weights.status !== 'ready' || !engine) {
      if (video) video.removeAttribute('src');
      if (!current) return; // another file replaced it meanwhile
      URL.revokeObjectURL(pending.source.url);
      set({ pending: undefined, videoError: refusal });
      return queue.failed(pending.id, refusal);
    }
    const info = elementVideoInfo(video);
    const times = frameGrid(video.duration, clipFrameRate(weights.model.config));
    const port = serveElementFrames(video, times);
    engine.send({ type: 'analyze', id: pending.id, file: pending.file, name: pending.source.name, settings: runSettings(pending.settings), frames: { port, info, times } });
  };

  const updateAnalysis = (id: number | undefined, f: (a: Analysis) => Analysis) => {
    const a = get().analysis;
    if (a && a.id === id) set({ analysis: f(a) });
  };

  return {
    gpu: { status: 'checking' },
    weights: { status: 'none' },
    cache: { status: 'checking' },
    tiles: { status: 'default' },
    settings: loadSettings(),
    webcam: { status: 'off', updates: 0 },
    teach: initialTeach(),
    queue: initialQueue(),
    head: { status: 'none' },
    ...teaching.actions,
    ...queue.actions,

    start() {
      if (engine) return;
      engine = new Engine();
      engine.on(onEvent);
      engine.send({ type: 'init', model: get().settings.model });
    },

    setSettings(patch) {
      const settings = { ...get().settings, ...patch };
      set({ settings });
      try {
        localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
      } catch {
        // storage refused: the settings hold for this visit
      }
    },

    chooseModel(key) {
      get().setSettings({ model: key });
      engine?.send({ type: 'loadModel', key });
    },

    downloadModel(key) {
      set({ weightsError: undefined });
      engine?.send({ type: 'downloadModel', key });
    },

    cancelDownload() {
      engine?.send({ type: 'cancelDownload' });
    },

    loadLabels(file, name) {
      set({ labelsError: undefined });
      engine?.send({ type: 'loadLabels', file, name });
    },

    dropFiles(files) {
      for (const file of files) {
        if (isWeightFile(file.name)) get().loadWeightsFile(file, file.name);
        else if (isLabelFile(file.name)) get().loadLabels(file, file.name);
        else get().openVideo(file, file.name);
      }
    },

    openVideo(file, name) {
      if (!engine) return;
      const running = get().analysis;
      if (running?.status === 'running') engine.send({ type: 'cancel', id: running.id });
      const previous = get().pending;
      if (previous) {
        engine.send({ type: 'cancel', id: previous.id });
        URL.revokeObjectURL(previous.source.url);
      }
      const id = engine.id();
      const source: VideoSource = { name, url: URL.createObjectURL(file), file, kind: /^image\//.test(file.type) || /\.gif$/i.test(name) ? 'image' : 'video', size: file.size };
      const settings = get().settings;
      set({ pending: { id, file, source, settings }, videoError: undefined });
      engine.send({ type: 'analyze', id, file, name, settings: runSettings(settings) });
    },

    loadWeightsFile(file, name) {
      set({ weightsError: undefined });
      engine?.send({ type: 'loadWeightsFile', file, name });
    },

    cancelAnalysis() {
      const a = get().analysis;
      if (a?.status === 'running') engine?.send({ type: 'cancel', id: a.id });
    },

    clearCache() {
      engine?.send({ type: 'clearCache' });
    },

    tuneTiles() {
      set({ tilesError: undefined, tiles: { status: 'tuning', done: 0, total: 0 } });
      engine?.send({ type: 'tuneTiles', settings: runSettings(get().settings) });
    },

    async startWebcam() {
      if (!engine || get().webcam.status !== 'off') return;
      const id = engine.id();
      labelTimes.length = 0;
      set({ webcam: { status: 'starting', id, updates: 0 } });
      try {
        camera = await openCamera();
      } catch (e) {
        set({ webcam: { status: 'off', updates: 0, error: e instanceof WebcamError ? e.message : `The camera could not be started: ${(e as Error).message}` } });
        return;
      }
      const started = camera;
      started.track.addEventListener('ended', async () => {
        const e = await cameraEnded();
        engine?.send({ type: 'webcamStop', id, error: { kind: e.kind, message: e.message } });
      });
      set((s) => ({ webcam: { ...s.webcam, stream: started.stream, frameSource: started.source } }));
      const { intervalMs } = get().settings;
      engine.send({ type: 'webcamStart', id, frames: started.frames, settings: runSettings(get().settings), intervalMs });
    },

    stopWebcam() {
      const { id, status } = get().webcam;
      if (status === 'off' || id === undefined) return;
      engine?.send({ type: 'webcamStop', id });
      camera?.stop();
      camera = undefined;
      set((s) => ({ webcam: { ...s.webcam, status: 'off', stream: undefined } }));
    },
  };
});
