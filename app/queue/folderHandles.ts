// Folders the user picked with showDirectoryPicker, kept (as their handles) in IndexedDB beside the queue: after
// a reload the queue can read them again with one permission prompt instead of the user finding each folder.
// Files do not survive a reload; directory handles do, where the browser has them (Chromium).

const DB = 'slowfast-web-queue';
const STORE = 'folders';
const KEY = 'picked';
/** Enough for a session's folders; the oldest are forgotten first. */
const MAX_FOLDERS = 8;

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB refused'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = use(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB refused'));
    });
  } finally {
    db.close();
  }
}

/** The folders picked on earlier visits (none where IndexedDB or handle storage is refused). */
export async function loadFolders(): Promise<FileSystemDirectoryHandle[]> {
  try {
    const stored = await withStore<unknown>('readonly', (s) => s.get(KEY));
    return Array.isArray(stored) ? stored.filter((h): h is FileSystemDirectoryHandle => h instanceof FileSystemDirectoryHandle) : [];
  } catch {
    return [];
  }
}

/** Keeps `folder` (the newest first; the same folder picked again is kept once). */
export async function rememberFolder(folder: FileSystemDirectoryHandle): Promise<void> {
  const kept = await loadFolders();
  const others: FileSystemDirectoryHandle[] = [];
  for (const h of kept) if (!(await h.isSameEntry(folder))) others.push(h);
  await withStore('readwrite', (s) => s.put([folder, ...others].slice(0, MAX_FOLDERS), KEY));
}

export async function forgetFolders(): Promise<void> {
  await withStore('readwrite', (s) => s.delete(KEY));
}

/**
 * Asks to read `folder` again (a prompt where the browser needs one; call it from a click). True if allowed.
 * Browsers without the permission methods grant a kept handle as it is.
 */
export async function mayRead(folder: FileSystemDirectoryHandle): Promise<boolean> {
  const h = folder as FileSystemDirectoryHandle & {
    queryPermission?: (o: { mode: 'read' }) => Promise<PermissionState>;
    requestPermission?: (o: { mode: 'read' }) => Promise<PermissionState>;
  };
  if (!h.queryPermission || !h.requestPermission) return true;
  if ((await h.queryPermission({ mode: 'read' })) === 'granted') return true;
  return (await h.requestPermission({ mode: 'read' })) === 'granted';
}
