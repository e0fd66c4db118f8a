// The engine worker: owns the GPUDevice, the weights and every GPU job, so the page stays responsive while a
// clip runs. It speaks only the messages of protocol.ts, and only dispatches them: the GPU's lifetime
// (gpuLifetime.ts), what a job runs on (runtime.ts), tiles (tiles.ts), video files (videoJobs.ts), cameras
// (cameraSessions.ts), weights (models.ts) and heads (teacher.ts) are their own modules, ordered by one rule
// (scheduler.ts). Loaded by worker.ts, the worker's entry.
import { setWasmLocation } from '../../model/onnx/wasmLocation.ts';
import { DEFAULT_ZOO_MODEL, findZooModel } from '../../model/zoo.ts';
import { CameraSessions } from './cameraSessions.ts';
import { GpuLifetime } from './gpuLifetime.ts';
import { ModelCache, StorageUnavailableError } from './modelCache.ts';
import { Models } from './models.ts';
import type { EngineEvent, EngineOptions, EngineRequest, RunSettings } from './protocol.ts';
import { Runtime } from './runtime.ts';
import { Scheduler } from './scheduler.ts';
import { Teacher } from './teacher.ts';
import { Tiles } from './tiles.ts';
import { VideoJobs } from './videoJobs.ts';

interface WorkerScope {
  postMessage(message: EngineEvent): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<EngineRequest>) => void): void;
}
// A dedicated worker's global scope; the DOM library types `self` as a Window.
const scope = self as unknown as WorkerScope;
const post = (e: EngineEvent) => scope.postMessage(e);

let cache: ModelCache | undefined;
const gpu = new GpuLifetime(post);
const models = new Models(post, () => cache);
const teacher = new Teacher(post);
const tiles = new Tiles(post, () => cache);
const runtime = new Runtime(gpu, models, teacher, tiles);
const scheduler = new Scheduler(() => tiles.stopTuning());
const videos = new VideoJobs(post, runtime, () => models.current?.name ?? 'unknown', () => models.partner?.name ?? 'unknown', (settings, device) => tiles.tuneWhenIdle(() => runtime.onGpu(settings), device, busy()));
const cameras = new CameraSessions(post, runtime);
const busy = () => videos.busy || cameras.busy;

async function openCache(o: EngineOptions): Promise<void> {
  if (o.keep === false) {
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

const postTilesState = async () => tiles.postState(await gpu.start());
const tune = (settings: RunSettings) => tiles.tune(() => runtime.onGpu(settings));

async function handle(request: EngineRequest): Promise<void> {
  switch (request.type) {
    case 'init': {
      const o = request.options ?? {};
      models.sources = { zooUrl: o.zooUrl, siteModels: o.siteModels ?? true };
      setWasmLocation(o.wasmUrl);
      const loadsBefore = models.loadsStarted;
      await Promise.all([gpu.start(), openCache(o)]);
      await postTilesState();
      // Weights the user chose while the engine started (a file picked as soon as the page showed) are theirs: the
      // start-up's own load, being later, would supersede them.
      if (request.model === null || models.loadsStarted !== loadsBefore) return;
      return handle({ type: 'loadModel', key: request.model ?? ((await cache?.list()) ?? []).at(-1)?.key ?? DEFAULT_ZOO_MODEL.name });
    }
    case 'loadModel':
      return scheduler.loadWeights(models.loadModel(request.key).catch((e: unknown) => {
        const message = `The ${request.key} weights could not be loaded: ${(e as Error).message}`;
        post({ type: 'weights', state: { status: 'error', message } });
      }));
    case 'downloadModel':
      return scheduler.loadWeights(models.downloadModel(request.key));
    case 'cancelDownload':
      return models.cancelDownload(request.partner ? 'partner' : 'current');
    case 'loadWeightsFile':
      return scheduler.loadWeights(models.loadWeightsFile(request.file, request.name));
    case 'loadPartner':
      return scheduler.loadWeights('key' in request ? models.loadPartnerModel(request.key) : models.loadPartner(request.file, request.name));
    case 'budgetCompare': {
      const key = request.partner;
      const cached = key !== null && !!(await cache?.list())?.some((m) => m.key === findZooModel(key)?.name);
      const budget = await runtime.compareBudget(key, request.settings, cached);
      if (budget) post(budget);
      return;
    }
    case 'dropPartner':
      models.dropPartner();
      return runtime.freePartner();
    case 'loadLabels':
      return models.loadLabels(request.file, request.name);
    case 'clearCache':
      if (!cache) return;
      await tiles.stopTuning();
      await cache.clear();
      tiles.forget();
      post({ type: 'cache', state: { status: 'available', models: [], storage: cache.backend } });
      await postTilesState();
      return models.cacheCleared();
    case 'tuneTiles':
      await scheduler.run(() => tune(request.settings));
      return;
    case 'analyze':
      // A video cancelled while it waited its turn is not analysed.
      if (!(await scheduler.run(() => videos.analyze(request.id, request.file, request.name, request.settings, request.frames, request.compare), request.id))) {
        post({ type: 'analysisEnd', id: request.id, outcome: 'cancelled' });
      }
      return;
    case 'mapClip':
      await scheduler.run(() => videos.mapClip(request.id, request.file, request.window, request.classIndex, request.settings, request.partner));
      return;
    case 'cancel':
      scheduler.cancel(request.id);
      return videos.cancel(request.id);
    case 'webcamStart':
      // A camera stopped while it waited its turn never starts.
      if (!(await scheduler.run(() => cameras.start(request.id, request.frames, request.settings, request.intervalMs), request.id))) cameras.discard(request.id, request.frames);
      return;
    case 'webcamStop':
      if (scheduler.cancel(request.id)) return;
      return cameras.stop(request.id, request.error);
    case 'teachFile':
      // Its features belong to the backbone of the weights it waited for.
      await scheduler.run(() => videos.teachFile(request.id, request.file, request.name, request.settings, request.range, request.mirrored));
      return;
    case 'train':
      return scheduler.changeHead(async () => {
        if (await teacher.train(request.id, models.current, request.name, request.classNames, request.examples)) await cameras.moveAll();
      });
    case 'useHead':
      return scheduler.changeHead(async () => {
        if (await teacher.use(models.current, request.file, request.name)) await cameras.moveAll();
      });
  }
}

function onMessage(e: MessageEvent<EngineRequest>): void {
  handle(e.data).catch((err: unknown) => {
    const message = err instanceof StorageUnavailableError ? err.message : `The engine failed: ${err instanceof Error ? err.message : String(err)}`;
    post({ type: 'error', scope: 'gpu', message });
  });
}

/** Starts answering the page: first the messages that came while this module loaded, in order. */
export function listen(early: readonly MessageEvent<EngineRequest>[]): void {
  for (const e of early) onMessage(e);
  scope.addEventListener('message', onMessage);
}
