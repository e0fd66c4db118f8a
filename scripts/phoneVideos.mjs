// Phone-style test videos, made by ffmpeg: phones store portrait (or upside-down) video as landscape frames
// and put the turn in the MP4's display matrix. For each turn: the tagged file as a phone writes it, the same
// stored frames untagged (what a player that ignores the tag shows), and ffmpeg's own upright re-encode of
// the tagged file (ffmpeg applies the display matrix when it decodes), which the tagged file must classify as.
// The stored frames are cricket.mp4 padded (to 224 × 336 upright for a quarter turn, 336 × 224 for a half
// turn) and turned so that the tag shows them upright: stored landscape, as a phone's are. Both
// encodings are VP9 lossless (in MP4 for the tagged one, as the tag needs MP4), so re-encoding noise is only
// the chroma planes' subsampling of a turned picture.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { phoneVideoNames } from './phoneVideoNames.mjs';

export { PHONE_TURNS, phoneVideoNames, parsePhoneVideoName } from './phoneVideoNames.mjs';

// ffmpeg 5's `rotate` tag turns the picture counter-clockwise for display: the stored frames are turned the
// other way, so the tagged file shows cricket upright. (Which way the tag turns is ffmpeg's business; the
// tests compare with ffmpeg's own upright re-encode.)
const STORED_FILTER = {
  90: 'pad=iw:ih+112:0:56,transpose=clock',
  180: 'pad=iw+112:ih:56:0,hflip,vflip',
  270: 'pad=iw:ih+112:0:56,transpose=cclock',
};
const LOSSLESS_VP9 = ['-an', '-c:v', 'libvpx-vp9', '-lossless', '1', '-pix_fmt', 'yuv420p'];

const run = promisify(execFile);
const ffmpeg = (args) => run('ffmpeg', ['-v', 'error', '-y', ...args]);

const making = new Map();

/**
 * Makes (once) the three files of `turn` in `dir` from `media` (../shared/media); returns their paths. Asked
 * again while they are being made, it waits for the same making.
 */
export function makePhoneVideos(turn, dir, media) {
  const key = join(dir, String(turn));
  if (!making.has(key)) making.set(key, make(turn, dir, media).catch((e) => (making.delete(key), Promise.reject(e))));
  return making.get(key);
}

async function make(turn, dir, media) {
  const names = phoneVideoNames(turn);
  const path = Object.fromEntries(Object.entries(names).map(([k, n]) => [k, join(dir, n)]));
  if (Object.values(path).every((p) => existsSync(p))) return path;
  mkdirSync(dir, { recursive: true });
  await ffmpeg(['-i', join(media, 'cricket.mp4'), '-vf', STORED_FILTER[turn], ...LOSSLESS_VP9, path.stored]);
  await ffmpeg(['-i', path.stored, '-c', 'copy', '-metadata:s:v', `rotate=${turn}`, path.tagged]);
  await ffmpeg(['-i', path.tagged, ...LOSSLESS_VP9, path.upright]);
  return path;
}
