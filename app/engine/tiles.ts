// The conv tiles the engine plans with: tuned per adapter and precision, and kept in one small file beside the cached weights
// (in memory where storage is refused), tuned on request, and on a hardware GPU tuned by itself while the engine
// is idle — stopped by any job between layer shapes, keeping what it measured.
import type { Gpu } from '../../kernels/device.ts';
import { hasSubgroups, isSoftwareAdapter } from '../../kernels/device.ts';
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import type { Dtype } from '../../kernels/kernel.ts';
import { tilePolicyFor } from '../../kernels/conv3d/conv3d.ts';
import { convLayersOf, loadOrTuneTiles, tileCacheKey, type TileCache } from '../../model/autotune.ts';
import { convSignature, signaturePrecision } from '../../kernels/conv3d/autotune.ts';
import { resolvePrecision, type Precision } from '../../model/kernelChoice.ts';
import { buildSlowFast, type SlowFastConfig } from '../../model/slowfast.ts';
import { StorageUnavailableError, type ModelCache } from './modelCache.ts';
import type { EngineEvent } from './protocol.ts';

const TILES_FILE = 'conv-tiles.json';

/** What tuning needs: the device, the model's config (its layer shapes) and the precision it runs in. */
export type TuneSetup = () => Promise<{ gpu: Gpu; config: SlowFastConfig; precision?: Precision }>;

const policyOf = (g: Gpu) => tilePolicyFor(isSoftwareAdapter(g.device.adapterInfo));

// Tiles are worth tuning on a GPU (seconds, and a table that lasts), not on a software adapter (minutes for a few
// per cent: there the page tunes only on request).
const tunesWhenIdle = (device: GPUDevice) => !isSoftwareAdapter(device.adapterInfo);

export class Tiles {
  private readonly inMemory = new Map<string, string>();
  private background?: { stop: AbortController; finished: Promise<void> };
  /** The precision the page runs in (the last tuned for): the state counts its tiles. */
  private precision: Precision = 'auto';
  private readonly store: TileCache = {
    get: async (key) => {
      if (!this.inMemory.has(key)) {
        const stored = (await this.readFile())[key];
        if (stored !== undefined) this.inMemory.set(key, stored);
      }
      return this.inMemory.get(key);
    },
    set: async (key, value) => {
      this.inMemory.set(key, value);
      const cache = this.cache();
      if (cache) await cache.putText(TILES_FILE, JSON.stringify({ ...(await this.readFile()), [key]: value }));
    },
  };

  constructor(
    private readonly post: (e: EngineEvent) => void,
    private readonly cache: () => ModelCache | undefined,
  ) {}

  private async readFile(): Promise<Record<string, string>> {
    try {
      const all: unknown = JSON.parse((await this.cache()?.getText(TILES_FILE)) ?? '{}');
      if (typeof all !== 'object' || !all) return {};
      return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }

  /** The tiles tuned for this GPU earlier, if any, in both precisions (the engine plans with those of its own). */
  async tuned(g: Gpu): Promise<TileTable | undefined> {
    try {
      const text = await this.store.get(tileCacheKey(g.adapter, policyOf(g)));
      return text ? (JSON.parse(text) as TileTable) : undefined;
    } catch {
      return undefined;
    }
  }

  async postState(g: Gpu | undefined): Promise<void> {
    const table = g && (await this.tuned(g));
    const precision = g && this.resolved(g);
    const shapes = table ? Object.keys(table).filter((signature) => signaturePrecision(signature) === precision).length : 0;
    this.post({ type: 'tiles', state: precision && shapes ? { status: 'tuned', shapes, precision } : { status: 'default', automatic: g && tunesWhenIdle(g.device) } });
  }

  /** The precision the tiles in use are for on `g` (f32 where f16 is asked but absent: nothing runs in it there). */
  private resolved(g: Gpu): Dtype {
    try {
      return resolvePrecision(g.device, this.precision);
    } catch {
      return 'f32';
    }
  }

  /** Times the candidate tiles on every layer shape of the model on this GPU, and keeps the best. */
  async tune(setup: TuneSetup, o: { signal?: AbortSignal; automatic?: boolean } = {}): Promise<void> {
    let g: Gpu | undefined;
    try {
      const { gpu, config, precision = 'auto' } = await setup();
      g = gpu;
      this.precision = precision;
      // Tuned as the model will run: in its precision (an f16 asked for where the GPU lacks it is refused here).
      const dtype = resolvePrecision(gpu.device, precision);
      // The layer shapes are what count: a graph of shapes alone lists them.
      const { graph } = buildSlowFast(config);
      // (Automatic tuning says nothing until it measures something: the table is usually complete already.)
      if (!o.automatic) this.post({ type: 'tiles', state: { status: 'tuning', done: 0, total: 0 } });
      let progress = { done: 0, total: 0 };
      const r = await loadOrTuneTiles(gpu.device, gpu.adapter, graph, {
        policy: policyOf(gpu), cache: this.store, signal: o.signal, subgroups: hasSubgroups(gpu.device), precision: dtype,
        onProgress: (done, total) => {
          progress = { done, total };
          this.post({ type: 'tiles', state: { status: 'tuning', done, total, automatic: o.automatic } });
        },
      });
      if (r.complete) this.post({ type: 'tiles', state: { status: 'tuned', shapes: new Set(convLayersOf(graph, dtype).map(convSignature)).size, precision: dtype, ms: r.tuned ? r.ms : undefined } });
      else this.post({ type: 'tiles', state: { status: 'paused', ...progress } });
    } catch (e) {
      this.post({ type: 'error', scope: 'tiles', message: e instanceof StorageUnavailableError ? e.message : `Tuning failed: ${(e as Error).message}` });
      await this.postState(g);
    }
  }

  /** After an analysis on a hardware adapter, tunes what is missing while nothing else runs (`busy` says whether anything does). */
  tuneWhenIdle(setup: TuneSetup, device: GPUDevice, busy: boolean): void {
    if (this.background || busy || !tunesWhenIdle(device)) return;
    const stop = new AbortController();
    const finished = this.tune(setup, { signal: stop.signal, automatic: true }).finally(() => {
      this.background = undefined;
    });
    this.background = { stop, finished };
  }

  /** Tuning yields: a job stops it (what it measured is kept). */
  async stopTuning(): Promise<void> {
    if (!this.background) return;
    this.background.stop.abort();
    await this.background.finished;
  }

  /** The cache was cleared: tiles are forgotten too. */
  forget(): void {
    this.inMemory.clear();
  }
}
