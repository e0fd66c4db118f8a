// Converted weights kept in the browser (a kept folder: OPFS, else IndexedDB), so a second visit needs no
// download and works offline. Where storage is refused (some iframes, full quota) the cache reports why and the
// app runs uncached.
import { openKeptFolder, type KeptBackend, type KeptFolder, type KeptWriter } from '../storage/keptFolder.ts';
import { BLOCK_BYTES, type BlockStore, type KeptDownload } from '../../model/weights/rangedDownload.ts';
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
  private constructor(private readonly dir: KeptFolder) {}

  /** Where the weights are kept. */
  get backend(): KeptBackend {
    return this.dir.backend;
  }

  static async open(): Promise<ModelCache> {
    try {
      return new ModelCache(await openKeptFolder(DIR));
    } catch (e) {
      throw new StorageUnavailableError(`Browser storage is unavailable here (${reason(e)}); weights work for this visit but are not kept.`);
    }
  }

  async list(): Promise<CachedModel[]> {
    try {
      const models = JSON.parse((await (await this.dir.file(INDEX))?.text()) ?? '[]') as CachedModel[];
      return Array.isArray(models) ? models : [];
    } catch {
      return [];
    }
  }

  /** The cached weights: read from storage in parts as they are used. */
  async get(key: ModelKey): Promise<Blob | undefined> {
    if (!(await this.list()).some((m) => m.key === key)) return undefined;
    return this.dir.file(fileOf(key, '.safetensors'));
  }

  /** Writes the weights, then the index, so an interrupted write never lists a half-written file. */
  async put(entry: Omit<CachedModel, 'bytes'>, bytes: Uint8Array<ArrayBuffer>): Promise<CachedModel[]> {
    try {
      await this.dir.write(fileOf(entry.key, '.safetensors'), bytes);
      const models = (await this.list()).filter((m) => m.key !== entry.key).concat({ ...entry, bytes: bytes.byteLength });
      await this.dir.write(INDEX, JSON.stringify(models));
      return models;
    } catch (e) {
      throw new StorageUnavailableError(`The weights could not be saved in browser storage (${reason(e)}); they work for this visit only.`);
    }
  }

  /** A small text file kept beside the weights (the tuned conv tiles); undefined if absent or unreadable. */
  async getText(name: string): Promise<string | undefined> {
    try {
      return await (await this.dir.file(name))?.text();
    } catch {
      return undefined;
    }
  }

  async putText(name: string, text: string): Promise<void> {
    try {
      await this.dir.write(name, text);
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
      await this.dir.write(fileOf(key, '.labels.json'), JSON.stringify(labels));
    } catch (e) {
      throw new StorageUnavailableError(`The label file could not be saved in browser storage (${reason(e)}); it works for this visit only.`);
    }
  }

  /**
   * A file to stream a download into, so a checkpoint of hundreds of MB goes to disk rather than memory; it
   * is read back as a File and removed once converted.
   */
  async openDownload(key: ModelKey): Promise<{ writable: KeptWriter; file: () => Promise<Blob>; remove: () => Promise<void> }> {
    const name = fileOf(key, '.download');
    return {
      writable: await this.dir.create(name),
      file: async () => {
        const file = await this.dir.file(name);
        if (!file) throw new Error('the download was not kept');
        return file;
      },
      remove: () => this.dir.remove(name),
    };
  }

  /**
   * Where a download by ranges keeps its blocks across visits (`key`.blocks, and the list of those it holds in
   * `key`.blocks.json), until it is converted or cancelled.
   */
  async openBlocks(key: ModelKey): Promise<BlockStore> {
    const data = fileOf(key, '.blocks');
    const index = fileOf(key, '.blocks.json');
    const file = await this.dir.blocks(data, BLOCK_BYTES);
    return {
      readIndex: async () => this.readKept(key),
      writeIndex: (kept) => this.dir.write(index, JSON.stringify(kept)),
      readBlock: (i, length) => file.readBlock(i, length),
      writeBlock: (i, bytes) => file.writeBlock(i, bytes),
      close: () => file.close(),
      remove: async () => {
        await file.close().catch(() => {});
        await this.dir.remove(index);
        await this.dir.remove(data);
      },
    };
  }

  private async readKept(key: ModelKey): Promise<KeptDownload | undefined> {
    const text = await this.getText(fileOf(key, '.blocks.json'));
    try {
      const kept = text ? (JSON.parse(text) as KeptDownload) : undefined;
      return kept && Array.isArray(kept.blocks) ? kept : undefined;
    } catch {
      return undefined;
    }
  }

  /** Bytes an earlier visit's download of `key` left, to be resumed (0 if none). */
  async keptDownloadBytes(key: ModelKey): Promise<number> {
    const kept = await this.readKept(key);
    return kept ? kept.blocks.filter((b) => Number.isInteger(b)).reduce((n, b) => n + Math.min(BLOCK_BYTES, kept.total - b * BLOCK_BYTES), 0) : 0;
  }

  async clear(): Promise<void> {
    for (const name of await this.dir.files()) await this.dir.remove(name);
  }
}
