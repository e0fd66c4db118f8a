// The engine's weights: which model is current, and every way it gets there — the browser's cache, the
// site's converted files, a download from the model zoo (with progress and cancel), a file the user gives —
// plus the label file that names its classes. Each load bumps a generation, so a slow load never replaces
// the model a later one chose; a failed load leaves the current model in use.
import { datasetOf, LabelFileError, labelsFor, readLabelFile } from '../../model/labels.ts';
import { PRESETS, type SlowFastConfig } from '../../model/slowfast.ts';
import type { WeightInput } from '../../model/weights/byteSource.ts';
import { checkWeights } from '../../model/weights/convert.ts';
import { toSafetensors } from '../../model/weights/load.ts';
import { CheckpointError } from '../../model/weights/pickle.ts';
import type { StateDict } from '../../model/weights/stateDict.ts';
import { approximateBytes, convertedFileName, findZooModel, isZooFileName, ZOO, zooPresetOfFile, ZOO_PROXY_PATH, type ZooModel } from '../../model/zoo.ts';
import type { ModelCache } from './modelCache.ts';
import type { EngineEvent, ModelInfo, ModelKey, WeightsState } from './protocol.ts';

/** The current model: its weights, and its class names where the user gave a label file. */
export type LoadedModel = Omit<ModelInfo, 'classNames' | 'multiLabel'> & { dict: StateDict; labels?: string[] };

/** How weights became current: shown as, from where, by which load, cached or not, under which key ('custom': by what they are). */
interface UseOptions {
  name: string;
  source: ModelInfo['source'];
  generation: number;
  cacheIt: boolean;
  key?: ModelKey;
}

export class Models {
  current?: LoadedModel;
  /** Bumped by every load, so a slow load never replaces the model a later one chose. */
  private generation = 0;
  private download?: AbortController;
  /** Where zoo checkpoints come from (a mirror), and whether the site's own converted weights are tried first. */
  sources: { zooUrl?: string; siteModels: boolean } = { siteModels: true };

  constructor(
    private readonly post: (e: EngineEvent) => void,
    /** The browser's cache of converted weights, where storage is allowed. */
    private readonly cache: () => ModelCache | undefined,
  ) {}

  cancelDownload(): void {
    this.download?.abort();
  }

  /** The cache was cleared: a model read from it now lives only in memory, as the user's. */
  cacheCleared(): void {
    if (!this.current) return;
    this.current = { ...this.current, source: this.current.source === 'cache' ? 'file' : this.current.source };
    this.post({ type: 'weights', state: { status: 'ready', model: withoutDict(this.current) } });
  }

  /** Reads and checks weights (any accepted format) and makes them the current model, under `key` ('custom': by what they are). */
  private async useWeights(input: WeightInput, o: UseOptions): Promise<void> {
    const likelyPreset = o.key ? findZooModel(o.key)?.preset : zooPresetOfFile(o.name);
    const converted = await checkWeights(input, { likelyPreset });
    // Converted for the cache only: weights read from it, or where storage is refused, would keep no copy.
    const bytes = o.cacheIt && this.cache() ? toSafetensors(converted.dict, converted.config) : undefined;
    if (o.generation !== this.generation) return;
    const key = o.key ?? zooModelOf(converted.config, o.name)?.name ?? 'custom';
    const stored = await this.cache()?.getLabels(key);
    let labels: { names: string[]; name: string } | undefined;
    try {
      if (stored) labels = { names: readLabelFile(stored.text, converted.config.numClasses, stored.name), name: stored.name };
    } catch {
      // A label file kept for an earlier model of this key that no longer fits: the head's own labels.
    }
    this.current = {
      key, name: o.name, config: converted.config, parameters: converted.parameters, bytes: bytes?.byteLength ?? converted.fileBytes, source: o.source,
      loadId: o.generation, dataset: datasetOf(converted.config.numClasses), labelsName: labels?.name, dict: converted.dict, labels: labels?.names,
    };
    this.post({ type: 'weights', state: { status: 'ready', model: withoutDict(this.current) } });
    const cache = this.cache();
    if (bytes && cache) {
      try {
        const models = await cache.put({ key, name: o.name }, bytes);
        this.post({ type: 'cache', state: { status: 'available', models, storage: cache.backend } });
      } catch (e) {
        this.post({ type: 'error', scope: 'cache', message: (e as Error).message });
      }
    }
  }

  /**
   * Fetches a weight file with progress: to browser storage when it can (a checkpoint of hundreds of MB then
   * never sits in memory), else into memory. Undefined if the answer is not a weight file (a missing file, or a
   * server that answers every path with its page).
   */
  private async fetchWeights(url: string, key: ModelKey, signal: AbortSignal | undefined, onProgress: (received: number, total: number) => void): Promise<Fetched | undefined> {
    const response = await fetch(url, { signal });
    if (response.status >= 400 && response.status !== 404) throw new DownloadRefused(response.status, (await response.text().catch(() => '')).slice(0, 300));
    if (!response.ok || /text\/html/.test(response.headers.get('content-type') ?? '') || !response.body) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    const total = Number(response.headers.get('content-length')) || 0;
    const target = await this.cache()?.openDownload(key).catch(() => undefined);
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

  /** The model in use is announced again (a failed load leaves it current), or the state a failure leaves. */
  private restoreWeightsState(fallback: WeightsState): void {
    this.post({ type: 'weights', state: this.current ? { status: 'ready', model: withoutDict(this.current) } : fallback });
  }

  async loadModel(key: ModelKey): Promise<void> {
    const generation = ++this.generation;
    const zoo = key === 'custom' ? undefined : findZooModel(key);
    if (key !== 'custom' && !zoo) {
      this.post({ type: 'weights', state: { status: 'missing', key, message: `There is no model called ${key}. Choose one from the list, or drop a checkpoint on the page.` } });
      return;
    }
    const canonical = zoo?.name ?? 'custom';
    const title = zoo?.title ?? 'custom model';
    const cached = await this.cache()?.get(canonical);
    if (generation !== this.generation) return;
    if (cached) {
      this.post({ type: 'weights', state: { status: 'loading', key: canonical, name: title, phase: 'read', received: cached.size, total: cached.size } });
      const name = (await this.cache()?.list())?.find((m) => m.key === canonical)?.name ?? title;
      return this.useWeights(cached, { name, source: 'cache', generation, cacheIt: false, key: canonical });
    }
    if (!zoo) {
      this.post({ type: 'weights', state: { status: 'missing', key, message: 'No custom model is cached. Drop a .pyth or .safetensors file on the page.' } });
      return;
    }
    // Converted weights this site serves (npm run weights puts them in public/models/).
    this.post({ type: 'weights', state: { status: 'loading', key: canonical, name: title, phase: 'download', received: 0, total: 0 } });
    const served = this.sources.siteModels && await this.fetchWeights(new URL(`${import.meta.env.BASE_URL}models/${convertedFileName(zoo)}`, self.location.origin).href, canonical, undefined, (received, total) => {
      if (generation === this.generation) this.post({ type: 'weights', state: { status: 'loading', key: canonical, name: title, phase: 'download', received, total } });
    }).catch(() => undefined);
    if (generation !== this.generation) return;
    if (served) return this.useFetched(served, { name: title, source: 'server', generation, cacheIt: true, key: canonical });
    this.post({
      type: 'weights',
      state: {
        status: 'missing', key: canonical, download: { bytes: approximateBytes(zoo) },
        message: `${title} is not in this browser yet. Download it from the model zoo (${zoo.dataset}, ${zoo.score.toFixed(1)}% ${zoo.metric}), or drop its ${zoo.path.split('/').pop()} on the page.`,
      },
    });
  }

  /** useWeights, then drops the download's own copy (the converted weights are cached by then). */
  private async useFetched(fetched: Fetched, o: UseOptions): Promise<void> {
    try {
      await this.useWeights(fetched.blob, o);
    } finally {
      await fetched.discard();
    }
  }

  async downloadModel(key: ModelKey): Promise<void> {
    const zoo = findZooModel(key);
    if (!zoo) return;
    const generation = ++this.generation;
    this.download?.abort();
    const controller = (this.download = new AbortController());
    const estimate = approximateBytes(zoo);
    const loading = (received: number, total: number) => {
      if (generation === this.generation) this.post({ type: 'weights', state: { status: 'loading', key: zoo.name, name: zoo.title, phase: 'download', received, total: total || estimate, cancellable: true } });
    };
    const missing = (message: string): WeightsState => ({ status: 'missing', key: zoo.name, message, download: { bytes: estimate } });
    loading(0, 0);
    const url = zooUrl(zoo, this.sources.zooUrl);
    let fetched: Fetched | undefined;
    try {
      fetched = await this.fetchWeights(url, zoo.name, controller.signal, loading);
    } catch (e) {
      if (generation !== this.generation) return;
      if (controller.signal.aborted) return this.restoreWeightsState(missing(`The download of ${zoo.title} was cancelled.`));
      // Our server's relay says what went wrong in a sentence (unreachable, refused); a mirror only its status.
      const why = e instanceof DownloadRefused
        ? (e.status === 502 && e.body ? e.body : `the server answered HTTP ${e.status}`)
        : `the model zoo cannot be reached (${(e as Error).message})`;
      const message = `${zoo.title} could not be downloaded: ${why}. Check the connection and try again, or drop ${zoo.path.split('/').pop()} on the page.`;
      this.restoreWeightsState(missing(message));
      this.post({ type: 'error', scope: 'weights', message });
      return;
    } finally {
      if (this.download === controller) this.download = undefined;
    }
    if (generation !== this.generation) return void fetched?.discard();
    if (!fetched) {
      const message = `This site does not offer downloads from the model zoo. Run \`npm run weights -- --model ${zoo.name}\` where it is served, or drop ${zoo.path.split('/').pop()} on the page.`;
      this.restoreWeightsState(missing(message));
      this.post({ type: 'error', scope: 'weights', message });
      return;
    }
    this.post({ type: 'weights', state: { status: 'loading', key: zoo.name, name: zoo.title, phase: 'read', received: fetched.blob.size, total: fetched.blob.size } });
    try {
      await this.useFetched(fetched, { name: zoo.title, source: 'zoo', generation, cacheIt: true, key: zoo.name });
    } catch (e) {
      if (generation !== this.generation) return;
      const message = e instanceof CheckpointError ? `The download of ${zoo.title} is not usable weights: ${e.message}` : `${zoo.title} could not be read: ${(e as Error).message}`;
      this.restoreWeightsState(missing(message));
      this.post({ type: 'error', scope: 'weights', message });
    }
  }

  async loadWeightsFile(file: Blob, name: string): Promise<void> {
    const generation = ++this.generation;
    this.post({ type: 'weights', state: { status: 'loading', key: 'custom', name, phase: 'read', received: 0, total: file.size } });
    try {
      // The file is read in parts (a checkpoint is mostly optimizer state the model never needs).
      await this.useWeights(file, { name, source: 'file', generation, cacheIt: true });
    } catch (e) {
      if (generation !== this.generation) return;
      // The earlier model, if any, stays in use.
      const message = e instanceof CheckpointError ? `${name} is not usable weights: ${e.message}` : `${name} could not be read: ${(e as Error).message}`;
      // The weights state first, then the error: a 'ready' state clears the page's last weights error.
      this.restoreWeightsState({ status: 'error', message });
      this.post({ type: 'error', scope: 'weights', message });
    }
  }

  /** The user's class names for the current model: checked against its head, kept with it in browser storage. */
  async loadLabels(file: Blob, name: string): Promise<void> {
    if (!this.current) {
      this.post({ type: 'error', scope: 'labels', message: 'Load weights first: a label file names the classes of a model\'s head.' });
      return;
    }
    try {
      const text = await file.text();
      const names = readLabelFile(text, this.current.config.numClasses, name);
      this.current = { ...this.current, labels: names, labelsName: name };
      this.post({ type: 'weights', state: { status: 'ready', model: withoutDict(this.current) } });
      await this.cache()?.putLabels(this.current.key, { name, text }).catch((e: Error) => this.post({ type: 'error', scope: 'cache', message: e.message }));
    } catch (e) {
      this.post({ type: 'error', scope: 'labels', message: e instanceof LabelFileError ? e.message : `${name} could not be read: ${(e as Error).message}` });
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
  return candidates.find((m) => isZooFileName(m, fileName)) ?? candidates[0];
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

/**
 * Where this page gets a zoo checkpoint: the mirror its starter or deployer set, else its own server, which fetches
 * it from the zoo.
 */
function zooUrl(m: ZooModel, chosen: string | undefined): string {
  const mirror = chosen ?? (import.meta.env.VITE_ZOO_URL as string | undefined);
  return mirror ? `${mirror.replace(/\/$/, '')}/${m.path}` : new URL(`${import.meta.env.BASE_URL}${ZOO_PROXY_PATH}/${m.path}`, self.location.origin).href;
}

/** What the page is told of a model (its weights stay in the worker). */
export function withoutDict(m: LoadedModel): ModelInfo {
  const { dict: _, labels, ...info } = m;
  return { ...info, classNames: [...(labels ?? labelsFor(m.config.numClasses))], multiLabel: m.config.headActivation === 'sigmoid' };
}
