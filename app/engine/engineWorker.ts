// The engine worker: owns the GPUDevice, the weights and every GPU job, so the page stays responsive while a
// clip runs. It speaks only the messages of protocol.ts. Loaded by worker.ts, the worker's entry.
import { KernelCompileError } from '../../kernels/runKernel.ts';
import { GpuLimitError } from '../../model/executor.ts';
import { acquireGpu, deviceLost, GpuUnavailableError, hasSubgroups, isSoftwareAdapter, liveResources, type Gpu } from '../../kernels/device.ts';
import type { Classifier } from '../../model/classifier.ts';
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import { tilePolicyFor } from '../../kernels/conv3d/conv3d.ts';
import { loadOrTuneTiles, tileCacheKey, type TileCache } from '../../model/autotune.ts';
import { buildSlowFast } from '../../model/slowfast.ts';
import { DEFAULT_ZOO_MODEL } from '../../model/zoo.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { analyzeVideo, viewsFor } from '../video/analyze.ts';
import { labelsFor } from '../../model/labels.ts';
import { openVideoFile, VideoInputError } from '../video/decode.ts';
import { openElementFrames, type ElementFrames } from '../video/elementSource.ts';
import { cameraFrameStream } from '../video/elementCamera.ts';
import { LiveClassifier } from '../video/liveClassifier.ts';
import { WebcamError, type CameraFrames } from '../video/webcam.ts';
import { CpuEngine } from './cpuEngine.ts';
import { Engine, type EngineModel } from './engine.ts';
import { ModelCache, StorageUnavailableError } from './modelCache.ts';
import { Models } from './models.ts';
import { Teacher } from './teacher.ts';
import { setWasmLocation } from '../../model/onnx/wasmLocation.ts';
import type { AnalysisFacts, EngineEvent, EngineRequest, Label, PerfReport, RunSettings } from './protocol.ts';

const scope = self as unknown as {
  postMessage(message: EngineEvent): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<EngineRequest>) => void): void;
};
const post = (e: EngineEvent) => scope.postMessage(e);

let gpu: Promise<Gpu | undefined> | undefined;
/** The resident engine of the current device: the loaded model stays on it across videos and camera sessions. */
const engines = new WeakMap<GPUDevice, Engine>();
const engineOf = (device: GPUDevice) => {
  let e = engines.get(device);
  if (!e) engines.set(device, (e = new Engine(device)));
  return e;
};
let cache: ModelCache | undefined;
const models = new Models(post, () => cache);
const teacher = new Teacher(post);
/** The latest load of weights (its errors are reported by itself). */
let modelLoad: Promise<void> = Promise.resolve();
/** Starts waiting on a load of weights (its failures are the load's to report). */
const loading = (load: Promise<void>) => {
  modelLoad = load.catch(() => {});
  return load;
};
/** The latest change of taught head. */
let headChange: Promise<void> = Promise.resolve();
/** Analyses waiting for those. */
const waitingForWeights = new Set<number>();
const jobs = new Map<number, AbortController>();
const live = new Map<number, LiveClassifier>();
/** Each camera session's settings, to move it onto another head. */
const liveSettings = new Map<number, RunSettings>();
/** When the device was lost in the last minute; past a few, the engine stops starting new ones. */
const losses: number[] = [];
const MAX_LOSSES_PER_MINUTE = 3;

function startGpu(): Promise<Gpu | undefined> {
  gpu ??= (async () => {
    const recovering = losses.length > 0;
    // (While recovering, the page keeps showing the loss until the new device is ready.)
    if (!recovering) post({ type: 'gpu', state: { status: 'checking' } });
    try {
      const g = await acquireGpu();
      post({
        type: 'gpu',
        state: {
          status: 'ready', adapter: g.adapter, features: [...g.features],
          ...(recovering ? { notice: 'The GPU device was lost and has been started again; work in progress carried on.' } : {}),
        },
      });
      // Nothing here destroys the device, so any loss is the GPU's (a driver reset, a crashed GPU process):
      // start a new device, and jobs that were running resume on it.
      void g.lost.then((info) => {
        gpu = undefined;
        engines.get(g.device)?.destroy();
        const now = performance.now();
        losses.push(now);
        while (losses.length && now - losses[0] > 60_000) losses.shift();
        const why = info.message || info.reason || 'no reason given';
        if (losses.length > MAX_LOSSES_PER_MINUTE) {
          post({ type: 'gpu', state: { status: 'lost', message: `The GPU device was lost again (${why}). Reload the page to start again.` } });
          return;
        }
        post({ type: 'gpu', state: { status: 'lost', message: `The GPU device was lost (${why}); starting it again…` } });
        void startGpu();
      });
      return g;
    } catch (e) {
      const message = e instanceof GpuUnavailableError ? e.message : `WebGPU failed to start: ${(e as Error).message}`;
      // Without a GPU, video files still run: on the CPU engine, where WebAssembly is there.
      post({ type: 'gpu', state: typeof WebAssembly === 'object' ? { status: 'cpu', message } : { status: 'unavailable', message } });
      return undefined;
    }
  })();
  return gpu;
}

async function openCache(keep = true): Promise<void> {
  if (!keep) {
    cache = undefined;
    post({ type: 'cache', state: { status: 'unavailable', message: 'Weights are not kept: whoever started the engine asked for none.' } });
    return;
  }
  try {
    cache = await ModelCache.open();
    post({ type: 'cache', state: { status: 'available', models: await cache.list(), storage: cache.backend } });
  } catch (e) {
    cache = undefined;
    post({ type: 'cache', state: { status: 'unavailable', message: (e as Error).message } });
  }
}

/** Tuned conv tiles, by adapter, in one small file beside the cached weights (in memory where storage is refused). */
const TILES_FILE = 'conv-tiles.json';
const tilesInMemory = new Map<string, string>();
const readTilesFile = async (): Promise<Record<string, string>> => {
  try {
    const all = JSON.parse((await cache?.getText(TILES_FILE)) ?? '{}') as Record<string, string>;
    return typeof all === 'object' && all ? all : {};
  } catch {
    return {};
  }
};
const tileCache: TileCache = {
  async get(key) {
    if (!tilesInMemory.has(key)) {
      const stored = (await readTilesFile())[key];
      if (stored !== undefined) tilesInMemory.set(key, stored);
    }
    return tilesInMemory.get(key);
  },
  async set(key, value) {
    tilesInMemory.set(key, value);
    if (cache) await cache.putText(TILES_FILE, JSON.stringify({ ...(await readTilesFile()), [key]: value }));
  },
};
const policyOf = (g: Gpu) => tilePolicyFor(isSoftwareAdapter(g.device.adapterInfo));

/** The tiles tuned for this GPU earlier, if any. */
async function tunedTiles(g: Gpu): Promise<TileTable | undefined> {
  try {
    const text = await tileCache.get(tileCacheKey(g.adapter, policyOf(g)));
    return text ? (JSON.parse(text) as TileTable) : undefined;
  } catch {
    return undefined;
  }
}

async function postTilesState(): Promise<void> {
  const g = await startGpu();
  const tiles = g && (await tunedTiles(g));
  post({ type: 'tiles', state: tiles ? { status: 'tuned', shapes: Object.keys(tiles).length } : { status: 'default', automatic: g && tunesWhenIdle(g.device) } });
}

async function tuneTiles(settings: RunSettings, o: { signal?: AbortSignal; automatic?: boolean } = {}): Promise<void> {
  try {
    const { gpu: g, device, config } = await jobSetup(settings);
    const policy = policyOf(g);
    // The layer shapes are what count: a graph of shapes alone lists them.
    const { graph } = buildSlowFast(config);
    // (Automatic tuning says nothing until it measures something: the table is usually complete already.)
    if (!o.automatic) post({ type: 'tiles', state: { status: 'tuning', done: 0, total: 0 } });
    let progress = { done: 0, total: 0 };
    const r = await loadOrTuneTiles(device, g.adapter, graph, {
      policy, cache: tileCache, signal: o.signal, subgroups: hasSubgroups(device),
      onProgress: (done, total) => {
        progress = { done, total };
        post({ type: 'tiles', state: { status: 'tuning', done, total, automatic: o.automatic } });
      },
    });
    if (r.complete) post({ type: 'tiles', state: { status: 'tuned', shapes: Object.keys(r.tiles).length, ms: r.tuned ? r.ms : undefined } });
    else post({ type: 'tiles', state: { status: 'paused', ...progress } });
  } catch (e) {
    post({ type: 'error', scope: 'tiles', message: e instanceof StorageUnavailableError ? e.message : `Tuning failed: ${(e as Error).message}` });
    await postTilesState();
  }
}

// Tiles are worth tuning on a GPU (seconds, and a table that lasts), not on a software adapter (minutes for a few
// per cent: there the page tunes only on request). So after an analysis on a hardware adapter whose table is
// incomplete, the engine tunes while it is idle; any job stops it between layer shapes, keeping what it measured.
let backgroundTuning: { stop: AbortController; finished: Promise<void> } | undefined;

const tunesWhenIdle = (device: GPUDevice) => !isSoftwareAdapter(device.adapterInfo);

function tuneWhenIdle(settings: RunSettings, device: GPUDevice): void {
  if (backgroundTuning || jobs.size > 0 || live.size > 0 || !tunesWhenIdle(device)) return;
  const stop = new AbortController();
  const finished = tuneTiles(settings, { signal: stop.signal, automatic: true }).finally(() => {
    backgroundTuning = undefined;
  });
  backgroundTuning = { stop, finished };
}

async function stopBackgroundTuning(): Promise<void> {
  if (!backgroundTuning) return;
  backgroundTuning.stop.abort();
  await backgroundTuning.finished;
}

/** The current model as the engine takes it, at the input size of `settings`, with the taught head in use. */
async function engineModel(settings: RunSettings): Promise<EngineModel> {
  const model = models.current;
  if (!model) throw new Error('Load weights first (see the model panel).');
  const config = settings.inputSize ? { ...model.config, inputSize: settings.inputSize } : model.config;
  return { id: model.loadId, config, weights: () => new StateDictSource(model.dict), labels: model.labels, head: await teacher.headFor(model) };
}

/** Camera sessions carry on with the head now in use (their rings refill). */
async function moveLiveSessions(): Promise<void> {
  for (const [id, session] of live) {
    try {
      const { engine, model } = await engineSetup(liveSettings.get(id)!);
      await session.moveTo(engine, model);
    } catch (e) {
      session.fail(new WebcamError('unsupported', `The camera could not switch heads: ${(e as Error).message}`));
    }
  }
}

/**
 * Why WebGPU cannot run a job here, in a sentence, when the GPU refused its model (a kernel its compiler rejects, a
 * buffer over its limit): the job can go on on the CPU engine. Undefined for any other failure.
 */
function gpuRefusal(e: unknown): string | undefined {
  const why = e instanceof KernelCompileError ? e.message : e instanceof GpuLimitError ? e.need : undefined;
  return why && `WebGPU cannot run this here (${why})`;
}

/** The pooled features of a file's clips (3 crops each, every half second), inside `range` if given. */
async function teachFile(id: number, file: Blob, name: string, settings: RunSettings, range?: { start: number; end: number }, mirrored = false): Promise<void> {
  const features = async (run: RunSettings, notice?: string) => {
    const { engine, model, tiles } = await engineSetup(run);
    const video = await openVideoFile(file);
    try {
      const clips = await analyzeVideo(engine, model, video, { tiles, stride: TEACH_STRIDE, views: 3, mirrored });
      // A segment's examples are the clips mostly inside it.
      const inside = range ? clips.filter((c) => (c.start + c.end) / 2 >= range.start && (c.start + c.end) / 2 <= range.end) : clips;
      post({ type: 'teachFeatures', id, clips: inside.map((c) => ({ start: c.start, end: c.end, features: c.features })), duration: video.info.duration, notice });
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
    post({ type: 'error', scope: 'teach', id, message: e instanceof VideoInputError ? `${name}: ${e.message}` : `${name} could not be used: ${(e as Error).message}` });
  }
}

/** Seconds between the clips a teaching file gives: overlapping clips are its takes' jitter in time. */
const TEACH_STRIDE = 0.5;

/** Labels as the page takes them: index, name and probability only (the classifier's carry more). */
const plainLabels = (top: readonly Label[]): Label[] => top.map(({ index, label, probability }) => ({ index, label, probability }));

/** The engine on the CPU, where there is no WebGPU adapter (made when first needed). */
let cpuEngine: CpuEngine | undefined;

/**
 * What a video, a camera session or teaching runs on: the GPU's engine, else (no adapter, or the user chose it)
 * the CPU engine (onnxruntime-web's wasm).
 */
async function engineSetup(settings: RunSettings) {
  const g = await startGpu();
  if (g && settings.engine !== 'wasm') return jobSetup(settings);
  cpuEngine ??= new CpuEngine();
  return { gpu: undefined, device: undefined, engine: cpuEngine, model: await engineModel(settings), tiles: undefined };
}

/** The device, its engine and the model a job runs with, or the reason it cannot start. */
async function jobSetup(settings: RunSettings) {
  const g = await startGpu();
  if (!g) throw new Error('This needs WebGPU, which is not available here.');
  const model = await engineModel(settings);
  return { gpu: g, device: g.device, engine: engineOf(g.device), model, config: model.config, tiles: await tunedTiles(g) };
}

function perfOf(classifier: Classifier, inferenceMs: number, settings: RunSettings): PerfReport {
  const layers = settings.profile && classifier.timings.length ? classifier.timings.map((t) => ({ name: t.name, ms: t.ms })) : undefined;
  const device = classifier.executor.device;
  const gpuObjects = device ? liveResources(device) : { buffers: 0, textures: 0, buffersCreated: 0, pipelinesCreated: 0, bytesUploaded: 0 };
  const resources = { gpuBuffers: gpuObjects.buffers, gpuTextures: gpuObjects.textures, openVideoFrames: [...live.values()].reduce((a, s) => a + s.openFrames, 0) };
  const made = { buffers: gpuObjects.buffersCreated, pipelines: gpuObjects.pipelinesCreated, bytesUploaded: gpuObjects.bytesUploaded, modelBuilds: device ? engineOf(device).builds : 0 };
  return { inferenceMs, pipelineMs: classifier.executor.pipelineMs, memory: classifier.memory, layers, inputSize: classifier.config.inputSize, resources, made };
}

/** What an analysis's probabilities mean: a taught head's classes (single-label: a softmax), else the checkpoint's. */
function analysisFacts(model: EngineModel, settings: RunSettings): AnalysisFacts {
  const { config, head, labels } = model;
  return {
    model: models.current?.name ?? 'unknown',
    classNames: [...(head?.classNames ?? labels ?? labelsFor(config.numClasses))],
    multiLabel: !head && config.headActivation === 'sigmoid',
    inputSize: config.inputSize,
    views: viewsFor(settings),
    stride: settings.stride,
    protocol: settings.protocol ?? 'stride',
  };
}

async function analyze(id: number, file: Blob, name: string, settings: RunSettings, frames?: ElementFrames): Promise<void> {
  const controller = new AbortController();
  jobs.set(id, controller);
  let clipsDone = 0;
  try {
    // A lost device ends an attempt; the next one decodes again on a new device and classifies from the first
    // clip not yet done. (Frames from the page's player come once, so that source cannot resume.)
    let run = settings;
    for (let attempt = 0; ; attempt++) {
      const { device, engine, model, tiles } = await engineSetup(run);
      const video = frames ? openElementFrames(frames) : await openVideoFile(file);
      try {
        if (attempt === 0) post({ type: 'analysisStart', id, info: video.info, engine: device ? 'webgpu' : 'wasm', facts: analysisFacts(model, settings) });
        let classifier: Classifier | undefined;
        await analyzeVideo(engine, model, video, {
          tiles,
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
            if (classifier) post({ type: 'perf', report: perfOf(classifier, r.ms, settings) });
          },
        });
        post({ type: 'analysisEnd', id, outcome: 'done' });
        jobs.delete(id);
        if (device) tuneWhenIdle(settings, device);
        return;
      } catch (e) {
        if (device && !controller.signal.aborted && !frames && attempt < MAX_LOSSES_PER_MINUTE && (await deviceLost(device))) continue;
        // A kernel this GPU's compiler refuses, or a buffer larger than it allows, is no dead end: the video goes on
        // on the CPU engine, and the page says why. (Frames from the page's player come once, so that source cannot
        // start again.)
        const refusal = gpuRefusal(e);
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
    jobs.delete(id);
  }
}

async function webcamStart(id: number, source: CameraFrames, settings: RunSettings, intervalMs: number): Promise<void> {
  const frames = cameraFrameStream(source);
  try {
    const { gpu: g, engine, model, tiles } = await engineSetup(settings);
    let session: LiveClassifier | undefined = undefined;
    session = await LiveClassifier.start(engine, model, frames, {
      intervalMs,
      tiles,
      onLabels: (l) => {
        post({
          type: 'webcamLabels', id, time: l.time, top: plainLabels(l.top), latencyMs: l.latencyMs, maps: l.maps, features: l.features,
          ...(l.baseTop ? { baseTop: plainLabels(l.baseTop) } : {}),
        });
        if (session) post({ type: 'perf', report: perfOf(session.classifier, l.inferenceMs, settings) });
      },
      onError: (e) => {
        live.delete(id);
        liveSettings.delete(id);
        post({ type: 'error', scope: 'webcam', id, kind: e.kind, message: e.message });
        post({ type: 'webcamEnd', id });
      },
    });
    live.set(id, session);
    liveSettings.set(id, settings);
    // When the device is lost, the same camera carries on on the next one.
    const follow = (lostGpu: Gpu) => void lostGpu.lost.then(async () => {
      const next = await startGpu();
      const current = live.get(id);
      if (!next || !current || !models.current) return;
      try {
        await current.moveTo(engineOf(next.device), await engineModel(settings));
        follow(next);
      } catch (e) {
        current.fail(new WebcamError('unsupported', `The camera could not carry on after the GPU was lost: ${(e as Error).message}`));
      }
    });
    if (g) follow(g);
  } catch (e) {
    void frames.cancel().catch(() => {});
    post({ type: 'error', scope: 'webcam', id, kind: e instanceof WebcamError ? e.kind : undefined, message: (e as Error).message });
    post({ type: 'webcamEnd', id });
  }
}

async function handle(request: EngineRequest): Promise<void> {
  switch (request.type) {
    case 'init': {
      const o = request.options ?? {};
      models.sources = { zooUrl: o.zooUrl, siteModels: o.siteModels ?? true };
      setWasmLocation(o.wasmUrl);
      await Promise.all([startGpu(), openCache(o.keep)]);
      await postTilesState();
      if (request.model === null) return;
      return handle({ type: 'loadModel', key: request.model ?? ((await cache?.list()) ?? []).at(-1)?.key ?? DEFAULT_ZOO_MODEL.name });
    }
    case 'loadModel':
      return loading(models.loadModel(request.key).catch((e: unknown) => {
        const message = `The ${request.key} weights could not be loaded: ${(e as Error).message}`;
        post({ type: 'weights', state: { status: 'error', message } });
      }));
    case 'downloadModel':
      return loading(models.downloadModel(request.key));
    case 'cancelDownload':
      models.cancelDownload();
      return;
    case 'loadWeightsFile':
      return loading(models.loadWeightsFile(request.file, request.name));
    case 'loadLabels':
      return models.loadLabels(request.file, request.name);
    case 'clearCache':
      if (!cache) return;
      await stopBackgroundTuning();
      await cache.clear();
      tilesInMemory.clear();
      post({ type: 'cache', state: { status: 'available', models: [], storage: cache.backend } });
      await postTilesState();
      models.cacheCleared();
      return;
    case 'tuneTiles':
      await stopBackgroundTuning();
      return tuneTiles(request.settings);
    case 'analyze':
      // A video sent right after new weights is classified with them; one cancelled meanwhile is not.
      waitingForWeights.add(request.id);
      await modelLoad;
      await headChange;
      if (!waitingForWeights.delete(request.id)) return post({ type: 'analysisEnd', id: request.id, outcome: 'cancelled' });
      await stopBackgroundTuning();
      return analyze(request.id, request.file, request.name, request.settings, request.frames);
    case 'cancel':
      jobs.get(request.id)?.abort();
      waitingForWeights.delete(request.id);
      return;
    case 'webcamStart':
      await stopBackgroundTuning();
      return webcamStart(request.id, request.frames, request.settings, request.intervalMs);
    case 'webcamStop': {
      const session = live.get(request.id);
      live.delete(request.id);
      liveSettings.delete(request.id);
      if (!session) return;
      // fail() reports the error and the end through onError.
      if (request.error) return session.fail(new WebcamError(request.error.kind as WebcamError['kind'], request.error.message));
      session.stop();
      post({ type: 'webcamEnd', id: request.id });
      return;
    }
    case 'teachFile':
      // A file sent right after new weights is read with them (its features belong to that backbone).
      await modelLoad;
      await stopBackgroundTuning();
      return teachFile(request.id, request.file, request.name, request.settings, request.range, request.mirrored);
    case 'train':
      await modelLoad;
      if (await teacher.train(request.id, models.current, request.name, request.classNames, request.examples)) await moveLiveSessions();
      return;
    case 'useHead': {
      // A head sent right after its weights waits for them; videos sent after the head wait for it.
      const change = (async () => {
        await modelLoad;
        if (await teacher.use(models.current, request.file, request.name)) await moveLiveSessions();
      })();
      headChange = change.catch(() => {});
      return change;
    }
  }
}

function onMessage(e: MessageEvent<EngineRequest>): void {
  handle(e.data).catch((err: unknown) => {
    const message = err instanceof StorageUnavailableError ? err.message : `The engine failed: ${(err as Error)?.message ?? String(err)}`;
    post({ type: 'error', scope: 'gpu', message });
  });
}

/** Starts answering the page: first the messages that came while this module loaded, in order. */
export function listen(early: readonly MessageEvent<EngineRequest>[]): void {
  for (const e of early) onMessage(e);
  scope.addEventListener('message', onMessage);
}
