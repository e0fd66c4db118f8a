// The weights as the page sees them: which model is loaded (or loading, or missing), and choosing, downloading,
// dropping weights and label files.
import type { StateCreator } from 'zustand';
import type { EngineEvent, ModelKey, PartnerState, WeightsState } from '../engine/library.ts';
import type { StoreState } from '../store.ts';
import { engine } from './connection.ts';
import { runSettings } from './settings.ts';
import type { EventRouter } from './events.ts';

export interface ModelSlice {
  weights: WeightsState;
  weightsError?: string;
  labelsError?: string;
  chooseModel(key: ModelKey): void;
  /** Downloads the chosen zoo model (progress in `weights`), converts it and caches it. */
  downloadModel(key: ModelKey): void;
  cancelDownload(): void;
  /** Class names for the current model's head, from a label file. */
  loadLabels(file: Blob, name: string): void;
  loadWeightsFile(file: Blob, name: string): void;
  /** Weights, label files and videos, each where it belongs (by name: the engine checks the bytes). */
  dropFiles(files: readonly File[]): void;
  /** The second model the next videos are compared with (the paper's Slow beside SlowFast), and why not, if not. */
  partner: PartnerState;
  partnerError?: string;
  loadPartner(file: Blob, name: string): void;
  /** A zoo model to compare with: from this browser's cache, else downloaded (progress in `partner`). */
  loadPartnerModel(key: ModelKey): void;
  cancelPartnerDownload(): void;
  dropPartner(): void;
  /** What the current model and a partner (a zoo model, or null: the loaded one) take on the GPU together. */
  compareBudget?: Extract<EngineEvent, { type: 'compareBudget' }>;
  budgetCompare(partner: ModelKey | null): void;
}

const WEIGHT_FILE = /\.(pyth|pth|pt|ckpt|safetensors)$/i;
const LABEL_FILE = /\.(txt|json)$/i;

/** Whether a dropped file is weights (by name; the worker checks the bytes). */
export const isWeightFile = (name: string) => WEIGHT_FILE.test(name);
/** Whether a dropped file is a label file (one label a line, or JSON). */
export const isLabelFile = (name: string) => LABEL_FILE.test(name);

export const modelSlice = (router: EventRouter): StateCreator<StoreState, [], [], ModelSlice> => (set, get) => {
  router.on('weights', (e) => {
    if (e.state.status !== 'ready') return set({ weights: e.state });
    // The next visit opens the model in use now (a dropped checkpoint is cached under its key).
    if (get().settings.model !== e.state.model.key) get().setSettings({ model: e.state.model.key });
    set({ weights: e.state, weightsError: undefined, labelsError: undefined });
  });
  router.onError(['weights'], (e) => set({ weightsError: e.message }));
  router.on('partner', (e) => set({ partner: e.state, ...(e.state.status === 'ready' ? { partnerError: undefined } : {}) }));
  router.onError(['partner'], (e) => set({ partnerError: e.message }));
  router.on('compareBudget', (e) => set({ compareBudget: e }));
  router.onError(['labels'], (e) => set({ labelsError: e.message }));
  return {
    weights: { status: 'none' },
    partner: { status: 'none' },

    loadPartner(file, name) {
      set({ partnerError: undefined });
      engine()?.send({ type: 'loadPartner', file, name });
    },

    loadPartnerModel(key) {
      set({ partnerError: undefined });
      void navigator.storage?.persist?.().catch(() => false);
      engine()?.send({ type: 'loadPartner', key });
    },

    cancelPartnerDownload() {
      engine()?.send({ type: 'cancelDownload', partner: true });
    },

    budgetCompare(partner) {
      engine()?.send({ type: 'budgetCompare', partner, settings: runSettings(get().settings) });
    },

    dropPartner() {
      set({ partnerError: undefined });
      engine()?.send({ type: 'dropPartner' });
    },

    chooseModel(key) {
      get().setSettings({ model: key });
      engine()?.send({ type: 'loadModel', key });
    },

    downloadModel(key) {
      set({ weightsError: undefined });
      // A download kept across visits should not be the first thing the browser evicts (only a page may ask).
      void navigator.storage?.persist?.().catch(() => false);
      engine()?.send({ type: 'downloadModel', key });
    },

    cancelDownload() {
      engine()?.send({ type: 'cancelDownload' });
    },

    loadLabels(file, name) {
      set({ labelsError: undefined });
      engine()?.send({ type: 'loadLabels', file, name });
    },

    loadWeightsFile(file, name) {
      set({ weightsError: undefined });
      engine()?.send({ type: 'loadWeightsFile', file, name });
    },

    dropFiles(files) {
      for (const file of files) {
        if (isWeightFile(file.name)) get().loadWeightsFile(file, file.name);
        else if (isLabelFile(file.name)) get().loadLabels(file, file.name);
        else get().openVideo(file, file.name);
      }
    },
  };
};
