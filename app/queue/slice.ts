// The store's queue slice: many videos analysed one after another through the page's own analysis (the one
// running shows in the player as a single file does), each file's status, results kept in OPFS so a reload
// resumes, and one export for all of them.
import type { KeptBackend } from '../storage/keptFolder.ts';
import type { StateCreator } from 'zustand';
import type { Label } from '../engine/library.ts';
import type { StoreState } from '../store.ts';
import type { EventRouter } from '../store/events.ts';
import { exportRecord, verdictOf, type AnalysisExport } from '../results.ts';
import { videosOfDirectory, type QueuedFile } from './folder.ts';
import { forgetFolders, loadFolders, mayRead } from './folderHandles.ts';
import { QueueStorage, type QueueResult, type StoredQueueItem } from './queueStorage.ts';

export interface QueueItem extends StoredQueueItem {
  /** The file itself: absent after a reload until the user chooses it again. */
  file?: File;
  /** The analysis running it (the store's analysis id). */
  analysisId?: number;
  /** The user asked to cancel it while it ran (else an interrupted file goes back to waiting). */
  cancelling?: boolean;
}

export interface QueueState {
  items: QueueItem[];
  /** 'kept': in the browser's storage; 'memory': for this visit only (`notice` says why). */
  storage: 'checking' | 'kept' | 'memory';
  /** Where 'kept' keeps them. */
  keptIn?: KeptBackend;
  notice?: string;
  /** Said after files were added: how many were already done (and skipped). */
  added?: string;
  /** Folders picked on an earlier visit that can be read again (reopenFolder, by index). */
  folders: FileSystemDirectoryHandle[];
}

export interface QueueActions {
  /** Opens browser storage and the queue of the last visit (its unfinished files need choosing again). */
  startQueue(): Promise<void>;
  /** Adds files (or takes back files of the last visit's queue, matched by path, size and date). */
  addToQueue(files: readonly QueuedFile[]): void;
  /** Reads the `index`th kept folder again (asking the browser's permission: call it from a click) and adds its videos. */
  reopenFolder(index: number): Promise<void>;
  cancelQueued(key: string): void;
  cancelQueue(): void;
  retryQueued(key: string): void;
  /** Moves a file up (-1) or down (+1) the list. */
  moveQueued(key: string, step: -1 | 1): void;
  /** Empties the list and forgets its results (a running file is cancelled). */
  clearQueue(): void;
  /** A finished file's results. */
  queueResult(key: string): Promise<QueueResult | undefined>;
  /** Every finished file's results, in list order. */
  queueResults(): Promise<{ path: string; result: QueueResult }[]>;
}

/** The queue slice of the store. */
export interface QueueSlice extends QueueActions {
  queue: QueueState;
  /** Analysis `id` could not be done at all (after the browser's own player was tried, where it was). */
  queueFailed(id: number, message: string): void;
}

export const initialQueue = (): QueueState => ({ items: [], storage: 'checking', folders: [] });

/** A file's identity across visits: its path, size and last change. */
export const queueKey = (f: QueuedFile) => `${f.path}|${f.file.size}|${f.file.lastModified}`;

const VERDICT_LABELS = 3;

export const queueSlice = (router: EventRouter): StateCreator<StoreState, [], [], QueueSlice> => (set, get) => {
  let storage: QueueStorage | undefined;
  /** Results of this visit, by key (all of them where storage is refused). */
  const results = new Map<string, QueueResult>();

  const items = () => get().queue.items;
  const stored = (list: readonly QueueItem[]): StoredQueueItem[] => list.map(({ key, path, size, status, error, verdict }) => ({ key, path, size, status, error, verdict }));
  const setItems = (list: QueueItem[], extra: Partial<QueueState> = {}) => {
    set((s) => ({ queue: { ...s.queue, ...extra, items: list } }));
    void storage?.save(stored(list)).catch(() => {});
  };
  const update = (key: string, patch: Partial<QueueItem>) => setItems(items().map((i) => (i.key === key ? { ...i, ...patch } : i)));

  /** Starts the next waiting file when nothing else is being analysed. */
  const pump = () => {
    const s = get();
    if (s.weights.status !== 'ready' || s.pending || s.analysis?.status === 'running') return;
    if (items().some((i) => i.status === 'running')) return;
    const next = items().find((i) => i.status === 'waiting' && i.file);
    if (!next?.file) return;
    s.openVideo(next.file, next.path);
    const id = get().pending?.id;
    if (id !== undefined) update(next.key, { status: 'running', analysisId: id, error: undefined, cancelling: false });
  };

  const finish = (item: QueueItem) => {
    const a = get().analysis;
    if (!a || a.id !== item.analysisId) return update(item.key, { status: 'failed', error: 'its results were lost' });
    const record: AnalysisExport = exportRecord(
      { file: item.path, model: a.model, inputSize: a.inputSize, stride: a.stride, views: a.views, duration: a.info?.duration ?? 0 },
      a.results,
    );
    const verdict: Label[] = verdictOf(a.results, a.classNames, a.multiLabel, VERDICT_LABELS).map((l) => ({ ...l, probability: Number(l.probability.toFixed(6)) }));
    const result: QueueResult = { ...record, verdict };
    results.set(item.key, result);
    void storage?.saveResult(item.key, result).catch(() => {});
    update(item.key, { status: 'done', verdict, analysisId: undefined });
  };

  /** Analysis `id` could not be done at all (after the browser's own player was tried, where it was). */
  const failed = (id: number, message: string) => {
    const item = items().find((i) => i.analysisId === id && i.status === 'running');
    if (item) update(item.key, { status: 'failed', error: message, analysisId: undefined });
    pump();
  };

  // The queue acts on what the event left (the video slice's handlers run first): a finished analysis's results,
  // a file that failed for good.
  router.on('analysisEnd', (e) => {
    const item = items().find((i) => i.analysisId === e.id && i.status === 'running');
    if (item) {
      if (e.outcome === 'done') finish(item);
      // Cancelled by the user, or interrupted (a file opened by hand): back in line.
      else update(item.key, item.cancelling ? { status: 'cancelled', analysisId: undefined } : { status: 'waiting', analysisId: undefined });
    }
    pump();
  });
  router.onError(['video'], (e) => {
    // The page may still try the browser's own player: then the file is still pending (see queueFailed).
    if (e.id !== undefined && get().pending?.id !== e.id) failed(e.id, e.message);
  });
  router.on('weights', (e) => {
    if (e.state.status === 'ready') pump();
  });

  const actions: QueueActions = {
    async startQueue() {
      const opened = await QueueStorage.open();
      if ('refused' in opened) {
        set((s) => ({ queue: { ...s.queue, storage: 'memory', notice: `The queue is kept for this visit only: the browser refused its storage (${opened.refused}).` } }));
        return;
      }
      storage = opened;
      // Files do not survive a reload: the unfinished ones wait for the user to choose them again.
      const loaded = (await storage.load()).map((i): QueueItem => (i.status === 'waiting' || i.status === 'running' ? { ...i, status: 'needs-file' } : i));
      const now = items();
      set((s) => ({ queue: { ...s.queue, storage: 'kept', keptIn: opened.backend, items: [...loaded.filter((l) => !now.some((n) => n.key === l.key)), ...now] } }));
      // Folders picked before whose videos wait for their files: one click reads each again.
      if (loaded.some((i) => i.status === 'needs-file')) {
        const folders = await loadFolders();
        set((s) => ({ queue: { ...s.queue, folders } }));
      }
    },

    async reopenFolder(index) {
      const folder = get().queue.folders[index];
      if (!folder) return;
      const fail = (why: string) => set((s) => ({ queue: { ...s.queue, added: `${folder.name} could not be read again (${why}): choose it with "choose a folder…".` } }));
      try {
        if (!(await mayRead(folder))) return fail('the browser did not allow it');
        actions.addToQueue(await videosOfDirectory(folder));
      } catch (e) {
        fail((e as Error).message);
      }
    },

    addToQueue(files) {
      if (!files.length) return set((s) => ({ queue: { ...s.queue, added: 'No videos (MP4, M4V, MOV, WebM, MKV, GIF) there.' } }));
      const list = [...items()];
      let skipped = 0;
      for (const f of files) {
        const key = queueKey(f);
        const at = list.findIndex((i) => i.key === key);
        if (at < 0) list.push({ key, path: f.path, size: f.file.size, status: 'waiting', file: f.file });
        else if (list[at].status === 'done') skipped++;
        else if (list[at].status !== 'running') list[at] = { ...list[at], file: f.file, status: 'waiting', error: undefined };
      }
      setItems(list, { added: skipped ? `Already done (their results are kept): ${skipped} of the ${files.length} files.` : undefined });
      pump();
    },

    cancelQueued(key) {
      const item = items().find((i) => i.key === key);
      if (!item) return;
      if (item.status === 'running') {
        update(key, { cancelling: true });
        get().cancelAnalysis();
      } else if (item.status === 'waiting' || item.status === 'needs-file') update(key, { status: 'cancelled' });
    },

    cancelQueue() {
      const running = items().find((i) => i.status === 'running');
      setItems(items().map((i) => (i.status === 'waiting' || i.status === 'needs-file' ? { ...i, status: 'cancelled' } : i.status === 'running' ? { ...i, cancelling: true } : i)));
      if (running) get().cancelAnalysis();
    },

    retryQueued(key) {
      const item = items().find((i) => i.key === key);
      if (!item || !(item.status === 'cancelled' || item.status === 'failed')) return;
      update(key, { status: item.file ? 'waiting' : 'needs-file', error: undefined });
      pump();
    },

    moveQueued(key, step) {
      const list = [...items()];
      const at = list.findIndex((i) => i.key === key);
      const to = at + step;
      if (at < 0 || to < 0 || to >= list.length) return;
      [list[at], list[to]] = [list[to], list[at]];
      setItems(list);
    },

    clearQueue() {
      const list = items();
      if (list.some((i) => i.status === 'running')) get().cancelAnalysis();
      void storage?.removeResults(list.map((i) => i.key)).catch(() => {});
      results.clear();
      void forgetFolders().catch(() => {});
      setItems([], { added: undefined, folders: [] });
    },

    async queueResult(key) {
      return results.get(key) ?? (await storage?.result(key));
    },

    async queueResults() {
      const done = items().filter((i) => i.status === 'done');
      const all = await Promise.all(done.map(async (i) => ({ path: i.path, result: await actions.queueResult(i.key) })));
      return all.filter((x): x is { path: string; result: QueueResult } => x.result !== undefined);
    },
  };
  return { queue: initialQueue(), ...actions, queueFailed: failed };
};
