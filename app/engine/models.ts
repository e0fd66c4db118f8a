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
import { DOWNLOAD_TRIES, DownloadError, memoryBlockStore, probeRanges, rangedSource } from '../../model/weights/rangedDownload.ts';
import type { StateDict } from '../../model/weights/stateDict.ts';
import { approximateWeightBytes, convertedFileName, findZooModel, isZooFileName, ZOO, zooPresetOfFile, ZOO_PROXY_PATH, type ZooModel } from '../../model/zoo.ts';
import type { ModelCache } from './modelCache.ts';
import type { EngineEvent, LoadProgress, ModelInfo, ModelKey, WeightsState } from './protocol.ts';

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
  /** The model the current one is compared with, on the same clips (see 'loadPartner'). */
  partner?: LoadedModel;
  /** Partners get ids of their own (negative), apart from the loads' generations. */
  private partners = 0;
  /** Bumped by every load, so a slow load never replaces the model a later one chose. */
  private generation = 0;

  /** How many loads of the current model have been started: one started later supersedes any before it. */
  get loadsStarted(): number {
    return this.generation;
  }
  /** The same for the partner's loads. */
  private partnerGeneration = 0;
  /** The download in flight for each role. */
  private readonly downloads: Partial<Record<Role, AbortController>> = {};
  /** Where zoo checkpoints come from (a mirror), and whether the site's own converted weights are tried first. */
  sources: { zooUrl?: string; siteModels: boolean } = { siteModels: true };

  constructor(
    private readonly post: (e: EngineEvent) => void,
    /** The browser's cache of converted weights, where storage is allowed. */
    private readonly cache: () => ModelCache | undefined,
  ) {}

  cancelDownload(role: Role = 'current'): void {
    this.downloads[role]?.abort();
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
    if (response.status >= 400 && response.status !== 404) {
      const body = (await response.text().catch(() => '')).slice(0, 300);
      throw new DownloadError('refused', `${url}: HTTP ${response.status}`, { status: response.status, body });
    }
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
    const served = await this.fetchServed(zoo, (received, total) => {
      if (generation === this.generation) this.post({ type: 'weights', state: { status: 'loading', key: canonical, name: title, phase: 'download', received, total } });
    });
    if (generation !== this.generation) return;
    if (served) return this.useFetched(served, (input) => this.useWeights(input, { name: title, source: 'server', generation, cacheIt: true, key: canonical }));
    this.post({
      type: 'weights',
      state: {
        status: 'missing', key: canonical, download: await this.downloadOffer(zoo),
        message: `${title} is not in this browser yet. Download it from the model zoo (${zoo.dataset}, ${zoo.score.toFixed(1)}% ${zoo.metric}), or drop its ${zoo.path.split('/').pop()} on the page.`,
      },
    });
  }

  /** A zoo model's converted weights as this site serves them (npm run weights puts them in public/models/), if it does. */
  private async fetchServed(zoo: ZooModel, onProgress: (received: number, total: number) => void): Promise<Fetched | undefined> {
    if (!this.sources.siteModels) return undefined;
    const url = new URL(`${import.meta.env.BASE_URL}models/${convertedFileName(zoo)}`, self.location.origin).href;
    return this.fetchWeights(url, zoo.name, undefined, onProgress).catch(() => undefined);
  }

  /** Uses fetched weights, then drops the download's own copy (the converted weights are cached by then). */
  private async useFetched(fetched: Fetched, use: (input: WeightInput) => Promise<void>): Promise<void> {
    try {
      await use(fetched.blob);
    } finally {
      await fetched.discard();
    }
  }

  /** What downloading `zoo` will fetch (its weights' records), and what an earlier visit's download left of it. */
  private async downloadOffer(zoo: ZooModel): Promise<{ bytes: number; kept?: number }> {
    const kept = await this.cache()?.keptDownloadBytes(zoo.name).catch(() => 0);
    return { bytes: approximateWeightBytes(zoo), ...(kept ? { kept } : {}) };
  }

  /**
   * Downloads a zoo model's weights (by HTTP Range where the server answers it: only the weights' records, kept
   * in browser storage block by block so a broken-off download resumes, in this visit or a later one), converts
   * and caches them. One tab at a time: another tab's download of the same model is waited for.
   */
  async downloadModel(key: ModelKey, role: Role = 'current'): Promise<void> {
    const zoo = findZooModel(key);
    if (!zoo) return;
    this.downloads[role]?.abort();
    const controller = (this.downloads[role] = new AbortController());
    const target = role === 'current' ? this.currentTarget(zoo) : this.partnerTarget(zoo);
    try {
      await oneTabAtATime(`slowfast-web download ${zoo.name}`, controller.signal, () => target.loading({ phase: 'waiting', received: 0, total: 0, cancellable: true }), async (waited) => {
        // The other tab's download is cached by now, unless it failed.
        const cached = waited ? await this.cache()?.get(zoo.name) : undefined;
        if (cached) return target.use(cached, 'cache', false);
        return this.downloadFromZoo(zoo, target, controller.signal);
      });
    } catch (e) {
      const title = zoo.title;
      const drop = role === 'current' ? `drop ${zoo.path.split('/').pop()} on the page` : `give its ${zoo.path.split('/').pop()} as a file`;
      const noZoo = `This site does not offer downloads from the model zoo. Run \`npm run weights -- --model ${zoo.name}\` where it is served, or ${drop}.`;
      if (controller.signal.aborted || (e instanceof DownloadError && e.kind === 'aborted')) {
        await target.cancelled();
      } else if (e instanceof DownloadError) {
        const d = e.detail;
        const why = {
          unreachable: () => `${title} could not be downloaded: the model zoo cannot be reached (${d.why}). Check the connection and try again, or ${drop}.`,
          refused: () => d.status === 404
            ? noZoo
            // Our server's relay says what went wrong in a sentence (unreachable, refused); a mirror only its status.
            : `${title} could not be downloaded: ${d.status === 502 && d.body ? d.body
              : d.status === 416 ? 'the server\'s answers disagree on the file\'s size (HTTP 416)' : `the server answered HTTP ${d.status}`}. Check the connection and try again, or ${drop}.`,
          'not-a-file': () => noZoo,
          'broke-off': () => `The download of ${title} broke off at ${mib(d.at ?? 0)} of ${mib(d.total ?? 0)} (${d.why}), ${DOWNLOAD_TRIES} times. What arrived is kept in this browser: download again to resume.`,
          changed: () => `${title} changed on the server during the download, so what was kept of it is dropped: download again to start over.`,
          aborted: () => `The download of ${title} was cancelled.`,
        }[e.kind]();
        await target.failed(why);
      } else if (e instanceof StorageFullError) {
        await target.failed(`${title} needs about ${mib(e.need)} of browser storage, and this browser allows ${mib(Math.max(0, e.free))} more. Remove cached models (Clear cache) or free disk space, or ${drop}.`);
      } else if (e instanceof CheckpointError) {
        await target.failed(`The download of ${title} is not usable weights: ${e.message}`);
      } else {
        await target.failed(`${title} could not be read: ${(e as Error).message}`);
      }
    } finally {
      if (this.downloads[role] === controller) delete this.downloads[role];
    }
  }

  /** A download that makes the current model: its progress and failures are the weights state's. */
  private currentTarget(zoo: ZooModel): LoadTarget {
    const generation = ++this.generation;
    const live = () => generation === this.generation;
    return {
      live,
      loading: (p) => live() && this.post({ type: 'weights', state: { status: 'loading', key: zoo.name, name: zoo.title, ...p } }),
      use: (input, source, cacheIt) => this.useWeights(input, { name: zoo.title, source, generation, cacheIt, key: zoo.name }),
      failed: async (message) => {
        if (!live()) return;
        this.restoreWeightsState({ status: 'missing', key: zoo.name, message, download: await this.downloadOffer(zoo) });
        this.post({ type: 'error', scope: 'weights', message });
      },
      cancelled: async () => {
        if (live()) this.restoreWeightsState({ status: 'missing', key: zoo.name, message: `The download of ${zoo.title} was cancelled.`, download: await this.downloadOffer(zoo) });
      },
    };
  }

  /** A load that makes the partner: its progress and failures are the partner state's (the partner before it stays). */
  private partnerTarget(zoo: ZooModel): LoadTarget {
    const generation = ++this.partnerGeneration;
    const live = () => generation === this.partnerGeneration;
    return {
      live,
      loading: (progress) => live() && this.post({ type: 'partner', state: { status: 'loading', name: zoo.title, progress } }),
      use: (input, source, cacheIt) => this.usePartner(input, { name: zoo.title, source, generation, cacheIt, key: zoo.name }),
      failed: async (message) => {
        if (!live()) return;
        this.restorePartnerState();
        this.post({ type: 'error', scope: 'partner', message });
      },
      cancelled: async () => {
        if (live()) this.restorePartnerState();
      },
    };
  }

  /** The download itself (the tab holds the lock): by ranges where the server answers them, else the whole file. */
  private async downloadFromZoo(zoo: ZooModel, target: LoadTarget, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    let lastReport = 0;
    let wholeFile = false;
    /** A report held back by the rate limit, sent when the limit allows unless a newer one went first. */
    let trailing: ReturnType<typeof setTimeout> | undefined;
    let finished = false;
    const loading = (received: number, total: number, fetched = received, expected = total, force = false) => {
      if (finished || !target.live()) return;
      clearTimeout(trailing);
      // The last report always goes out (a library user's progress ends at its total), and a held one follows soon:
      // a download that stalls shows where it stopped.
      const wait = 100 - (performance.now() - lastReport);
      if (!force && expected > fetched && wait > 0) {
        trailing = setTimeout(() => loading(received, total, fetched, expected, true), wait);
        return;
      }
      lastReport = performance.now();
      // Time left from this visit's rate, once there is a second of it to go by.
      const seconds = (performance.now() - started) / 1000;
      const secondsLeft = seconds > 1 && fetched > 0 && expected > fetched ? Math.ceil(((expected - fetched) / fetched) * seconds) : undefined;
      target.loading({ phase: 'download', received, total, cancellable: true, ...(secondsLeft ? { secondsLeft } : {}), ...(wholeFile ? { wholeFile } : {}) });
    };
    try {
      const offer = await this.downloadOffer(zoo);
      loading(offer.kept ?? 0, offer.bytes, 0, offer.bytes - (offer.kept ?? 0), true);
      const url = zooUrl(zoo, this.sources.zooUrl);
      const support = await probeRanges(url, { signal });
      if (!support) {
        // A server that answers every request with the whole file: fetched whole, as it must be.
        wholeFile = true;
        const fetched = await this.fetchWeights(url, zoo.name, signal, (received, total) => loading(received, total)).catch((e: unknown) => {
          if (e instanceof DownloadError || signal.aborted) throw e;
          throw new DownloadError('unreachable', String(e), { why: e instanceof Error ? e.message : String(e) });
        });
        if (!fetched) throw new DownloadError('not-a-file', `${url} is not a file`);
        if (!target.live()) return void (await fetched.discard());
        target.loading({ phase: 'read', received: fetched.blob.size, total: fetched.blob.size });
        return this.useFetched(fetched, (input) => target.use(input, 'zoo', true));
      }
      const cache = this.cache();
      // The blocks, then the converted weights, about as large again.
      if (cache) await checkStorageFor(offer.bytes * 2 - (offer.kept ?? 0));
      const store = cache ? await cache.openBlocks(zoo.name).catch(() => memoryBlockStore()) : memoryBlockStore();
      const source = await rangedSource({
        url, support, store, signal, estimate: offer.bytes - (offer.kept ?? 0),
        onProgress: (s) => loading(s.kept + s.fetched, s.kept + s.expected, s.fetched, s.expected),
      });
      try {
        await target.use(source, 'zoo', true);
      } catch (e) {
        // What arrived is kept for a later try, unless the user cancelled or it is not a checkpoint at all.
        if (signal.aborted || e instanceof CheckpointError || (e instanceof DownloadError && e.kind === 'aborted')) await source.discard();
        else await source.close();
        throw e;
      }
      await source.discard();
    } finally {
      // No report held back may follow the download's end (a cancel, an error, the weights ready).
      finished = true;
      clearTimeout(trailing);
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

  /**
   * A second model to compare the current one with, from a file: read and checked as a weights file is, and kept
   * beside the current one (never replacing it).
   */
  async loadPartner(file: Blob, name: string): Promise<void> {
    const generation = ++this.partnerGeneration;
    this.post({ type: 'partner', state: { status: 'loading', name } });
    try {
      await this.usePartner(file, { name, source: 'file', generation, cacheIt: false });
    } catch (e) {
      if (generation !== this.partnerGeneration) return;
      this.restorePartnerState();
      this.post({ type: 'error', scope: 'partner', message: e instanceof CheckpointError ? `${name} is not usable weights: ${e.message}` : `${name} cannot be compared: ${(e as Error).message}` });
    }
  }

  /** A zoo model to compare the current one with: from this browser's cache, the site's converted files, else downloaded. */
  async loadPartnerModel(key: ModelKey): Promise<void> {
    const zoo = findZooModel(key);
    if (!zoo) {
      this.post({ type: 'error', scope: 'partner', message: `There is no model called ${key} to compare with.` });
      return;
    }
    this.downloads.partner?.abort();
    const target = this.partnerTarget(zoo);
    try {
      const cached = await this.cache()?.get(zoo.name);
      if (cached) {
        target.loading({ phase: 'read', received: cached.size, total: cached.size });
        return await target.use(cached, 'cache', false);
      }
      target.loading({ phase: 'download', received: 0, total: 0 });
      const served = await this.fetchServed(zoo, (received, total) => target.loading({ phase: 'download', received, total }));
      if (!target.live()) return void (await (served && served.discard()));
      if (served) return await this.useFetched(served, (input) => target.use(input, 'server', true));
    } catch (e) {
      return target.failed(e instanceof CheckpointError ? `${zoo.title} is not usable weights: ${e.message}` : `${zoo.title} cannot be compared: ${(e as Error).message}`);
    }
    // Not in this browser: the zoo's, by ranges (its own progress, cancel and failures).
    return this.downloadModel(zoo.name, 'partner');
  }

  /** Reads and checks weights and makes them the partner: the current model's classes, labelled as it is. */
  private async usePartner(input: WeightInput, o: UseOptions): Promise<void> {
    const converted = await checkWeights(input, { likelyPreset: o.key ? findZooModel(o.key)?.preset : zooPresetOfFile(o.name) });
    const current = this.current;
    if (!current) throw new Error('load the first model before the one to compare it with');
    if (converted.config.numClasses !== current.config.numClasses) {
      throw new Error(`it has ${converted.config.numClasses} classes and ${current.name} has ${current.config.numClasses}: a comparison needs the same label set`);
    }
    if (o.generation !== this.partnerGeneration) return;
    const key = o.key ?? zooModelOf(converted.config, o.name)?.name ?? 'custom';
    this.partner = {
      key, name: o.name, config: converted.config, parameters: converted.parameters, bytes: converted.fileBytes, source: o.source, loadId: -++this.partners,
      dataset: datasetOf(converted.config.numClasses), dict: converted.dict, labels: current.labels, labelsName: current.labelsName,
    };
    this.post({ type: 'partner', state: { status: 'ready', model: withoutDict(this.partner) } });
    // A zoo model downloaded to compare with is kept, as one chosen to use is (a file given is not: it stays the user's).
    const cache = this.cache();
    if (o.cacheIt && o.key && cache) {
      try {
        const models = await cache.put({ key: o.key, name: o.name }, toSafetensors(converted.dict, converted.config));
        this.post({ type: 'cache', state: { status: 'available', models, storage: cache.backend } });
      } catch (e) {
        this.post({ type: 'error', scope: 'cache', message: (e as Error).message });
      }
    }
  }

  /** The partner in use is announced again (a failed or cancelled load leaves it), else none. */
  private restorePartnerState(): void {
    this.post({ type: 'partner', state: this.partner ? { status: 'ready', model: withoutDict(this.partner) } : { status: 'none' } });
  }

  dropPartner(): void {
    this.partnerGeneration++;
    this.downloads.partner?.abort();
    this.partner = undefined;
    this.post({ type: 'partner', state: { status: 'none' } });
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

/** Which model a load makes: the current one, or the one it is compared with. */
type Role = 'current' | 'partner';

/** Where a load's weights go (the current model, or the partner), and how its progress and end are told. */
interface LoadTarget {
  /** No later load of the same role has started. */
  live(): boolean;
  loading(progress: LoadProgress): void;
  use(input: WeightInput, source: ModelInfo['source'], cacheIt: boolean): Promise<void>;
  failed(message: string): Promise<void>;
  cancelled(): Promise<void>;
}

/** Fetched weights, and how to drop the copy kept in browser storage for reading them. */
interface Fetched {
  blob: Blob;
  discard(): Promise<void>;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

/** Browser storage too full for a download and its converted weights. */
class StorageFullError extends Error {
  constructor(readonly need: number, readonly free: number) {
    super(`${need} bytes of storage needed, ${free} free`);
  }
}

/** Refuses to start a download that browser storage cannot hold (where the browser says how much it allows). */
async function checkStorageFor(need: number): Promise<void> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  if (estimate?.quota === undefined || estimate.usage === undefined) return;
  const free = estimate.quota - estimate.usage;
  if (free < need) throw new StorageFullError(need, free);
}

/**
 * Runs `run` holding the Web Lock `name`, so two tabs never download one file at once; where another tab holds
 * it, says so (`onWait`) and waits (`waited` is then true). Browsers without Web Locks run it at once.
 */
async function oneTabAtATime(name: string, signal: AbortSignal, onWait: () => void, run: (waited: boolean) => Promise<void>): Promise<void> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return run(false);
  const done = await locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return false;
    await run(false);
    return true;
  });
  if (done) return;
  onWait();
  await locks.request(name, { signal }, () => run(true));
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
