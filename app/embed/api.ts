// The embed widget's postMessage API: what a host page may send, what the widget posts back, and the origin
// rules. Documented in docs/embed.md; keep the two in step.
import type { Segment } from '../../model/segments.ts';

/** Host → widget. `video` / `weights` are a Blob (or File) or an http(s) URL the widget fetches. */
export type EmbedCommand =
  | { type: 'classify'; video: Blob | string; name?: string }
  | { type: 'loadWeights'; weights: Blob | string; name?: string }
  /** Class names for the loaded model's head: a label file (Blob or URL), or the names themselves in index order. */
  | { type: 'loadLabels'; labels: Blob | string | string[]; name?: string }
  /** A taught head (a head file from the Teach view or `npm run teach`), or null for the model's own classes again. */
  | { type: 'loadHead'; head: Blob | string | null; name?: string }
  /** A second checkpoint (same label set) run beside the loaded one on the next videos, or null to stop comparing. */
  | { type: 'compare'; weights: Blob | string | null; name?: string }
  /** A model of the zoo by its name (npm run weights -- --list), from the browser's cache or downloaded. */
  | { type: 'compare'; model: string }
  | { type: 'cancel' }
  | { type: 'startCamera' }
  | { type: 'stopCamera' };

export interface EmbedLabel {
  label: string;
  index: number;
  probability: number;
}

/** A class's segment: seconds, and the highest and mean probability of its clips (model/segments.ts). */
export type EmbedSegment = Segment;

/** Class activation maps of one pathway: `data` is (classes, T, H, W), row-major, over the res5 positions of the centre crop. */
export interface EmbedMap {
  shape: number[];
  data: Float32Array;
}

/** Widget → host (each posted with `source: 'slowfast-web'` added: see EmbedEvent). */
export type EmbedEventBody =
  /** `engine`: 'wasm' where there is no WebGPU adapter (video on the CPU engine). */
  | { type: 'ready'; version: 1; engine: 'webgpu' | 'wasm'; adapter: string; precision: 'f32' | 'f16'; weights: string | null }
  | { type: 'weights'; name: string }
  | { type: 'labelsLoaded'; name: string; classes: number }
  /** The head labels come from now: a taught head's name and classes, or null and the model's own classes. */
  | { type: 'head'; name: string | null; classes: string[] }
  | { type: 'progress'; clipsDone: number; clips: number }
  | { type: 'labels'; mode: 'video'; start: number; end: number; top: EmbedLabel[] }
  | { type: 'labels'; mode: 'camera'; time: number; top: EmbedLabel[] }
  | { type: 'done'; clips: number }
  /** After 'done': the whole video's top classes and when each action happens (model/segments.ts). */
  | { type: 'segments'; verdict: EmbedLabel[]; segments: EmbedSegment[]; thresholds: { enter: number; exit: number; minDuration: number } }
  /** With `cam=1`: where the model looked, after each clip's (or camera update's) labels. */
  | ({ type: 'cam'; classes: { index: number; label: string }[]; slow: EmbedMap; fast?: EmbedMap } & ({ mode: 'video'; start: number; end: number } | { mode: 'camera'; time: number }))
  /** The second model the next videos are compared with (after 'compare'), or null when none is. */
  | { type: 'compare'; name: string | null }
  /** With a second model: each of its clips, as 'labels' gives the first's (its own span where its clips are longer). */
  | { type: 'compareLabels'; start: number; end: number; top: EmbedLabel[] }
  /**
   * With a second model, after 'segments': each model's verdict, and the classes `gainsOf` gains most (its mean
   * probability over its clips minus the other's; SlowFast's beside a Slow-only model, else the second's).
   */
  | { type: 'comparison'; models: { name: string; verdict: EmbedLabel[] }[]; gainsOf: string; gains: { index: number; label: string; delta: number }[] }
  | { type: 'notice'; message: string }
  | { type: 'error'; scope: 'video' | 'weights' | 'labels' | 'head' | 'compare' | 'camera' | 'gpu' | 'command'; message: string };

export type EmbedEvent = { source: 'slowfast-web' } & EmbedEventBody;

/**
 * The host origins from the `origins` query parameter (comma-separated). Anything that is not a plain
 * http(s) origin is refused, and so is `*`: the widget talks only to origins named exactly.
 */
export function parseOrigins(param: string | null): { origins: string[]; rejected: string[] } {
  const origins: string[] = [];
  const rejected: string[] = [];
  for (const raw of (param ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      const url = new URL(raw);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === raw.replace(/\/$/, '')) origins.push(url.origin);
      else rejected.push(raw);
    } catch {
      rejected.push(raw);
    }
  }
  return { origins: [...new Set(origins)], rejected };
}

const isSource = (v: unknown): v is Blob | string => typeof v === 'string' || (typeof Blob !== 'undefined' && v instanceof Blob);

/** A message's command, or why it is not one. Only the fields above are read; nothing is evaluated. */
export function parseCommand(data: unknown): EmbedCommand | { error: string } {
  if (typeof data !== 'object' || data === null) return { error: 'a command must be an object with a "type"' };
  const d = data as Record<string, unknown>;
  const name = typeof d.name === 'string' ? d.name.slice(0, 200) : undefined;
  switch (d.type) {
    case 'classify':
      return isSource(d.video) ? { type: 'classify', video: d.video, name } : { error: '"classify" needs "video": a Blob or an http(s) URL' };
    case 'loadWeights':
      return isSource(d.weights) ? { type: 'loadWeights', weights: d.weights, name } : { error: '"loadWeights" needs "weights": a Blob or an http(s) URL' };
    case 'loadLabels': {
      const labels = d.labels;
      if (Array.isArray(labels) && labels.length <= 100_000 && labels.every((l) => typeof l === 'string')) return { type: 'loadLabels', labels: labels as string[], name };
      return isSource(labels) ? { type: 'loadLabels', labels, name } : { error: '"loadLabels" needs "labels": a Blob, an http(s) URL, or an array of names' };
    }
    case 'loadHead':
      if (d.head === null) return { type: 'loadHead', head: null };
      return isSource(d.head) ? { type: 'loadHead', head: d.head, name } : { error: '"loadHead" needs "head": a Blob, an http(s) URL, or null (the model\'s own classes)' };
    case 'compare':
      if (d.weights === null) return { type: 'compare', weights: null };
      if (typeof d.model === 'string' && d.model && d.weights === undefined) return { type: 'compare', model: d.model };
      return isSource(d.weights) ? { type: 'compare', weights: d.weights, name } : { error: '"compare" needs "weights" (a Blob, an http(s) URL, or null to stop comparing) or "model" (a zoo model\'s name)' };
    case 'cancel':
    case 'startCamera':
    case 'stopCamera':
      return { type: d.type };
    default:
      return { error: `unknown command ${JSON.stringify(String(d.type)).slice(0, 60)}` };
  }
}

/** Fetches a URL the host named: http(s) only, no cookies sent. */
export async function fetchHostUrl(url: string): Promise<Blob> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url.slice(0, 100)}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`only http and https URLs are fetched, not ${parsed.protocol}`);
  let response: Response;
  try {
    response = await fetch(parsed, { credentials: 'omit' });
  } catch (e) {
    throw new Error(`${parsed.href} could not be fetched (${(e as Error).message}; the server must allow CORS)`);
  }
  if (!response.ok) throw new Error(`${parsed.href} answered HTTP ${response.status}`);
  return response.blob();
}

/** The file name a URL or Blob is shown under. */
export function sourceName(source: Blob | string, name: string | undefined, fallback: string): string {
  if (name) return name;
  if (typeof source === 'string') return decodeURIComponent(new URL(source, 'http://x').pathname.split('/').pop() || fallback);
  return source instanceof File ? source.name : fallback;
}
