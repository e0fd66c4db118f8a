// The engine worker: owns the GPUDevice, the weights and every GPU job, so the page stays responsive while a
// clip runs. It speaks only the messages of protocol.ts.
import { acquireGpu, deviceLost, GpuUnavailableError, hasSubgroups, isSoftwareAdapter, liveResources, type Gpu } from '../../kernels/device.ts';
import type { Classifier } from '../../model/classifier.ts';
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import { tilePolicyFor } from '../../kernels/conv3d/conv3d.ts';
import { loadOrTuneTiles, tileCacheKey, type TileCache } from '../../model/autotune.ts';
import { datasetOf, LabelFileError, readLabelFile } from '../../model/labels.ts';
import { buildSlowFast, PRESETS, type SlowFastConfig } from '../../model/slowfast.ts';
import { approximateBytes, convertedFileName, DEFAULT_ZOO_MODEL, findZooModel, ZOO, zooPresetOfFile, ZOO_PROXY_PATH, type ZooModel } from '../../model/zoo.ts';
import { checkWeights } from '../../model/weights/convert.ts';
import { toSafetensors } from '../../model/weights/load.ts';
import type { WeightInput } from '../../model/weights/byteSource.ts';
import { CheckpointError } from '../../model/weights/pickle.ts';
import type { StateDict } from '../../model/weights/stateDict.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { analyzeVideo } from '../video/analyze.ts';
import { openVideoFile, VideoInputError } from '../video/decode.ts';
import { openElementFrames, type ElementFrames } from '../video/elementSource.ts';
import { LiveClassifier, WebcamError } from '../video/webcam.ts';
import { ModelCache, StorageUnavailableError } from './modelCache.ts';
import type { EngineEvent, EngineRequest, ModelInfo, ModelKey, PerfReport, RunSettings, WeightsState } from './protocol.ts';

const scope = self as unknown as {
  postMessage(message: EngineEvent): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<EngineRequest>) => void): void;
};
const post = (e: EngineEvent) => scope.postMessage(e);

let gpu: Promise<Gpu | undefined> | undefined;
let cache: ModelCache | undefined;
/** The current model: its weights, and its class names where the user gave a label file. */
type LoadedModel = ModelInfo & { dict: StateDict; labels?: string[] };
let model: LoadedModel | undefined;
/** Bumped by every load, so a slow load never replaces the model a later one chose. */
let loadGeneration = 0;
const jobs = new Map<number, AbortController>();
const live = new Map<number, LiveClassifier>();
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
      post({ type: 'gpu', state: { status: 'unavailable', message } });
      return undefined;
    }
  })();
  return gpu;
}

async function openCache(): Promise<void> {
  try {
    cache = await ModelCache.open();
    post({ type: 'cache', state: { status: 'available', models: await cache.list() } });
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
    const { gpu: g, device, config, weights } = await jobSetup(settings);
    const policy = policyOf(g);
    // The layer shapes are what count; the graph is built only to list them.
    const { graph } = buildSlowFast(config, weights, { tilePolicy: policy });
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

/** Reads and checks weights (any accepted format) and makes them the current model, under `key` ('custom': by what they are). */
async function useWeights(
  input: WeightInput, o: { name: string; source: ModelInfo['source']; generation: number; cacheIt: boolean; key?: ModelKey },
): Promise<void> {
  const likelyPreset = o.key ? findZooModel(o.key)?.preset : zooPresetOfFile(o.name);
  const converted = await checkWeights(input, { likelyPreset });
  // Converted for the cache only: weights read from it, or where storage is refused, would keep no copy.
  const bytes = o.cacheIt && cache ? toSafetensors(converted.dict, converted.config) : undefined;
  if (o.generation !== loadGeneration) return;
  const key = o.key ?? zooModelOf(converted.config, o.name)?.name ?? 'custom';
  const stored = await cache?.getLabels(key);
  let labels: { names: string[]; name: string } | undefined;
  try {
    if (stored) labels = { names: readLabelFile(stored.text, converted.config.numClasses, stored.name), name: stored.name };
  } catch {
    // A label file kept for an earlier model of this key that no longer fits: the head's own labels.
  }
  model = {
    key, name: o.name, config: converted.config, parameters: converted.parameters, bytes: bytes?.byteLength ?? converted.fileBytes, source: o.source,
    loadId: o.generation, dataset: datasetOf(converted.config.numClasses), labelsName: labels?.name, dict: converted.dict, labels: labels?.names,
  };
  post({ type: 'weights', state: { status: 'ready', model: withoutDict(model) } });
  if (bytes && cache) {
    try {
      const models = await cache.put({ key, name: o.name }, bytes);
      post({ type: 'cache', state: { status: 'available', models } });
    } catch (e) {
      post({ type: 'error', scope: 'cache', message: (e as Error).message });
    }
  }
}

/** The zoo model weights are, by architecture and head (a file's name decides between equals, as Slow 8×8 and 4×16). */
function zooModelOf(config: SlowFastConfig, fileName: string): ZooModel | undefined {
  const same = (m: ZooModel) => {
    const p: SlowFastConfig = PRESETS[m.preset];
    return m.classes === config.numClasses && p.depth === config.depth && !!p.slowOnly === !!config.slowOnly &&
      (p.slowOnly || (p.fusionKernel === config.fusionKernel && p.stemChannels[1] === config.stemChannels[1])) &&
      p.stemChannels[0] === config.stemChannels[0] && JSON.stringify(p.convATemporal) === JSON.stringify(config.convATemporal);
  };
  const candidates = ZOO.filter(same);
  const stem = fileName.replace(/( \(\d+\))?\.(pyth|pth|safetensors)$/i, '').toLowerCase();
  return candidates.find((m) => m.name.replace(/^.*\//, '').toLowerCase() === stem) ?? candidates[0];
}

/**
 * Fetches a weight file with progress: to browser storage when it can (a checkpoint of hundreds of MB then
 * never sits in memory), else into memory. Undefined if the answer is not a weight file (a missing file, or a
 * server that answers every path with its page).
 */
async function fetchWeights(url: string, key: ModelKey, signal: AbortSignal | undefined, onProgress: (received: number, total: number) => void): Promise<Fetched | undefined> {
  const response = await fetch(url, { signal });
  if (response.status >= 400 && response.status !== 404) throw new DownloadRefused(response.status, (await response.text().catch(() => '')).slice(0, 300));
  if (!response.ok || /text\/html/.test(response.headers.get('content-type') ?? '') || !response.body) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  const total = Number(response.headers.get('content-length')) || 0;
  const target = await cache?.openDownload(key).catch(() => undefined);
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  let lastReport = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (target) await target.writable.write(value);
      else chunks.push(value);
      received += value.length;
      if (performance.now() - lastReport > 100) {
        lastReport = performance.now();
        onProgress(received, total);
      }
    }
    if (total && received !== total) throw new Error(`the download stopped at ${received} of ${total} bytes`);
    onProgress(received, total);
    if (!target) return { blob: new Blob(chunks), discard: async () => {} };
    await target.writable.close();
    // Read back from disk; removed once the weights are converted (useFetched).
    return { blob: await target.file(), discard: target.remove };
  } catch (e) {
    await reader.cancel().catch(() => {});
    await target?.writable.abort().catch(() => {});
    await target?.remove();
    throw e;
  }
}

/** Fetched weights, and how to drop the copy kept in browser storage for reading them. */
interface Fetched {
  blob: Blob;
  discard(): Promise<void>;
}

class DownloadRefused extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`HTTP ${status}`);
  }
}

/** Where this page gets a zoo checkpoint: the mirror its deployer set, else its own server, which fetches it from the zoo. */
function zooUrl(m: ZooModel): string {
  const mirror = import.meta.env.VITE_ZOO_URL as string | undefined;
  return mirror ? `${mirror.replace(/\/$/, '')}/${m.path}` : new URL(`${import.meta.env.BASE_URL}${ZOO_PROXY_PATH}/${m.path}`, self.location.origin).href;
}

/** The model in use is announced again (a failed load leaves it current), or the state a failure leaves. */
function restoreWeightsState(fallback: WeightsState): void {
  post({ type: 'weights', state: model ? { status: 'ready', model: withoutDict(model) } : fallback });
}

async function loadModel(key: ModelKey): Promise<void> {
  const generation = ++loadGeneration;
  const zoo = key === 'custom' ? undefined : findZooModel(key);
  if (key !== 'custom' && !zoo) {
    post({ type: 'weights', state: { status: 'missing', key, message: `There is no model called ${key}. Choose one from the list, or drop a checkpoint on the page.` } });
    return;
  }
  const canonical = zoo?.name ?? 'custom';
  const title = zoo?.title ?? 'custom model';
  const cached = await cache?.get(canonical);
  if (generation !== loadGeneration) return;
  if (cached) {
    post({ type: 'weights', state: { status: 'loading', key: canonical, name: title, phase: 'read', received: cached.size, total: cached.size } });
    const name = (await cache?.list())?.find((m) => m.key === canonical)?.name ?? title;
    return useWeights(cached, { name, source: 'cache', generation, cacheIt: false, key: canonical });
  }
  if (!zoo) {
    post({ type: 'weights', state: { status: 'missing', key, message: 'No custom model is cached. Drop a .pyth or .safetensors file on the page.' } });
    return;
  }
  // Converted weights this site serves (npm run weights puts them in public/models/).
  post({ type: 'weights', state: { status: 'loading', key: canonical, name: title, phase: 'download', received: 0, total: 0 } });
  const served = await fetchWeights(new URL(`${import.meta.env.BASE_URL}models/${convertedFileName(zoo)}`, self.location.origin).href, canonical, undefined, (received, total) => {
    if (generation === loadGeneration) post({ type: 'weights', state: { status: 'loading', key: canonical, name: title, phase: 'download', received, total } });
  }).catch(() => undefined);
  if (generation !== loadGeneration) return;
  if (served) return useFetched(served, { name: title, source: 'server', generation, cacheIt: true, key: canonical });
  post({
    type: 'weights',
    state: {
      status: 'missing', key: canonical, download: { bytes: approximateBytes(zoo) },
      message: `${title} is not in this browser yet. Download it from the model zoo (${zoo.dataset}, ${zoo.score.toFixed(1)}% ${zoo.metric}), or drop its ${zoo.path.split('/').pop()} on the page.`,
    },
  });
}

/** useWeights, then drops the download's own copy (the converted weights are cached by then). */
async function useFetched(fetched: Fetched, o: Parameters<typeof useWeights>[1]): Promise<void> {
  try {
    await useWeights(fetched.blob, o);
  } finally {
    await fetched.discard();
  }
}

let download: AbortController | undefined;

async function downloadModel(key: ModelKey): Promise<void> {
  const zoo = findZooModel(key);
  if (!zoo) return;
  const generation = ++loadGeneration;
  download?.abort();
  const controller = (download = new AbortController());
  const estimate = approximateBytes(zoo);
  const loading = (received: number, total: number) => {
    if (generation === loadGeneration) post({ type: 'weights', state: { status: 'loading', key: zoo.name, name: zoo.title, phase: 'download', received, total: total || estimate, cancellable: true } });
  };
  const missing = (message: string): WeightsState => ({ status: 'missing', key: zoo.name, message, download: { bytes: estimate } });
  loading(0, 0);
  const url = zooUrl(zoo);
  let fetched: Fetched | undefined;
  try {
    fetched = await fetchWeights(url, zoo.name, controller.signal, loading);
  } catch (e) {
    if (generation !== loadGeneration) return;
    if (controller.signal.aborted) return restoreWeightsState(missing(`The download of ${zoo.title} was cancelled.`));
    // Our server's relay says what went wrong in a sentence (unreachable, refused); a mirror only its status.
    const why = e instanceof DownloadRefused
      ? (e.status === 502 && e.body ? e.body : `the server answered HTTP ${e.status}`)
      : `the model zoo cannot be reached (${(e as Error).message})`;
    const message = `${zoo.title} could not be downloaded: ${why}. Check the connection and try again, or drop ${zoo.path.split('/').pop()} on the page.`;
    restoreWeightsState(missing(message));
    post({ type: 'error', scope: 'weights', message });
    return;
  } finally {
    if (download === controller) download = undefined;
  }
  if (generation !== loadGeneration) return void fetched?.discard();
  if (!fetched) {
    const message = `This site does not offer downloads from the model zoo. Run \`npm run weights -- --model ${zoo.name}\` where it is served, or drop ${zoo.path.split('/').pop()} on the page.`;
    restoreWeightsState(missing(message));
    post({ type: 'error', scope: 'weights', message });
    return;
  }
  post({ type: 'weights', state: { status: 'loading', key: zoo.name, name: zoo.title, phase: 'read', received: fetched.blob.size, total: fetched.blob.size } });
  try {
    await useFetched(fetched, { name: zoo.title, source: 'zoo', generation, cacheIt: true, key: zoo.name });
  } catch (e) {
    if (generation !== loadGeneration) return;
    const message = e instanceof CheckpointError ? `The download of ${zoo.title} is not usable weights: ${e.message}` : `${zoo.title} could not be read: ${(e as Error).message}`;
    restoreWeightsState(missing(message));
    post({ type: 'error', scope: 'weights', message });
  }
}

async function loadWeightsFile(file: Blob, name: string): Promise<void> {
  const generation = ++loadGeneration;
  post({ type: 'weights', state: { status: 'loading', key: 'custom', name, phase: 'read', received: 0, total: file.size } });
  try {
    // The file is read in parts (a checkpoint is mostly optimizer state the model never needs).
    await useWeights(file, { name, source: 'file', generation, cacheIt: true });
  } catch (e) {
    if (generation !== loadGeneration) return;
    // The earlier model, if any, stays in use.
    const message = e instanceof CheckpointError ? `${name} is not usable weights: ${e.message}` : `${name} could not be read: ${(e as Error).message}`;
    // The weights state first, then the error: a 'ready' state clears the page's last weights error.
    restoreWeightsState({ status: 'error', message });
    post({ type: 'error', scope: 'weights', message });
  }
}

/** The user's class names for the current model: checked against its head, kept with it in browser storage. */
async function loadLabels(file: Blob, name: string): Promise<void> {
  if (!model) {
    post({ type: 'error', scope: 'labels', message: 'Load weights first: a label file names the classes of a model\'s head.' });
    return;
  }
  try {
    const text = await file.text();
    const names = readLabelFile(text, model.config.numClasses, name);
    model = { ...model, labels: names, labelsName: name };
    post({ type: 'weights', state: { status: 'ready', model: withoutDict(model) } });
    await cache?.putLabels(model.key, { name, text }).catch((e: Error) => post({ type: 'error', scope: 'cache', message: e.message }));
  } catch (e) {
    post({ type: 'error', scope: 'labels', message: e instanceof LabelFileError ? e.message : `${name} could not be read: ${(e as Error).message}` });
  }
}

function withoutDict(m: LoadedModel): ModelInfo {
  const { dict: _, labels: __, ...info } = m;
  return info;
}

/** The device, weights and config a job runs with, or the reason it cannot start. */
async function jobSetup(settings: RunSettings) {
  const g = await startGpu();
  if (!g) throw new Error('WebGPU is not available');
  if (!model) throw new Error('Load weights first (see the model panel).');
  const config = settings.inputSize ? { ...model.config, inputSize: settings.inputSize } : model.config;
  return { gpu: g, device: g.device, config, weights: new StateDictSource(model.dict), labels: model.labels, tiles: await tunedTiles(g) };
}

function perfOf(classifier: Classifier, inferenceMs: number, settings: RunSettings): PerfReport {
  const layers = settings.profile && classifier.timings.length ? classifier.timings.map((t) => ({ name: t.name, ms: t.ms })) : undefined;
  const gpuObjects = liveResources(classifier.executor.device);
  const resources = { gpuBuffers: gpuObjects.buffers, gpuTextures: gpuObjects.textures, openVideoFrames: [...live.values()].reduce((a, s) => a + s.openFrames, 0) };
  return { inferenceMs, pipelineMs: classifier.executor.pipelineMs, memory: classifier.memory, layers, inputSize: classifier.config.inputSize, resources };
}

async function analyze(id: number, file: Blob, name: string, settings: RunSettings, frames?: ElementFrames): Promise<void> {
  const controller = new AbortController();
  jobs.set(id, controller);
  let clipsDone = 0;
  try {
    // A lost device ends an attempt; the next one decodes again on a new device and classifies from the first
    // clip not yet done. (Frames from the page's player come once, so that source cannot resume.)
    for (let attempt = 0; ; attempt++) {
      const { device, config, weights, labels, tiles } = await jobSetup(settings);
      const video = frames ? openElementFrames(frames) : await openVideoFile(file);
      try {
        if (attempt === 0) post({ type: 'analysisStart', id, info: video.info, clips: 0, duration: video.info.duration });
        let classifier: Classifier | undefined;
        await analyzeVideo(device, video, config, weights, {
          tiles,
          labels,
          stride: settings.stride,
          views: settings.views,
          profile: settings.profile,
          signal: controller.signal,
          resumeAt: clipsDone,
          onClassifier: (c) => (classifier = c),
          onProgress: (p) => post({ type: 'progress', id, ...p }),
          onNotice: (n) => post({ type: 'notice', id, ...n }),
          onClip: (r) => {
            clipsDone++;
            post({ type: 'clip', id, clip: { start: r.start, end: r.end, top: r.top.map(({ index, label, probability }) => ({ index, label, probability })), probabilities: r.probabilities, ms: r.ms } });
            if (classifier) post({ type: 'perf', report: perfOf(classifier, r.ms, settings) });
          },
        });
        post({ type: 'analysisEnd', id, outcome: 'done' });
        jobs.delete(id);
        tuneWhenIdle(settings, device);
        return;
      } catch (e) {
        if (!controller.signal.aborted && !frames && attempt < MAX_LOSSES_PER_MINUTE && (await deviceLost(device))) continue;
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

async function webcamStart(id: number, frames: ReadableStream<VideoFrame>, settings: RunSettings, intervalMs: number): Promise<void> {
  try {
    const { gpu: g, device, config, weights, labels, tiles } = await jobSetup(settings);
    let session: LiveClassifier | undefined = undefined;
    session = await LiveClassifier.start(device, config, weights, frames, {
      intervalMs,
      tiles,
      labels,
      onLabels: (l) => {
        post({ type: 'webcamLabels', id, time: l.time, top: l.top.map(({ index, label, probability }) => ({ index, label, probability })), latencyMs: l.latencyMs });
        if (session) post({ type: 'perf', report: perfOf(session.classifier, l.inferenceMs, settings) });
      },
      onError: (e) => {
        live.delete(id);
        post({ type: 'error', scope: 'webcam', id, kind: e.kind, message: e.message });
        post({ type: 'webcamEnd', id });
      },
    });
    live.set(id, session);
    // When the device is lost, the same camera carries on on the next one.
    const follow = (lostGpu: Gpu) => void lostGpu.lost.then(async () => {
      const next = await startGpu();
      const current = live.get(id);
      if (!next || !current || !model) return;
      try {
        await current.moveTo(next.device, new StateDictSource(model.dict));
        follow(next);
      } catch (e) {
        current.fail(new WebcamError('unsupported', `The camera could not carry on after the GPU was lost: ${(e as Error).message}`));
      }
    });
    follow(g);
  } catch (e) {
    void frames.cancel().catch(() => {});
    post({ type: 'error', scope: 'webcam', id, kind: e instanceof WebcamError ? e.kind : undefined, message: (e as Error).message });
    post({ type: 'webcamEnd', id });
  }
}

async function handle(request: EngineRequest): Promise<void> {
  switch (request.type) {
    case 'init':
      await Promise.all([startGpu(), openCache()]);
      await postTilesState();
      return handle({ type: 'loadModel', key: request.model ?? ((await cache?.list()) ?? []).at(-1)?.key ?? DEFAULT_ZOO_MODEL.name });
    case 'loadModel':
      return loadModel(request.key).catch((e: unknown) => {
        const message = `The ${request.key} weights could not be loaded: ${(e as Error).message}`;
        post({ type: 'weights', state: { status: 'error', message } });
      });
    case 'downloadModel':
      return downloadModel(request.key);
    case 'cancelDownload':
      download?.abort();
      return;
    case 'loadWeightsFile':
      return loadWeightsFile(request.file, request.name);
    case 'loadLabels':
      return loadLabels(request.file, request.name);
    case 'clearCache':
      if (!cache) return;
      await stopBackgroundTuning();
      await cache.clear();
      tilesInMemory.clear();
      post({ type: 'cache', state: { status: 'available', models: [] } });
      await postTilesState();
      if (model) {
        model = { ...model, source: model.source === 'cache' ? 'file' : model.source };
        post({ type: 'weights', state: { status: 'ready', model: withoutDict(model) } });
      }
      return;
    case 'tuneTiles':
      await stopBackgroundTuning();
      return tuneTiles(request.settings);
    case 'analyze':
      await stopBackgroundTuning();
      return analyze(request.id, request.file, request.name, request.settings, request.frames);
    case 'cancel':
      jobs.get(request.id)?.abort();
      return;
    case 'webcamStart':
      await stopBackgroundTuning();
      return webcamStart(request.id, request.frames, request.settings, request.intervalMs);
    case 'webcamStop': {
      const session = live.get(request.id);
      live.delete(request.id);
      if (!session) return;
      // fail() reports the error and the end through onError.
      if (request.error) return session.fail(new WebcamError(request.error.kind as WebcamError['kind'], request.error.message));
      session.stop();
      post({ type: 'webcamEnd', id: request.id });
      return;
    }
    case 'ping':
      post({ type: 'pong', at: request.at });
      return;
  }
}

scope.addEventListener('message', (e) => {
  handle(e.data).catch((err: unknown) => {
    const message = err instanceof StorageUnavailableError ? err.message : `The engine failed: ${(err as Error)?.message ?? String(err)}`;
    post({ type: 'error', scope: 'gpu', message });
  });
});
