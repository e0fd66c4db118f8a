// A folder of files the page keeps across visits (converted weights, the queue, teaching projects). The
// browser's private file system (OPFS) where it lets us write there; else IndexedDB, which WebKit keeps where it
// refuses OPFS (its private and automated sessions, where even getDirectory fails). Both hold the same files
// under the same names, so the stores above them do not know which they use; the page says which it is.

/** Where the files are kept. */
export type KeptBackend = 'opfs' | 'indexeddb';

/** A file being written in parts: kept once closed, gone if aborted. */
export interface KeptWriter {
  write(chunk: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** A file written and read in blocks of one size, in any order (a download kept across visits). */
export interface BlockFile {
  /** Block `i` (`length` bytes); shorter, or empty, where it was never written. */
  readBlock(i: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
  writeBlock(i: number, bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
}

export interface KeptFolder {
  readonly backend: KeptBackend;
  /** The file's contents (read from storage as they are used, for OPFS), or undefined if there is none. */
  file(name: string): Promise<Blob | undefined>;
  /** Writes the whole file, replacing any of that name. */
  write(name: string, data: Uint8Array<ArrayBuffer> | string): Promise<void>;
  /** A file to stream into (a download of hundreds of MB goes to storage, not memory). */
  create(name: string): Promise<KeptWriter>;
  /** A file of `blockBytes` blocks, made if absent; one tab at a time (OPFS locks it while open). */
  blocks(name: string, blockBytes: number): Promise<BlockFile>;
  /** The names of the files in this folder (not its folders'). */
  files(): Promise<string[]>;
  remove(name: string): Promise<void>;
  /** A folder in this one, made if absent. */
  folder(name: string): Promise<KeptFolder>;
  folders(): Promise<string[]>;
  removeFolder(name: string): Promise<void>;
}

/** How each backend names where it keeps files, for the page. */
export const KEPT_BACKEND_NAMES: Record<KeptBackend, string> = {
  opfs: "the browser's private file system (OPFS)",
  indexeddb: "the browser's IndexedDB",
};

/** A browser's reason as a clause: its own full stop would end our sentence early. */
const reason = (e: unknown) => String((e as Error)?.message ?? e).replace(/\.$/, '');

/**
 * The kept folder `name` at the root of this origin's storage: OPFS if a file can be written there, else
 * IndexedDB. Throws, with each backend's reason, where the browser keeps nothing.
 */
export async function openKeptFolder(name: string, backends: readonly KeptBackend[] = ['opfs', 'indexeddb']): Promise<KeptFolder> {
  const refusals: string[] = [];
  for (const backend of backends) {
    try {
      const folder = backend === 'opfs' ? await openOpfs(name) : await openIndexedDb(name);
      // Writing is what browsers refuse (a main thread without createWritable, a session without storage).
      await folder.write('.probe', '1');
      await folder.remove('.probe');
      return folder;
    } catch (e) {
      refusals.push(`${backend === 'opfs' ? 'private file system' : 'IndexedDB'}: ${reason(e)}`);
    }
  }
  throw new Error(refusals.join('; '));
}

async function openOpfs(name: string): Promise<KeptFolder> {
  if (!navigator.storage?.getDirectory) throw new Error('this browser has no private file system');
  return new OpfsFolder(await (await navigator.storage.getDirectory()).getDirectoryHandle(name, { create: true }));
}

/** OPFS's in-place access to a file, in workers. */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  flush(): void;
  close(): void;
}

class OpfsFolder implements KeptFolder {
  readonly backend = 'opfs';
  constructor(private readonly dir: FileSystemDirectoryHandle) {}

  async file(name: string): Promise<Blob | undefined> {
    try {
      return await (await this.dir.getFileHandle(name)).getFile();
    } catch {
      return undefined;
    }
  }

  async write(name: string, data: Uint8Array<ArrayBuffer> | string): Promise<void> {
    const writer = await this.create(name);
    try {
      await writer.write(typeof data === 'string' ? new TextEncoder().encode(data) : data);
      await writer.close();
    } catch (e) {
      await writer.abort().catch(() => {});
      throw e;
    }
  }

  async create(name: string): Promise<KeptWriter> {
    const writable = await (await this.dir.getFileHandle(name, { create: true })).createWritable();
    return {
      write: (chunk) => writable.write(chunk),
      close: () => writable.close(),
      abort: async () => {
        await writable.abort().catch(() => {});
        await this.remove(name);
      },
    };
  }

  async blocks(name: string, blockBytes: number): Promise<BlockFile> {
    const handle = await this.dir.getFileHandle(name, { create: true });
    // A worker writes in place; elsewhere each block is a small transaction of the async API.
    // The DOM's types lack the worker-only API.
    const inWorker = handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandle> };
    if (inWorker.createSyncAccessHandle) {
      const access = await inWorker.createSyncAccessHandle();
      return {
        async readBlock(i, length) {
          const bytes = new Uint8Array(length);
          const read = access.read(bytes, { at: i * blockBytes });
          return read === length ? bytes : bytes.slice(0, read);
        },
        async writeBlock(i, bytes) {
          access.write(bytes, { at: i * blockBytes });
          access.flush();
        },
        close: async () => access.close(),
      };
    }
    return {
      readBlock: async (i, length) => new Uint8Array(await (await handle.getFile()).slice(i * blockBytes, i * blockBytes + length).arrayBuffer()),
      async writeBlock(i, bytes) {
        const writable = await handle.createWritable({ keepExistingData: true });
        await writable.write({ type: 'write', position: i * blockBytes, data: bytes });
        await writable.close();
      },
      close: async () => {},
    };
  }

  private async entries(kind: FileSystemHandleKind): Promise<string[]> {
    const names: string[] = [];
    for await (const [name, handle] of this.dir.entries()) if (handle.kind === kind) names.push(name);
    return names.sort();
  }

  files = () => this.entries('file');
  folders = () => this.entries('directory');

  async remove(name: string): Promise<void> {
    await this.dir.removeEntry(name).catch(() => {});
  }

  async folder(name: string): Promise<KeptFolder> {
    return new OpfsFolder(await this.dir.getDirectoryHandle(name, { create: true }));
  }

  async removeFolder(name: string): Promise<void> {
    await this.dir.removeEntry(name, { recursive: true }).catch(() => {});
  }
}

// IndexedDB: one store of parts, keyed [path, part]; a file is its parts in order. Parts are ArrayBuffers, not
// Blobs: WebKit's sessions without disk storage refuse Blobs in IndexedDB. Folders are the paths' prefixes.
const DB = 'slowfast-web-kept';
const STORE = 'parts';
let database: Promise<IDBDatabase> | undefined;

function openDatabase(): Promise<IDBDatabase> {
  database ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('this browser has no IndexedDB'));
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is held by another tab'));
  }).catch((e) => {
    database = undefined;
    throw e;
  });
  return database;
}

/** Runs `use` in one transaction; resolves with its result once the transaction has committed. */
async function transact<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDatabase();
  return new Promise<T | undefined>((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = use(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error ?? request?.error ?? new Error('an IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('an IndexedDB transaction was aborted'));
  });
}

/** Every part of `path`, or of every path under `path/` when `under`. */
const partsOf = (path: string, under = false) =>
  under ? IDBKeyRange.bound([`${path}/`, -Infinity], [`${path}/\uffff`, Infinity]) : IDBKeyRange.bound([path, -Infinity], [path, Infinity]);

async function openIndexedDb(name: string): Promise<KeptFolder> {
  await openDatabase();
  return new IndexedDbFolder(name);
}

class IndexedDbFolder implements KeptFolder {
  readonly backend = 'indexeddb';
  constructor(private readonly path: string) {}

  private pathOf = (name: string) => `${this.path}/${name}`;

  async file(name: string): Promise<Blob | undefined> {
    const parts = await transact('readonly', (s) => s.getAll(partsOf(this.pathOf(name))) as IDBRequest<ArrayBuffer[]>);
    return parts?.length ? new Blob(parts) : undefined;
  }

  async write(name: string, data: Uint8Array<ArrayBuffer> | string): Promise<void> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const path = this.pathOf(name);
    await transact('readwrite', (s) => {
      s.delete(partsOf(path));
      s.put(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), [path, 0]);
    });
  }

  async create(name: string): Promise<KeptWriter> {
    // Parts go under a temporary name and are renamed on close, so a cut-short write never replaces a file.
    const path = this.pathOf(name);
    const partial = this.pathOf(`${name}.partial`);
    await transact('readwrite', (s) => void s.delete(partsOf(partial)));
    let part = 0;
    return {
      write: async (chunk) => {
        const index = part++;
        await transact('readwrite', (s) => void s.put(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength), [partial, index]));
      },
      close: async () => {
        // One part at a time: the whole file is never in memory.
        await transact('readwrite', (s) => void s.delete(partsOf(path)));
        for (let i = 0; i < part; i++) {
          const bytes = await transact('readonly', (s) => s.get([partial, i]) as IDBRequest<ArrayBuffer>);
          await transact('readwrite', (s) => {
            s.put(bytes, [path, i]);
            s.delete([partial, i]);
          });
        }
        if (part === 0) await transact('readwrite', (s) => void s.put(new ArrayBuffer(0), [path, 0]));
      },
      abort: async () => void (await transact('readwrite', (s) => void s.delete(partsOf(partial)))),
    };
  }

  async blocks(name: string): Promise<BlockFile> {
    // A block is a part, keyed by its number: written and read alone, in any order.
    const path = this.pathOf(name);
    return {
      readBlock: async (i) => new Uint8Array((await transact('readonly', (s) => s.get([path, i]) as IDBRequest<ArrayBuffer | undefined>)) ?? new ArrayBuffer(0)),
      writeBlock: async (i, bytes) => void (await transact('readwrite', (s) => void s.put(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), [path, i]))),
      close: async () => {},
    };
  }

  /** The names one level under this folder: files (no further '/') or folders (the next segment). */
  private async children(kind: 'file' | 'folder'): Promise<string[]> {
    const keys = (await transact('readonly', (s) => s.getAllKeys(partsOf(this.path, true)))) as [string, number][];
    const names = new Set<string>();
    for (const [path] of keys) {
      const rest = path.slice(this.path.length + 1);
      const slash = rest.indexOf('/');
      if (kind === 'file' && slash < 0 && !rest.endsWith('.partial')) names.add(rest);
      if (kind === 'folder' && slash > 0) names.add(rest.slice(0, slash));
    }
    return [...names].sort();
  }

  files = () => this.children('file');
  folders = () => this.children('folder');

  async remove(name: string): Promise<void> {
    await transact('readwrite', (s) => void s.delete(partsOf(this.pathOf(name))));
  }

  async folder(name: string): Promise<KeptFolder> {
    return new IndexedDbFolder(this.pathOf(name));
  }

  async removeFolder(name: string): Promise<void> {
    await transact('readwrite', (s) => void s.delete(partsOf(this.pathOf(name), true)));
  }
}
