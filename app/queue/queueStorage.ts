// The queue in the browser's private file system (OPFS): the list (queue.json) and each finished file's
// results (results/<key hash>.json), so a reload keeps what is done and knows what is left. Files themselves
// are not copied: after a reload the user chooses the rest again and the queue matches them by path, size
// and date.
import type { Label } from '../engine/protocol.ts';
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

async function writeText(file: FileSystemFileHandle, text: string): Promise<void> {
  const w = await file.createWritable();
  await w.write(text);
  await w.close();
}

export class QueueStorage {
  /** Writes one after another: two createWritable on one file at once would race. */
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly root: FileSystemDirectoryHandle,
    private readonly results: FileSystemDirectoryHandle,
  ) {}

  static async open(): Promise<QueueStorage | { refused: string }> {
    try {
      if (!navigator.storage?.getDirectory) throw new Error('this browser has no private file system');
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
      const results = await root.getDirectoryHandle('results', { create: true });
      await writeText(await root.getFileHandle('.probe', { create: true }), '1');
      await root.removeEntry('.probe');
      return new QueueStorage(root, results);
    } catch (e) {
      return { refused: (e as Error).message };
    }
  }

  async load(): Promise<StoredQueueItem[]> {
    try {
      const stored = JSON.parse(await (await (await this.root.getFileHandle('queue.json')).getFile()).text());
      return stored.format === 'slowfast-web queue' && Array.isArray(stored.items) ? stored.items : [];
    } catch {
      return [];
    }
  }

  save(items: readonly StoredQueueItem[]): Promise<void> {
    return this.queue(async () => writeText(await this.root.getFileHandle('queue.json', { create: true }), JSON.stringify({ format: 'slowfast-web queue', version: 1, items })));
  }

  saveResult(key: string, result: QueueResult): Promise<void> {
    return this.queue(async () => writeText(await this.results.getFileHandle(resultName(key), { create: true }), JSON.stringify(result)));
  }

  async result(key: string): Promise<QueueResult | undefined> {
    await this.writes;
    try {
      return JSON.parse(await (await (await this.results.getFileHandle(resultName(key))).getFile()).text());
    } catch {
      return undefined;
    }
  }

  /** Forgets the results of these keys (the list is saved separately). */
  removeResults(keys: readonly string[]): Promise<void> {
    return this.queue(async () => {
      for (const key of keys) await this.results.removeEntry(resultName(key)).catch(() => {});
    });
  }

  private queue(write: () => Promise<void>): Promise<void> {
    this.writes = this.writes.then(write, write);
    return this.writes;
  }
}
