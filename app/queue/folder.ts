// Videos from a folder the user picked or dropped: every video under it, recursing, in path order, each with
// its path inside the folder (what the queue shows and exports).
import { rememberFolder } from './folderHandles.ts';

/** A video to queue and the path it is known by (its name, or its place in the folder). */
export interface QueuedFile {
  file: File;
  path: string;
}

const VIDEO_NAME = /\.(mp4|m4v|mov|webm|mkv|gif)$/i;

/** Whether a name is one of the video types the page reads (dot-files, such as macOS's `._` shadows, are not). */
export const isVideoName = (name: string) => VIDEO_NAME.test(name) && !name.startsWith('.');

const byPath = (a: QueuedFile, b: QueuedFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The videos under a directory handle (showDirectoryPicker). */
export async function videosOfDirectory(dir: FileSystemDirectoryHandle, prefix = `${dir.name}/`): Promise<QueuedFile[]> {
  const found: QueuedFile[] = [];
  for await (const [name, handle] of dir.entries()) {
    if (name.startsWith('.')) continue;
    if (handle.kind === 'directory') found.push(...(await videosOfDirectory(handle as FileSystemDirectoryHandle, `${prefix}${name}/`)));
    else if (isVideoName(name)) found.push({ file: await (handle as FileSystemFileHandle).getFile(), path: `${prefix}${name}` });
  }
  return found.sort(byPath);
}

/** The videos among files from `<input webkitdirectory>` (each knows its path in the folder). */
export function videosOfFolderInput(files: readonly File[]): QueuedFile[] {
  return files
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
    .filter((f) => isVideoName(f.file.name) && !f.path.split('/').some((part) => part.startsWith('.')))
    .sort(byPath);
}

/**
 * Dropped items: folders as every video under them (the drag-and-drop entries API), files as they are. Call it
 * in the drop event itself: the items can be read only then (their folders' contents later).
 */
export function videosOfDrop(items: DataTransferItemList): Promise<{ folderVideos: QueuedFile[]; files: File[]; folders: number }> {
  const dropped = [...items].filter((item) => item.kind === 'file').map((item) => ({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() }));
  const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));
  const walk = async (dir: FileSystemDirectoryEntry, prefix: string, into: QueuedFile[]): Promise<void> => {
    const reader = dir.createReader();
    // readEntries gives the entries in batches until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const e of batch) {
        if (e.name.startsWith('.')) continue;
        if (e.isDirectory) await walk(e as FileSystemDirectoryEntry, `${prefix}${e.name}/`, into);
        else if (isVideoName(e.name)) into.push({ file: await fileOf(e as FileSystemFileEntry), path: `${prefix}${e.name}` });
      }
    }
  };
  return (async () => {
    const folderVideos: QueuedFile[] = [];
    const files: File[] = [];
    let folders = 0;
    for (const { entry, file } of dropped) {
      if (entry?.isDirectory) {
        folders++;
        await walk(entry as FileSystemDirectoryEntry, `${entry.name}/`, folderVideos);
      } else if (file) files.push(file);
    }
    return { folderVideos: folderVideos.sort(byPath), files, folders };
  })();
}

/** Lets the user pick a folder: showDirectoryPicker where the browser has it, else undefined (use webkitdirectory). */
export async function pickFolder(): Promise<QueuedFile[] | undefined> {
  const picker = (window as { showDirectoryPicker?: (o?: { mode?: 'read' }) => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker;
  if (!picker) return undefined;
  try {
    const folder = await picker({ mode: 'read' });
    const videos = await videosOfDirectory(folder);
    // Kept so that after a reload its unfinished videos come back with one click (where handles can be stored).
    if (videos.length) await rememberFolder(folder).catch(() => {});
    return videos;
  } catch (e) {
    if ((e as DOMException).name === 'AbortError') return []; // the user closed the picker
    throw e;
  }
}
