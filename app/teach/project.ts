// A teaching project: the classes the user named and the takes that show them. A take keeps the pooled
// features of its clips and a thumbnail, never its frames. Projects live in the browser's private file
// system (OPFS), one folder each: project.json, one .f32 file of features per take, and the last trained
// head. Where the browser refuses that storage, the project lives in memory for the visit.

export interface TeachClass {
  id: string;
  name: string;
}

export interface Take {
  id: string;
  classId: string;
  /** Where its clips came from: the camera, a video file, or a segment of the analysed video. */
  source: 'camera' | 'file' | 'segment';
  /** What the user would call it: "Take 3", the file's name, "cricket.mp4 1.0–4.0 s". */
  name: string;
  /** A small JPEG data URL of the take, if one could be drawn. */
  thumbnail?: string;
  /** Seconds of video it covers. */
  seconds: number;
  /** One pooled feature vector per clip and crop. */
  features: Float32Array[];
}

export interface Project {
  name: string;
  classes: TeachClass[];
  takes: Take[];
  /** The last head trained in this project (a head file), which the page labels with when the project opens. */
  head?: Uint8Array<ArrayBuffer>;
}

export const newProject = (name: string): Project => ({ name, classes: [], takes: [] });

/** A short unique id (classes and takes are renamed and deleted by id). */
export const newId = () => Math.random().toString(36).slice(2, 10) + Date.now().toString(36);

interface StoredTake extends Omit<Take, 'features'> {
  clips: number;
  size: number;
}

interface StoredProject {
  format: 'slowfast-web teach project';
  version: 1;
  name: string;
  classes: TeachClass[];
  takes: StoredTake[];
  hasHead: boolean;
}

const ROOT = 'slowfast-web-teach';

/** Projects in OPFS. `open()` says why not, where the browser refuses it. */
export class ProjectStorage {
  private constructor(private readonly root: FileSystemDirectoryHandle) {}

  static async open(): Promise<ProjectStorage | { refused: string }> {
    try {
      if (!navigator.storage?.getDirectory) throw new Error('this browser has no private file system');
      const opfs = await navigator.storage.getDirectory();
      const root = await opfs.getDirectoryHandle(ROOT, { create: true });
      // Writing is what some browsers refuse (Safari's main thread has no createWritable): find out now.
      const probe = await root.getFileHandle('.probe', { create: true });
      await write(probe, new Uint8Array([1]));
      await root.removeEntry('.probe');
      return new ProjectStorage(root);
    } catch (e) {
      return { refused: (e as Error).message };
    }
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    for await (const [name, handle] of this.root.entries()) {
      if (handle.kind === 'directory') names.push(decodeURIComponent(name));
    }
    return names.sort((a, b) => a.localeCompare(b));
  }

  /** The project of that name, or undefined if there is none (or it is unreadable: a new one replaces it). */
  async load(name: string): Promise<Project | undefined> {
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await this.root.getDirectoryHandle(encodeURIComponent(name));
    } catch {
      return undefined;
    }
    try {
      const stored = JSON.parse(await (await (await dir.getFileHandle('project.json')).getFile()).text()) as StoredProject;
      if (stored.format !== 'slowfast-web teach project') return undefined;
      const takes: Take[] = [];
      for (const t of stored.takes) {
        const { clips, size, ...take } = t;
        const bytes = await (await (await dir.getFileHandle(`${t.id}.f32`)).getFile()).arrayBuffer();
        if (bytes.byteLength !== clips * size * 4) continue; // a take cut short by a closed tab
        const all = new Float32Array(bytes);
        takes.push({ ...take, features: Array.from({ length: clips }, (_, i) => all.slice(i * size, (i + 1) * size)) });
      }
      let head: Uint8Array<ArrayBuffer> | undefined;
      if (stored.hasHead) {
        try {
          head = new Uint8Array(await (await (await dir.getFileHandle('head.safetensors')).getFile()).arrayBuffer());
        } catch {
          head = undefined;
        }
      }
      return { name: stored.name, classes: stored.classes, takes, head };
    } catch {
      return undefined;
    }
  }

  /** Writes the project's list of classes and takes (and the head); features of `newTakes` are written first. */
  async save(project: Project, newTakes: readonly Take[] = []): Promise<void> {
    const dir = await this.root.getDirectoryHandle(encodeURIComponent(project.name), { create: true });
    for (const take of newTakes) {
      const size = take.features[0]?.length ?? 0;
      const all = new Float32Array(take.features.length * size);
      take.features.forEach((f, i) => all.set(f, i * size));
      await write(await dir.getFileHandle(`${take.id}.f32`, { create: true }), new Uint8Array(all.buffer));
    }
    if (project.head) await write(await dir.getFileHandle('head.safetensors', { create: true }), project.head);
    const stored: StoredProject = {
      format: 'slowfast-web teach project',
      version: 1,
      name: project.name,
      classes: project.classes,
      takes: project.takes.map(({ features, ...t }) => ({ ...t, clips: features.length, size: features[0]?.length ?? 0 })),
      hasHead: project.head !== undefined,
    };
    await write(await dir.getFileHandle('project.json', { create: true }), new TextEncoder().encode(JSON.stringify(stored)));
    // Features of takes no longer listed (deleted, or their class removed) go.
    const kept = new Set(project.takes.map((t) => `${t.id}.f32`));
    for await (const name of dir.keys()) {
      if (name.endsWith('.f32') && !kept.has(name)) await dir.removeEntry(name);
    }
    if (!project.head) await dir.removeEntry('head.safetensors').catch(() => {});
  }

  async remove(name: string): Promise<void> {
    await this.root.removeEntry(encodeURIComponent(name), { recursive: true });
  }
}

async function write(file: FileSystemFileHandle, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
  const w = await file.createWritable();
  await w.write(bytes);
  await w.close();
}

/** The examples a training run takes: every clip of every take, labelled by its class's place in `classes`. */
export function examplesOf(project: Project): { classNames: string[]; examples: { features: Float32Array; label: number; group: string }[] } {
  const index = new Map(project.classes.map((c, i) => [c.id, i]));
  const examples = project.takes.flatMap((t) => t.features.map((features) => ({ features, label: index.get(t.classId)!, group: t.id })));
  return { classNames: project.classes.map((c) => c.name), examples: examples.filter((e) => e.label !== undefined) };
}

/**
 * Which camera clips belong to a take from `start` to `end` (page milliseconds): those whose last frame falls
 * in the take and that lie at least three quarters inside it (a clip mostly from before the take shows
 * whatever the user did before).
 */
export function clipInTake(clipEndMs: number, clipMs: number, start: number, end: number): boolean {
  return clipEndMs <= end && clipEndMs - 0.75 * clipMs >= start;
}
