// Converted weights kept in the Origin Private File System, so a second visit needs no download and works
// offline. Where storage is refused (some iframes, private windows, full quota) the cache reports why and
// the app runs uncached.
import type { ModelKey } from './protocol.ts';

export interface CachedModel {
  key: ModelKey;
  name: string;
  bytes: number;
}

const DIR = 'models';
const INDEX = 'index.json';

/** A model key as a file name (zoo names such as charades/SLOW_8x8_R50 hold a slash). */
const fileOf = (key: ModelKey, suffix: string) => `${key.replace(/[^\w.-]/g, '-')}${suffix}`;

/** A browser's reason as a clause: its own full stop would end our sentence early. */
const reason = (e: unknown) => String((e as Error)?.message ?? e).replace(/\.$/, '');

export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

export class ModelCache {
  private constructor(private readonly dir: FileSystemDirectoryHandle) {}

  static async open(): Promise<ModelCache> {
    try {
      if (!navigator.storage?.getDirectory) throw new Error('this browser has no Origin Private File System');
      const root = await navigator.storage.getDirectory();
      return new ModelCache(await root.getDirectoryHandle(DIR, { create: true }));
    } catch (e) {
      throw new StorageUnavailableError(`Browser storage is unavailable here (${reason(e)}); weights work for this visit but are not kept.`);
    }
  }

  async list(): Promise<CachedModel[]> {
    try {
      const file = await (await this.dir.getFileHandle(INDEX)).getFile();
      const models = JSON.parse(await file.text()) as CachedModel[];
      return Array.isArray(models) ? models : [];
    } catch {
      return [];
    }
  }

  /** The cached weights as a File: read from disk in parts, never whole into memory. */
  async get(key: ModelKey): Promise<File | undefined> {
    if (!(await this.list()).some((m) => m.key === key)) return undefined;
    try {
      return await (await this.dir.getFileHandle(fileOf(key, '.safetensors'))).getFile();
    } catch {
      return undefined;
    }
  }

  /** Writes the weights, then the index, so an interrupted write never lists a half-written file. */
  async put(entry: Omit<CachedModel, 'bytes'>, bytes: Uint8Array<ArrayBuffer>): Promise<CachedModel[]> {
    try {
      await writeFile(this.dir, fileOf(entry.key, '.safetensors'), bytes);
      const models = (await this.list()).filter((m) => m.key !== entry.key).concat({ ...entry, bytes: bytes.byteLength });
      await writeFile(this.dir, INDEX, new TextEncoder().encode(JSON.stringify(models)));
      return models;
    } catch (e) {
      throw new StorageUnavailableError(`The weights could not be saved in browser storage (${reason(e)}); they work for this visit only.`);
    }
  }

  /** A small text file kept beside the weights (the tuned conv tiles); undefined if absent or unreadable. */
  async getText(name: string): Promise<string | undefined> {
    try {
      return await (await (await this.dir.getFileHandle(name)).getFile()).text();
    } catch {
      return undefined;
    }
  }

  async putText(name: string, text: string): Promise<void> {
    try {
      await writeFile(this.dir, name, new TextEncoder().encode(text));
    } catch (e) {
      throw new StorageUnavailableError(`The tuned tiles could not be saved in browser storage (${reason(e)}); they work for this visit only.`);
    }
  }

  /** The user's label file for a model, as given (undefined if none). */
  async getLabels(key: ModelKey): Promise<{ name: string; text: string } | undefined> {
    const stored = await this.getText(fileOf(key, '.labels.json'));
    try {
      return stored ? (JSON.parse(stored) as { name: string; text: string }) : undefined;
    } catch {
      return undefined;
    }
  }

  async putLabels(key: ModelKey, labels: { name: string; text: string }): Promise<void> {
    try {
      await writeFile(this.dir, fileOf(key, '.labels.json'), new TextEncoder().encode(JSON.stringify(labels)));
    } catch (e) {
      throw new StorageUnavailableError(`The label file could not be saved in browser storage (${reason(e)}); it works for this visit only.`);
    }
  }

  /**
   * A file to stream a download into, so a checkpoint of hundreds of MB goes to disk rather than memory; it
   * is read back as a File and removed once converted.
   */
  async openDownload(key: ModelKey): Promise<{ writable: FileSystemWritableFileStream; file: () => Promise<File>; remove: () => Promise<void> }> {
    const name = fileOf(key, '.download');
    const handle = await this.dir.getFileHandle(name, { create: true });
    return {
      writable: await handle.createWritable(),
      file: () => handle.getFile(),
      remove: () => this.dir.removeEntry(name).catch(() => {}),
    };
  }

  async clear(): Promise<void> {
    for await (const name of this.dir.keys()) await this.dir.removeEntry(name);
  }
}

async function writeFile(dir: FileSystemDirectoryHandle, name: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
  try {
    await writable.write(bytes);
    await writable.close();
  } catch (e) {
    await writable.abort().catch(() => {});
    throw e;
  }
}
