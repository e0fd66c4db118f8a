// Made-up actions for teaching tests, drawn by ffmpeg: a white bar sweeping left → right, or right → left,
// over a dark frame; or nothing at all (the frame alone, a shade lighter per variant). Variants differ in the bar's width, speed and height, so takes of one action are alike
// but not the same.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export type Sweep = 'left to right' | 'right to left' | 'nothing';

export interface SweepOptions {
  /** 1, 2, 3, …: each a different bar. */
  variant: number;
  seconds?: number;
  /** y4m is raw video, for Chromium's fake camera. */
  format?: 'mp4' | 'y4m';
  size?: number;
}

/** Writes the video into `dir` and returns its path. */
export function makeSweep(dir: string, sweep: Sweep, { variant, seconds = 2.6, format = 'mp4', size = 96 }: SweepOptions): string {
  const width = Math.round(size * (0.08 + 0.04 * variant));
  const speed = size * (0.3 + 0.1 * variant);
  const span = size + width;
  const x = sweep === 'left to right' ? `mod(t*${speed}\\,${span})-${width}` : `${size}-mod(t*${speed}\\,${span})`;
  const path = join(dir, `${sweep.replace(/ /g, '-')}-${variant}.${format}`);
  const source = (colour: string, s: string) => ['-f', 'lavfi', '-i', `color=c=${colour}:s=${s}:r=25:d=${seconds}`];
  if (sweep === 'nothing') {
    const shade = (0x20 + 4 * variant).toString(16).padStart(2, '0');
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...source(`0x${shade.repeat(3)}`, `${size}x${size}`), ...(format === 'mp4' ? ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] : ['-pix_fmt', 'yuv420p']), path]);
    return path;
  }
  execFileSync('ffmpeg', [
    '-loglevel', 'error', '-y', ...source('0x202020', `${size}x${size}`), ...source('white', `${width}x${Math.round(size * 0.8)}`),
    '-filter_complex', `[0][1]overlay=x='${x}':y=${(variant * size) / 24}:shortest=1`,
    ...(format === 'mp4' ? ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] : ['-pix_fmt', 'yuv420p']), path,
  ]);
  return path;
}

/** Several variants one after another in one raw video (a fake camera loops it): a person moving about while showing one action. */
export function makeSweepLoop(dir: string, sweep: Sweep, variants: number[], seconds = 4): string {
  const parts = variants.map((variant) => makeSweep(dir, sweep, { variant, seconds, format: 'y4m' }));
  const path = join(dir, `${sweep.replace(/ /g, '-')}-${variants.join('+')}.y4m`);
  execFileSync('ffmpeg', [
    '-loglevel', 'error', '-y', ...parts.flatMap((p) => ['-i', p]),
    '-filter_complex', `${parts.map((_, i) => `[${i}:v]`).join('')}concat=n=${parts.length}:v=1[v]`, '-map', '[v]', '-pix_fmt', 'yuv420p', path,
  ]);
  return path;
}
