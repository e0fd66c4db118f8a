// A teaching project: the classes the user named and the takes that show them. A take keeps the pooled
// features of its clips and a thumbnail, never its frames. Projects are kept in the browser (a kept folder:
// OPFS, else IndexedDB), one folder each: project.json, one .f32 file of features per take, and the last
// trained head. Where the browser keeps nothing, the project lives in memory for the visit.
import { openKeptFolder, type KeptBackend, type KeptFolder } from '../storage/keptFolder.ts';

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

/** Projects kept in the browser. `open()` says why not, where the browser keeps nothing. */
export class ProjectStorage {
  private constructor(private readonly root: KeptFolder) {}

  get backend(): KeptBackend {
    return this.root.backend;
  }

  static async open(): Promise<ProjectStorage | { refused: string }> {
    try {
      return new ProjectStorage(await openKeptFolder(ROOT));
    } catch (e) {
      return { refused: (e as Error).message };
    }
  }

  async list(): Promise<string[]> {
    return (await this.root.folders()).map((n) => decodeURIComponent(n)).sort((a: string, b: string) => a.localeCompare(b));
  }

  /** The project of that name, or undefined if there is none (or it is unreadable: a new one replaces it). */
  async load(name: string): Promise<Project | undefined> {
    if (!(await this.root.folders()).includes(encodeURIComponent(name))) return undefined;
    const dir = await this.root.folder(encodeURIComponent(name));
    try {
      const stored = JSON.parse((await (await dir.file('project.json'))?.text()) ?? '{}') as StoredProject;
      if (stored.format !== 'slowfast-web teach project') return undefined;
      const takes: Take[] = [];
      for (const t of stored.takes) {
        const { clips, size, ...take } = t;
        const bytes = (await (await dir.file(`${t.id}.f32`))?.arrayBuffer()) ?? new ArrayBuffer(0);
        if (bytes.byteLength !== clips * size * 4) continue; // a take cut short by a closed tab
        const all = new Float32Array(bytes);
        takes.push({ ...take, features: Array.from({ length: clips }, (_, i) => all.slice(i * size, (i + 1) * size)) });
      }
      let head: Uint8Array<ArrayBuffer> | undefined;
      const headFile = stored.hasHead ? await dir.file('head.safetensors') : undefined;
      if (headFile) head = new Uint8Array(await headFile.arrayBuffer());
      return { name: stored.name, classes: stored.classes, takes, head };
    } catch {
      return undefined;
    }
  }

  /** Writes the project's list of classes and takes (and the head); features of `newTakes` are written first. */
  async save(project: Project, newTakes: readonly Take[] = []): Promise<void> {
    const dir = await this.root.folder(encodeURIComponent(project.name));
    for (const take of newTakes) {
      const size = take.features[0]?.length ?? 0;
      const all = new Float32Array(take.features.length * size);
      take.features.forEach((f, i) => all.set(f, i * size));
      await dir.write(`${take.id}.f32`, new Uint8Array(all.buffer));
    }
    if (project.head) await dir.write('head.safetensors', project.head);
    const stored: StoredProject = {
      format: 'slowfast-web teach project',
      version: 1,
      name: project.name,
      classes: project.classes,
      takes: project.takes.map(({ features, ...t }) => ({ ...t, clips: features.length, size: features[0]?.length ?? 0 })),
      hasHead: project.head !== undefined,
    };
    await dir.write('project.json', JSON.stringify(stored));
    // Features of takes no longer listed (deleted, or their class removed) go.
    const kept = new Set(project.takes.map((t) => `${t.id}.f32`));
    for (const name of await dir.files()) if (name.endsWith('.f32') && !kept.has(name)) await dir.remove(name);
    if (!project.head) await dir.remove('head.safetensors');
  }

  async remove(name: string): Promise<void> {
    await this.root.removeFolder(encodeURIComponent(name));
  }
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
