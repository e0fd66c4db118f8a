// A video library for the command line: folders listed to their videos, a stable split of the list across
// machines, and what an earlier run of the same job already wrote.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, resolve, sep } from 'node:path';

export const VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.gif'];

/**
 * The videos the arguments name: a file as given, a folder as every video under it (recursing; names that
 * start with a dot skipped, as macOS's `._` shadows and `.Trash` are no videos), each folder's in path order.
 * Returns { videos, empty } where empty lists the folders that held none.
 */
export function listVideos(paths) {
  const videos = [];
  const empty = [];
  for (const path of paths) {
    if (!statSync(path).isDirectory()) {
      videos.push(path);
      continue;
    }
    const found = [];
    const walk = (dir) => {
      const entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => !e.name.startsWith('.'))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (VIDEO_EXTENSIONS.includes(extname(e.name).toLowerCase())) found.push(full);
      }
    };
    walk(path);
    if (!found.length) empty.push(path);
    videos.push(...found);
  }
  return { videos: [...new Set(videos)], empty };
}

/** Parses `i/n` (0 ≤ i < n), as Kubernetes' JOB_COMPLETION_INDEX counts; undefined for a bad one. */
export function parseShard(text) {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!m) return undefined;
  const [index, count] = [Number(m[1]), Number(m[2])];
  return count >= 1 && index < count ? { index, count } : undefined;
}

/** FNV-1a over the path's UTF-8 bytes: a split that does not move when other files come or go. */
function pathHash(path) {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(path, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

/** The videos of shard `index` of `count`: each path falls in one shard by its hash, whatever the list's order. */
export function shardOf(videos, { index, count }) {
  return videos.filter((v) => pathHash(v) % count === index);
}

/**
 * The videos a JSONL output already holds a result for (lines with an error are not done: a resumed run
 * tries them again, and its line is the later one). A last line cut short by a killed run is ignored;
 * `endsCut` says so, so the next line starts on a line of its own.
 */
export function readDone(jsonlPath) {
  const done = new Set();
  if (!existsSync(jsonlPath)) return { done, endsCut: false };
  const text = readFileSync(jsonlPath, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line);
      if (typeof entry.file === 'string' && entry.error === undefined) done.add(entry.file);
    } catch {
      // A line a killed run left half-written.
    }
  }
  return { done, endsCut: text.length > 0 && !text.endsWith('\n') };
}

/**
 * The names `--cam` files take per video: its name without the extension, or, where two videos of the run would
 * share that (`a/clip.mp4`, `b/clip.mp4`, `clip.webm`), its whole path from here with `__` for each separator, so
 * one video's maps never overwrite another's. Returns a Map from each video to its name.
 */
export function mapNames(videos) {
  const stem = (v) => basename(v, extname(v));
  const seen = new Map();
  for (const v of videos) seen.set(stem(v), (seen.get(stem(v)) ?? 0) + 1);
  const pathName = (v) => relative(process.cwd(), resolve(v)).split(sep).map((part) => (part === '..' ? 'up' : part)).join('__');
  return new Map(videos.map((v) => [v, seen.get(stem(v)) > 1 ? pathName(v) : stem(v)]));
}
