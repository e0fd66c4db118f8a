// The engine as the page sees it: the GPU (or the CPU engine), the cache of weights, conv tiles, performance
// figures and the user's settings; starting the engine, and the cache and tuning actions.
import type { StateCreator } from 'zustand';
import type { CacheState, GpuState, PerfReport, TilesState } from '../engine/library.ts';
import type { StoreState } from '../store.ts';
import { connect, engine } from './connection.ts';
import type { EventRouter } from './events.ts';
import { loadSettings, runSettings, saveSettings, type Settings } from './settings.ts';

export interface EngineSlice {
  gpu: GpuState;
  cache: CacheState;
  tiles: TilesState;
  tilesError?: string;
  perf?: PerfReport;
  settings: Settings;
  cacheNotice?: string;
  engineError?: string;
  /** Starts the engine (once) and loads the user's last model. */
  start(): void;
  setSettings(patch: Partial<Settings>): void;
  clearCache(): void;
  /** Tunes the conv tiles for this GPU on the current model (kept in browser storage, used from then on). */
  tuneTiles(): void;
}

export const engineSlice = (router: EventRouter): StateCreator<StoreState, [], [], EngineSlice> => (set, get) => {
  router.on('gpu', (e) => set({ gpu: e.state }));
  router.on('cache', (e) => set(e.state.status === 'unavailable' ? { cache: e.state, cacheNotice: e.state.message } : { cache: e.state }));
  router.on('tiles', (e) => set({ tiles: e.state }));
  router.on('perf', (e) => set({ perf: e.report }));
  router.onError(['cache'], (e) => set({ cacheNotice: e.message }));
  router.onError(['tiles'], (e) => set({ tilesError: e.message }));
  router.onError(['gpu'], (e) => set({ engineError: e.message }));
  return {
    gpu: { status: 'checking' },
    cache: { status: 'checking' },
    tiles: { status: 'default' },
    settings: loadSettings(),

    start() {
      connect((e) => router.route(e))?.send({ type: 'init', model: get().settings.model });
    },

    setSettings(patch) {
      const settings = { ...get().settings, ...patch };
      set({ settings });
      saveSettings(settings);
    },

    clearCache() {
      engine()?.send({ type: 'clearCache' });
    },

    tuneTiles() {
      set({ tilesError: undefined, tiles: { status: 'tuning', done: 0, total: 0 } });
      engine()?.send({ type: 'tuneTiles', settings: runSettings(get().settings) });
    },
  };
};
