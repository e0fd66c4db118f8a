// The user's settings: what they are, their defaults, and reading them back from localStorage — field by field,
// so a value an older or newer page wrote (or a hand edit) falls back to its default instead of reaching the engine.
import type { ModelKey, RunSettings } from '../engine/library.ts';
import type { Precision } from '../../model/kernelChoice.ts';
import { DEFAULT_SEGMENT_OPTIONS, type SegmentOptions } from '../../model/segments.ts';
import { DEFAULT_ZOO_MODEL } from '../../model/zoo.ts';
import { isRecord } from '../../model/parsed.ts';

export interface Settings {
  model: ModelKey;
  /** Undefined: the model's own input size. */
  inputSize?: number;
  stride: number;
  views: 1 | 3;
  /** 'paper': the paper's test protocol (10 clips evenly spaced × 3 crops) instead of a clip every `stride`. */
  protocol: 'stride' | 'paper';
  profile: boolean;
  intervalMs: number;
  /** With a taught head, whether the checkpoint's own labels show beside its classes. */
  showModelLabels: boolean;
  /** Which class activation maps to draw over the video (and the camera), and how opaque. */
  mapView: 'off' | 'both' | 'slow' | 'fast';
  mapOpacity: number;
  /** How clip probabilities become segments (model/segments.ts). */
  segments: Required<SegmentOptions>;
  /** Where video files run: 'webgpu' (where there is an adapter, else the CPU) or 'wasm' (the CPU engine). */
  engine: 'webgpu' | 'wasm';
  /** Bytes of GPU memory the models may take; undefined: as much as the GPU gives (see RunSettings). */
  gpuMemoryLimit?: number;
  /** On WebGPU: f16 where the GPU has shader-f16 ('auto'), always f32, or f16 (see RunSettings). */
  precision: Precision;
}

export const SETTINGS_KEY = 'slowfast-web.settings';

export const DEFAULT_SETTINGS: Settings = {
  model: DEFAULT_ZOO_MODEL.name, stride: 1, views: 1, protocol: 'stride', profile: false, showModelLabels: false, intervalMs: 500,
  mapView: 'both', mapOpacity: 0.5, segments: DEFAULT_SEGMENT_OPTIONS, engine: 'webgpu', precision: 'auto',
};

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
const unit = (v: unknown): number | undefined => (typeof v === 'number' && v >= 0 && v <= 1 ? v : undefined);
const oneOf = <T extends string | number>(v: unknown, allowed: readonly T[]): T | undefined => allowed.find((a) => a === v);

/** Settings from stored JSON: each field as stored where it is valid, else its default. */
export function parseSettings(text: string | null): Settings {
  let stored: unknown;
  try {
    stored = JSON.parse(text ?? '{}');
  } catch {
    return DEFAULT_SETTINGS;
  }
  if (!isRecord(stored)) return DEFAULT_SETTINGS;
  const d = DEFAULT_SETTINGS;
  const s = isRecord(stored.segments) ? stored.segments : {};
  const enter = unit(s.enter) ?? d.segments.enter;
  const exit = unit(s.exit) ?? d.segments.exit;
  const inputSize = positive(stored.inputSize);
  const gpuMemoryLimit = positive(stored.gpuMemoryLimit);
  return {
    model: typeof stored.model === 'string' && stored.model ? stored.model : d.model,
    ...(inputSize !== undefined && Number.isInteger(inputSize) ? { inputSize } : {}),
    stride: positive(stored.stride) ?? d.stride,
    views: oneOf(stored.views, [1, 3] as const) ?? d.views,
    protocol: oneOf(stored.protocol, ['stride', 'paper'] as const) ?? d.protocol,
    profile: typeof stored.profile === 'boolean' ? stored.profile : d.profile,
    intervalMs: positive(stored.intervalMs) ?? d.intervalMs,
    showModelLabels: typeof stored.showModelLabels === 'boolean' ? stored.showModelLabels : d.showModelLabels,
    mapView: oneOf(stored.mapView, ['off', 'both', 'slow', 'fast'] as const) ?? d.mapView,
    mapOpacity: unit(stored.mapOpacity) ?? d.mapOpacity,
    // The exit threshold never exceeds the enter one (segmentsOf refuses that).
    segments: { enter, exit: Math.min(exit, enter), minDuration: typeof s.minDuration === 'number' && s.minDuration >= 0 ? s.minDuration : d.segments.minDuration },
    engine: oneOf(stored.engine, ['webgpu', 'wasm'] as const) ?? d.engine,
    precision: oneOf(stored.precision, ['auto', 'f32', 'f16'] as const) ?? d.precision,
    ...(gpuMemoryLimit !== undefined ? { gpuMemoryLimit } : {}),
  };
}

/** The settings kept in this browser, or the defaults where storage is refused (a sandboxed iframe). */
export function loadSettings(): Settings {
  try {
    return parseSettings(localStorage.getItem(SETTINGS_KEY));
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: Settings): void {
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // storage refused: the settings hold for this visit
  }
}

/** What the engine runs a job with, from the settings. */
export const runSettings = (s: Settings): RunSettings => ({
  inputSize: s.inputSize, stride: s.stride, views: s.views, profile: s.profile, protocol: s.protocol, engine: s.engine, precision: s.precision, ...(s.gpuMemoryLimit ? { gpuMemoryLimit: s.gpuMemoryLimit } : {}),
});
