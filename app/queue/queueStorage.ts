// The queue kept in the browser (a kept folder: OPFS, else IndexedDB): the list (queue.json) and each finished
// file's results (results/<key hash>.json), so a reload keeps what is done and knows what is left. Files themselves
// are not copied: after a reload the user chooses the rest again and the queue matches them by path, size
// and date.
import type { Label } from '../engine/library.ts';
import { openKeptFolder, type KeptBackend, type KeptFolder } from '../storage/keptFolder.ts';
import type { AnalysisExport } from '../results.ts';

/** What the queue keeps of a finished file: its clips' labels (as exported) and the whole video's verdict. */
export interface QueueResult extends AnalysisExport {
  verdict: Label[];
}

export interface StoredQueueItem {
  key: string;
  path: string;
  size: number;
  status: 'waiting' | 'running' | 'done' | 'failed' | 'cancelled' | 'needs-file';
  error?: string;
  verdict?: Label[];
}

const ROOT = 'slowfast-web-queue';

/** A file's name in results/: a hash of its key (paths may be long or hold any character). */
function resultName(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `${h.toString(16).padStart(8, '0')}-${key.length}.json`;
}

export class QueueStorage {
  /** Writes one after another: two writes of one file at once would race. */
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly root: KeptFolder,
    private readonly results: KeptFolder,
  ) {}

  get backend(): KeptBackend {
    return this.root.backend;
  }

  static async open(): Promise<QueueStorage | { refused: string }> {
    try {
      const root = await openKeptFolder(ROOT);
      return new QueueStorage(root, await root.folder('results'));
    } catch (e) {
      return { refused: (e as Error).message };
    }
  }

  async load(): Promise<StoredQueueItem[]> {
    try {
      const stored = JSON.parse((await (await this.root.file('queue.json'))?.text()) ?? '{}');
      return stored.format === 'slowfast-web queue' && Array.isArray(stored.items) ? stored.items : [];
    } catch {
      return [];
    }
  }

  save(items: readonly StoredQueueItem[]): Promise<void> {
    return this.queue(() => this.root.write('queue.json', JSON.stringify({ format: 'slowfast-web queue', version: 1, items })));
  }

  saveResult(key: string, result: QueueResult): Promise<void> {
    return this.queue(() => this.results.write(resultName(key), JSON.stringify(result)));
  }

  async result(key: string): Promise<QueueResult | undefined> {
    await this.writes;
    try {
      const file = await this.results.file(resultName(key));
      return file && JSON.parse(await file.text());
    } catch {
      return undefined;
    }
  }

  /** Forgets the results of these keys (the list is saved separately). */
  removeResults(keys: readonly string[]): Promise<void> {
    return this.queue(async () => {
      for (const key of keys) await this.results.remove(resultName(key));
    });
  }

  private queue(write: () => Promise<void>): Promise<void> {
    this.writes = this.writes.then(write, write);
    return this.writes;
  }
}
