// The video file on screen: a dropped file being opened (not yet on screen), its analysis clip by clip, and the
// browser's own player tried where WebCodecs refuses the file. A new file replaces the analysis on screen only
// once it proves readable.
import type { StateCreator } from 'zustand';
import type { AnalysisFacts, ClipLabels } from '../engine/library.ts';
import type { ClassMaps, EngineKind } from '../../model/classifier.ts';
import { clipFrameRate } from '../../model/clips.ts';
import type { VideoInfo } from '../video/decode.ts';
import { elementVideoInfo, frameGrid, openPlayableVideo, playerMayPlay, serveElementFrames } from '../video/elementSource.ts';
import type { StoreState } from '../store.ts';
import { engine } from './connection.ts';
import type { EventRouter } from './events.ts';
import { runSettings, type Settings } from './settings.ts';

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
  /** The model's class names and whether its head is multi-label (for segments and the verdict), as the engine said. */
  classNames: string[];
  multiLabel: boolean;
  /** Where its clips ran: our shaders on the GPU, or the CPU engine. */
  engine: EngineKind;
  /** What it ran with (for the export), as the engine said. */
  model: string;
  inputSize: number;
  stride: number;
  views: number;
  /** The partner model's clips, where this analysis compares (its name and classes as the engine said). */
  compare?: NonNullable<AnalysisFacts['compare']> & { results: ClipLabels[] };
  /** Maps of classes outside a clip's mapped top ones, made on demand for the clip on screen (the latest few). */
  extraMaps: ExtraMap[];
  /** The map being made, or why the last could not be. */
  mapping?: MapKey;
  mapError?: MapKey & { message: string };
}

/** Which on-demand map: the clip (by its start) and class, of the first model or (`partner`) the second. */
export interface MapKey {
  start: number;
  classIndex: number;
  partner?: boolean;
}

/** The same on-demand map. */
export const sameMap = (a: MapKey, b: MapKey): boolean => a.start === b.start && a.classIndex === b.classIndex && !!a.partner === !!b.partner;

/** One clip's maps with `classIndex` first. */
export interface ExtraMap extends MapKey {
  maps: ClassMaps;
}

/** On-demand maps kept per analysis: enough to go back and forth between a few clips and classes. */
const EXTRA_MAPS_KEPT = 8;

/** A dropped file that is being opened, not yet on screen. */
export interface Pending {
  id: number;
  file: Blob;
  source: VideoSource;
  settings: Settings;
  /** Set once WebCodecs refused the file and the browser's player is tried instead. */
  viaPlayer?: boolean;
}

export interface VideoSlice {
  /** The analysis on screen. */
  analysis?: Analysis;
  pending?: Pending;
  videoError?: string;
  openVideo(file: Blob, name: string): void;
  cancelAnalysis(): void;
  /**
   * Asks for the map of `classIndex` in the clip starting at `start` (a class outside its mapped top ones), of the
   * first model or (`partner`) the second.
   */
  mapClass(window: { start: number; end: number }, classIndex: number, partner?: boolean): void;
}

export const videoSlice = (router: EventRouter): StateCreator<StoreState, [], [], VideoSlice> => (set, get) => {
  const updateAnalysis = (id: number | undefined, f: (a: Analysis) => Analysis) => {
    const a = get().analysis;
    if (a && a.id === id) set({ analysis: f(a) });
  };

  /** WebCodecs refused the file: if the browser's player can play it, its frames are served from there. */
  const tryPlayer = async (pending: Pending, refusal: string) => {
    set({ pending: { ...pending, viaPlayer: true } });
    const video = await openPlayableVideo(pending.source.url);
    const weights = get().weights;
    const current = get().pending?.id === pending.id;
    const client = engine();
    if (!video || !current || weights.status !== 'ready' || !client) {
      if (video) video.removeAttribute('src');
      if (!current) return; // another file replaced it meanwhile
      URL.revokeObjectURL(pending.source.url);
      set({ pending: undefined, videoError: refusal });
      return get().queueFailed(pending.id, refusal);
    }
    const info = elementVideoInfo(video);
    const times = frameGrid(video.duration, clipFrameRate(weights.model.config));
    const port = serveElementFrames(video, times);
    client.send({ type: 'analyze', id: pending.id, file: pending.file, name: pending.source.name, settings: runSettings(pending.settings), frames: { port, info, times } });
  };

  router.on('analysisStart', (e) => {
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
        model, classNames, multiLabel, inputSize, stride, views, extraMaps: [],
        ...(e.facts.compare ? { compare: { ...e.facts.compare, results: [] } } : {}),
      },
    });
  });
  router.on('progress', (e) => updateAnalysis(e.id, (a) => ({ ...a, clipsDone: e.clipsDone, clips: e.clips })));
  router.on('notice', (e) => updateAnalysis(e.id, (a) => ({ ...a, notices: [...a.notices, e.message] })));
  router.on('analysisEngine', (e) => updateAnalysis(e.id, (a) => ({ ...a, engine: e.engine })));
  router.on('clip', (e) => updateAnalysis(e.id, (a) => {
    if (a.previous) URL.revokeObjectURL(a.previous.source.url);
    return { ...a, results: [...a.results, e.clip], previous: undefined };
  }));
  router.on('analysisEnd', (e) => {
    if (get().pending?.id === e.id) set({ pending: undefined });
    updateAnalysis(e.id, (a) => ({ ...a, status: e.outcome === 'done' ? 'done' : 'cancelled' }));
  });
  router.on('compareClip', (e) => updateAnalysis(e.id, (a) => (a.compare ? { ...a, compare: { ...a.compare, results: [...a.compare.results, e.clip] } } : a)));
  router.on('clipMap', (e) => updateAnalysis(e.id, (a) => {
    const key: MapKey = { start: e.start, classIndex: e.classIndex, ...(e.partner ? { partner: true } : {}) };
    return { ...a, mapping: undefined, mapError: undefined, extraMaps: [...a.extraMaps.filter((m) => !sameMap(m, key)), { ...key, maps: e.maps }].slice(-EXTRA_MAPS_KEPT) };
  }));
  router.onError(['maps'], (e) => updateAnalysis(e.id, (a) => (a.mapping ? { ...a, mapping: undefined, mapError: { ...a.mapping, message: e.message } } : a)));
  router.onError(['video'], (e) => {
    // The earlier analysis stays on screen; only a file that never started is dropped.
    const pending = get().pending;
    if (pending && pending.id === e.id) {
      if (!pending.viaPlayer && playerMayPlay(e.kind)) return void tryPlayer(pending, e.message);
      URL.revokeObjectURL(pending.source.url);
      set({ pending: undefined });
    } else {
      const a = get().analysis;
      if (a && a.id === e.id && a.results.length === 0 && a.previous) {
        // Nothing of the new file could be shown: the earlier results come back.
        URL.revokeObjectURL(a.source.url);
        set({ analysis: { ...a.previous, previous: undefined } });
      } else {
        updateAnalysis(e.id, (x) => ({ ...x, status: 'cancelled' }));
      }
    }
    set({ videoError: e.message });
  });

  return {
    openVideo(file, name) {
      const client = engine();
      if (!client) return;
      const running = get().analysis;
      if (running?.status === 'running') client.send({ type: 'cancel', id: running.id });
      const previous = get().pending;
      if (previous) {
        client.send({ type: 'cancel', id: previous.id });
        URL.revokeObjectURL(previous.source.url);
      }
      const id = client.id();
      const source: VideoSource = { name, url: URL.createObjectURL(file), file, kind: /^image\//.test(file.type) || /\.gif$/i.test(name) ? 'image' : 'video', size: file.size };
      const settings = get().settings;
      set({ pending: { id, file, source, settings }, videoError: undefined });
      client.send({ type: 'analyze', id, file, name, settings: runSettings(settings), compare: get().partner.status === 'ready' });
    },

    mapClass(window, classIndex, partner = false) {
      const a = get().analysis;
      if (!a || a.engine !== 'webgpu' || a.mapping) return;
      set({ analysis: { ...a, mapping: { start: window.start, classIndex, ...(partner ? { partner } : {}) }, mapError: undefined } });
      engine()?.send({ type: 'mapClip', id: a.id, file: a.source.file, window, classIndex, settings: { ...runSettings(get().settings), inputSize: a.inputSize }, ...(partner ? { partner } : {}) });
    },

    cancelAnalysis() {
      const a = get().analysis;
      if (a?.status === 'running') engine()?.send({ type: 'cancel', id: a.id });
    },
  };
};
