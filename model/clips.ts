// Which source frames make each clip of a video, by timestamp, so 25, 30 and 60 fps sources cover the same
// span. A clip spans T_fast · (τ/α) frames of 30 fps video (the Kinetics training rate): 2.13 s for the 8×8
// and 4×16 presets. Within a clip, the frames that fall inside it are subsampled uniformly to T_fast
// (pytorchvideo's UniformTemporalSubsample), repeating frames when the source has too few.
import { linspaceIndices } from './sampling.ts';
import type { SlowFastConfig } from './slowfast.ts';

/** The frame rate the Kinetics models were trained at. */
export const KINETICS_FPS = 30;

export function clipDuration(config: Pick<SlowFastConfig, 'fastFrames' | 'tau' | 'alpha'>): number {
  return (config.fastFrames * (config.tau / config.alpha)) / KINETICS_FPS;
}

/** Frames a clip holds: the Fast pathway's T·α, or the Slow-only baseline's T (its only pathway). */
export function clipFrames(config: Pick<SlowFastConfig, 'fastFrames' | 'alpha' | 'slowOnly'>): number {
  return config.slowOnly ? config.fastFrames / config.alpha : config.fastFrames;
}

/** Frames per second a clip samples (15 for the 8×8 and 4×16 presets): a source at this rate loses nothing. */
export function clipFrameRate(config: Pick<SlowFastConfig, 'fastFrames' | 'alpha' | 'slowOnly' | 'tau'>): number {
  return clipFrames(config) / clipDuration(config);
}

export interface ClipWindow {
  /** Seconds. */
  start: number;
  end: number;
}

/**
 * Clip windows every `stride` seconds across a video of `duration` seconds; the last one ends at the end of
 * the video so its tail is covered. A video shorter than one clip gives one window over all of it.
 */
export function clipWindows(duration: number, length: number, stride = 1): ClipWindow[] {
  if (!(duration > 0)) return [];
  if (duration <= length) return [{ start: 0, end: duration }];
  const windows: ClipWindow[] = [];
  for (let start = 0; start + length <= duration + 1e-9; start += stride) windows.push({ start, end: start + length });
  const last = windows[windows.length - 1];
  if (last.end < duration - 1e-6) windows.push({ start: duration - length, end: duration });
  return windows;
}

/**
 * The paper's test protocol's clips: `count` windows evenly spaced over the video, the i-th starting at
 * i/count of the slack (PySlowFast's temporal sampling for testing: delta · clip_idx / num_clips).
 */
export function evenlySpacedWindows(duration: number, length: number, count: number): ClipWindow[] {
  if (!(duration > 0)) return [];
  if (duration <= length) return [{ start: 0, end: duration }];
  const slack = duration - length;
  return Array.from({ length: count }, (_, i) => ({ start: (slack * i) / count, end: (slack * i) / count + length }));
}

/**
 * For each of the clip's `count` frames, the index (into `timestamps`, seconds, ascending) of the source frame
 * it shows. Frames whose start lies in [start, end) belong to the clip; when none do, the nearest frame.
 */
export function pickFrames(timestamps: readonly number[], window: ClipWindow, count: number): number[] {
  let first = timestamps.findIndex((t) => t >= window.start - 1e-6);
  if (first < 0) first = timestamps.length - 1;
  let last = first;
  while (last + 1 < timestamps.length && timestamps[last + 1] < window.end - 1e-6) last++;
  return linspaceIndices(last - first + 1, count).map((i) => first + i);
}
