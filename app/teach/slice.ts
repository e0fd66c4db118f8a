// The store's teaching slice: the open project (classes, takes), recording a take from the camera, reading
// examples from files or a segment of the analysed video, training, and the taught head the engine labels
// with. Only features reach storage, never frames.
import type { KeptBackend } from '../storage/keptFolder.ts';
import type { CurvePoint, Evaluation } from '../../model/head/train.ts';
import type { StateCreator } from 'zustand';
import type { HeadState } from '../engine/library.ts';
import { clipDuration } from '../../model/clips.ts';
import type { StoreState } from '../store.ts';
import { engine } from '../store/connection.ts';
import type { EventRouter } from '../store/events.ts';
import { runSettings } from '../store/settings.ts';
import { clipInTake, examplesOf, newId, newProject, ProjectStorage, type Project, type Take } from './project.ts';
import { thumbnailOfStream, thumbnailOfVideo } from './thumbnails.ts';

export interface TeachState {
  project: Project;
  /** Projects kept in this browser. */
  projects: string[];
  /** 'kept': in the browser's storage; 'memory': for this visit only (`storageNotice` says why). */
  storage: 'checking' | 'kept' | 'memory';
  /** Where 'kept' keeps them. */
  keptIn?: KeptBackend;
  storageNotice?: string;
  /** Seconds a camera take lasts. */
  takeSeconds: number;
  /** Files and segments give mirrored examples too (for actions that mean the same mirrored). */
  mirrorFiles: boolean;
  recording?: { classId: string; phase: 'countdown' | 'recording' | 'finishing'; endsAt: number };
  /** Files (or segments) whose clips are being read into examples. */
  reading: Reading[];
  training?: { id: number; curve: CurvePoint[] };
  trained?: { evaluation: Evaluation; curve: CurvePoint[]; ms: number; backend: string; examples: number };
  error?: string;
  /** Something to know that is no error (a file read on the CPU engine because the GPU refused the model). */
  notice?: string;
}

/** A file (or a segment of one) being read into examples: the engine answers request `id` with its clips. */
export interface Reading {
  id: number;
  classId: string;
  name: string;
  source: Take['source'];
  /** A URL of the video, for its thumbnail (a file's own, revoked once drawn; a segment's is the analysis's). */
  thumbnailUrl: string;
  range?: { start: number; end: number };
  /** The project it was asked for. */
  project: string;
}

export interface TeachActions {
  /** Opens browser storage and the last project (the main page only: the widget loads heads it is given). */
  startTeaching(): Promise<void>;
  openProject(name: string): Promise<void>;
  newProject(name: string): Promise<void>;
  /**
   * Renames the open project (its takes and head go with it; the old name is removed once the new one is written).
   * False, with the reason in `teach.error`, where the name is empty or taken.
   */
  renameProject(name: string): Promise<boolean>;
  /** Deletes the open project and its takes, and opens another (or a new default one). */
  deleteProject(): Promise<void>;
  addClass(name: string): void;
  renameClass(id: string, name: string): void;
  removeClass(id: string): void;
  setTakeSeconds(seconds: number): void;
  setMirrorFiles(mirror: boolean): void;
  /** A countdown, then `takeSeconds` of camera clips as examples of the class. */
  recordTake(classId: string): void;
  cancelTake(): void;
  /** Every clip (3 crops each, every half second) of each file is an example of the class. */
  addTakeFiles(classId: string, files: readonly File[]): void;
  /** The clips of the analysed video between `start` and `end` seconds are examples of the class. */
  addSegment(classId: string, start: number, end: number): Promise<void>;
  deleteTake(id: string): void;
  train(): void;
  /** The trained (or loaded) head as a file to save. */
  headFile(): Blob | undefined;
  /** Labels with the head in this file (a head file saved here or made by `npm run teach`). */
  loadHead(file: Blob, name: string): void;
  /** Labels with the checkpoint's own classes again. */
  useModelClasses(): void;
}

/** The teaching slice of the store: its state, the taught head the engine labels with, and its actions. */
export interface TeachSlice extends TeachActions {
  teach: TeachState;
  /** The taught head the engine labels with, if any (its classes replace the checkpoint's). */
  head: HeadState;
  headError?: string;
}

const PROJECT_KEY = 'slowfast-web.teach-project';
const COUNTDOWN_MS = 3000;
const DEFAULT_PROJECT = 'My actions';

export const initialTeach = (): TeachState => ({ project: newProject(DEFAULT_PROJECT), projects: [], storage: 'checking', takeSeconds: 4, mirrorFiles: false, reading: [] });

export const teachSlice = (router: EventRouter): StateCreator<StoreState, [], [], TeachSlice> => (set, get) => {
  let storage: ProjectStorage | undefined;
  let saving = Promise.resolve();
  let take: { classId: string; start: number; end: number; features: Float32Array[]; thumbnail: Promise<string | undefined>; timer: ReturnType<typeof setTimeout> } | undefined;
  let countdown: ReturnType<typeof setTimeout> | undefined;
  /** The head file last used (trained or loaded), to save. */
  let headBytes: Blob | undefined;
  /** Which (project, weights) the project's head was last offered for. */
  let offered = '';
  /** A head file sent to the engine and not yet answered (it becomes `headBytes` if taken). */
  let pendingHead: Blob | undefined;

  const teach = () => get().teach;
  const patch = (p: Partial<TeachState>) => set((s) => ({ teach: { ...s.teach, ...p } }));
  /** What teaching runs with: the page's settings, the model's clip length and which load of weights it is. */
  const context = () => {
    const w = get().weights;
    return {
      settings: runSettings(get().settings),
      clipSeconds: w.status === 'ready' ? clipDuration(w.model.config) : undefined,
      loadId: w.status === 'ready' ? w.model.loadId : undefined,
    };
  };
  const setProject = (project: Project, newTakes: Take[] = []) => {
    patch({ project });
    persist(project, newTakes);
  };
  const persist = (project: Project, newTakes: Take[] = []) => {
    if (!storage) return;
    const kept = storage;
    saving = saving.then(() => kept.save(project, newTakes)).catch((e: Error) => {
      storage = undefined;
      patch({ storage: 'memory', storageNotice: `Examples could not be kept in browser storage (${e.message}): they are in memory for this visit only.` });
    });
  };

  /** The project's own head, offered to the engine once the weights are loaded (it refuses one for other weights). */
  const offerProjectHead = () => {
    const { project } = teach();
    const { loadId } = context();
    const key = `${project.name}#${loadId}`;
    if (!project.head || loadId === undefined || offered === key) return;
    offered = key;
    headBytes = new Blob([project.head]);
    engine()?.send({ type: 'useHead', file: headBytes, name: `${project.name} head` });
  };

  const finishTake = async () => {
    const t = take;
    if (!t) return;
    take = undefined;
    clearTimeout(t.timer);
    patch({ recording: undefined });
    const seconds = (t.end - t.start) / 1000;
    if (!t.features.length) {
      return patch({ error: `The take gave no clips: the camera's labels came too slowly for a ${seconds} s take. Try a longer take.` });
    }
    const { project } = teach();
    const count = project.takes.filter((x) => x.classId === t.classId && x.source === 'camera').length;
    const made: Take = { id: newId(), classId: t.classId, source: 'camera', name: `Take ${count + 1}`, thumbnail: await t.thumbnail, seconds, features: t.features };
    const now = teach().project;
    if (now.name !== project.name || !now.classes.some((c) => c.id === t.classId)) return; // the class went meanwhile
    setProject({ ...now, takes: [...now.takes, made] }, [made]);
  };

  const readClips = (classId: string, file: Blob, name: string, source: Take['source'], thumbnailUrl: string, range?: { start: number; end: number }) => {
    const e = engine();
    if (!e) return;
    const id = e.id();
    patch({ reading: [...teach().reading, { id, classId, name, source, thumbnailUrl, range, project: teach().project.name }], error: undefined });
    e.send({ type: 'teachFile', id, file, name, settings: context().settings, range, mirrored: teach().mirrorFiles });
  };
  /** Takes the reading that request `id` answered off the list (a file's URL is revoked: its thumbnail is drawn or not needed). */
  const endReading = (read: Reading) => {
    patch({ reading: teach().reading.filter((r) => r.id !== read.id) });
    if (read.source === 'file') URL.revokeObjectURL(read.thumbnailUrl);
  };
  const readingOf = (id: number | undefined) => teach().reading.find((r) => r.id === id);

  /** The project the next visit opens. */
  const remember = (name: string) => {
    try {
      localStorage.setItem(PROJECT_KEY, name);
    } catch {
      // kept for this visit
    }
  };

  const actions: TeachActions = {
    async startTeaching() {
      if (teach().storage !== 'checking') return;
      const opened = await ProjectStorage.open();
      if (!(opened instanceof ProjectStorage)) {
        patch({ storage: 'memory', storageNotice: `Browser storage is unavailable here (${opened.refused}): your examples are kept in memory for this visit only.` });
        return;
      }
      storage = opened;
      let last = DEFAULT_PROJECT;
      try {
        last = localStorage.getItem(PROJECT_KEY) ?? DEFAULT_PROJECT;
      } catch {
        // localStorage refused: the default project
      }
      const project = (await opened.load(last)) ?? newProject(last);
      patch({ storage: 'kept', keptIn: opened.backend, project, projects: await opened.list() });
      offerProjectHead();
    },

    async openProject(name) {
      actions.cancelTake();
      const project = (storage && (await storage.load(name))) ?? newProject(name);
      patch({ project, trained: undefined, error: undefined, projects: storage ? await storage.list() : teach().projects });
      remember(name);
      // The new project's head, or the checkpoint's classes if it has none.
      if (project.head) offerProjectHead();
      else if (get().head.status === 'ready') actions.useModelClasses();
    },

    async newProject(name) {
      const clean = name.trim();
      if (!clean) return patch({ error: 'Give the project a name.' });
      if (teach().projects.includes(clean)) return patch({ error: `There is already a project called "${clean}".` });
      await actions.openProject(clean);
      persist(teach().project);
      await saving;
      if (storage) patch({ projects: await storage.list() });
    },

    async renameProject(name) {
      const clean = name.trim();
      const { project, projects } = teach();
      if (!clean) {
        patch({ error: 'Give the project a name.' });
        return false;
      }
      if (clean === project.name) return true;
      if (projects.includes(clean)) {
        patch({ error: `There is already a project called "${clean}".` });
        return false;
      }
      actions.cancelTake();
      const renamed = { ...project, name: clean };
      patch({ project: renamed, projects: projects.map((n) => (n === project.name ? clean : n)), error: undefined });
      remember(clean);
      if (storage) {
        const kept = storage;
        // Written whole under the new name first, so a failure leaves the old one as it was.
        saving = saving.then(async () => {
          await kept.save(renamed, renamed.takes);
          await kept.remove(project.name);
        }).catch((e: Error) => patch({ error: `The project could not be renamed in browser storage (${e.message}).` }));
        await saving;
        patch({ projects: await kept.list() });
      }
      return true;
    },

    async deleteProject() {
      const { project } = teach();
      actions.cancelTake();
      if (storage) {
        const kept = storage;
        saving = saving.then(() => kept.remove(project.name)).catch((e: Error) => patch({ error: `The project could not be deleted from browser storage (${e.message}).` }));
        await saving;
      }
      const rest = (storage ? await storage.list() : teach().projects).filter((n) => n !== project.name);
      patch({ projects: rest });
      await actions.openProject(rest[0] ?? DEFAULT_PROJECT);
    },

    addClass(name) {
      const clean = name.trim();
      const { project } = teach();
      if (!clean) return patch({ error: 'Give the class a name.' });
      if (project.classes.some((c) => c.name === clean)) return patch({ error: `There is already a class called "${clean}".` });
      patch({ error: undefined });
      setProject({ ...project, classes: [...project.classes, { id: newId(), name: clean }] });
    },

    renameClass(id, name) {
      const clean = name.trim();
      const { project } = teach();
      if (!clean || project.classes.some((c) => c.id !== id && c.name === clean)) return;
      setProject({ ...project, classes: project.classes.map((c) => (c.id === id ? { ...c, name: clean } : c)) });
    },

    removeClass(id) {
      const { project } = teach();
      if (take?.classId === id) actions.cancelTake();
      setProject({ ...project, classes: project.classes.filter((c) => c.id !== id), takes: project.takes.filter((t) => t.classId !== id) });
    },

    setTakeSeconds(seconds) {
      patch({ takeSeconds: seconds });
    },

    setMirrorFiles(mirror) {
      patch({ mirrorFiles: mirror });
    },

    recordTake(classId) {
      const webcam = get().webcam;
      if (webcam.status !== 'on' || !webcam.stream) return patch({ error: 'Start the camera first: takes are recorded from its live clips.' });
      if (teach().recording) return;
      const stream = webcam.stream;
      patch({ error: undefined, recording: { classId, phase: 'countdown', endsAt: Date.now() + COUNTDOWN_MS } });
      countdown = setTimeout(() => {
        const ms = teach().takeSeconds * 1000;
        const start = performance.now();
        // Clips are classified a little after they end; the take waits for the last of its own.
        const wait = ms + Math.max(10_000, 2 * (context().clipSeconds ?? 2) * 1000);
        take = { classId, start, end: start + ms, features: [], thumbnail: thumbnailOfStream(stream), timer: setTimeout(() => void finishTake(), wait) };
        patch({ recording: { classId, phase: 'recording', endsAt: Date.now() + ms } });
      }, COUNTDOWN_MS);
    },

    cancelTake() {
      clearTimeout(countdown);
      if (take) clearTimeout(take.timer);
      take = undefined;
      if (teach().recording) patch({ recording: undefined });
    },

    addTakeFiles(classId, files) {
      for (const file of files) readClips(classId, file, file.name, 'file', URL.createObjectURL(file));
    },

    async addSegment(classId, start, end) {
      const analysis = get().analysis;
      if (!analysis) return patch({ error: 'Analyse a video first (Video file tab): a segment of it becomes examples.' });
      if (!(end > start)) return patch({ error: 'The segment must end after it starts.' });
      readClips(classId, analysis.source.file, `${analysis.source.name} ${start.toFixed(1)}–${end.toFixed(1)} s`, 'segment', analysis.source.url, { start, end });
    },

    deleteTake(id) {
      const { project } = teach();
      setProject({ ...project, takes: project.takes.filter((t) => t.id !== id) });
    },

    train() {
      const e = engine();
      if (!e || teach().training) return;
      const { classNames, examples } = examplesOf(teach().project);
      const id = e.id();
      patch({ training: { id, curve: [] }, error: undefined });
      e.send({ type: 'train', id, name: teach().project.name, classNames, examples });
    },

    headFile() {
      return headBytes;
    },

    loadHead(file, name) {
      set({ headError: undefined });
      pendingHead = file;
      engine()?.send({ type: 'useHead', file, name });
    },

    useModelClasses() {
      engine()?.send({ type: 'useHead', file: null });
    },
  };

  router.on('webcamLabels', (e) => {
    const t = take;
    if (!t) return;
    const clipMs = (context().clipSeconds ?? 0) * 1000;
    const clipEnd = performance.now() - e.latencyMs;
    if (clipInTake(clipEnd, clipMs, t.start, t.end)) t.features.push(e.features);
    if (clipEnd > t.end) void finishTake();
    else if (performance.now() > t.end && teach().recording?.phase === 'recording') patch({ recording: { ...teach().recording!, phase: 'finishing' } });
  });
  router.on('teachFeatures', (e) => {
    const read = readingOf(e.id);
    if (!read) return;
    void (async () => {
      const features = e.clips.flatMap((c) => c.features);
      const middle = read.range ? (read.range.start + read.range.end) / 2 : e.duration / 2;
      const thumbnail = await thumbnailOfVideo(read.thumbnailUrl, middle);
      endReading(read);
      const { project } = teach();
      if (project.name !== read.project || !project.classes.some((c) => c.id === read.classId)) return;
      if (!features.length) return patch({ error: `${read.name} gave no clips: it is shorter than one clip of the model.` });
      const seconds = read.range ? read.range.end - read.range.start : e.duration;
      if (e.notice) patch({ notice: e.notice });
      const made: Take = { id: newId(), classId: read.classId, source: read.source, name: read.name, thumbnail, seconds, features };
      setProject({ ...project, takes: [...project.takes, made] }, [made]);
    })();
  });
  router.on('trainProgress', (e) => {
    const training = teach().training;
    if (training?.id === e.id) patch({ training: { ...training, curve: [...training.curve, e.point] } });
  });
  router.on('trained', (e) => {
    if (teach().training?.id !== e.id) return;
    headBytes = new Blob([e.file]);
    const { project } = teach();
    offered = `${project.name}#${context().loadId}`;
    patch({ training: undefined, trained: { evaluation: e.evaluation, curve: e.curve, ms: e.ms, backend: e.backend, examples: e.examples } });
    setProject({ ...project, head: e.file });
  });
  router.on('head', (e) => {
    if (e.state.status === 'ready' && e.state.source === 'file' && pendingHead) headBytes = pendingHead;
    pendingHead = undefined;
    set({ head: e.state, headError: undefined });
  });
  router.onError(['teach'], (e) => {
    const read = readingOf(e.id);
    if (read) endReading(read);
    patch({ error: e.message, ...(teach().training?.id === e.id ? { training: undefined } : {}) });
  });
  router.onError(['head'], (e) => {
    pendingHead = undefined;
    set({ headError: e.message });
  });
  router.on('weights', (e) => {
    if (e.state.status === 'ready') queueMicrotask(offerProjectHead);
  });

  return { teach: initialTeach(), head: { status: 'none' }, ...actions };
};
