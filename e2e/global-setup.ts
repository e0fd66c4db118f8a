// Before any browser starts: the fake camera's video (a .y4m of cricket.mp4, by ffmpeg) and the bad-input
// corpus (e2e/corpus.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeCorpus } from './corpus.mjs';
import { FAKE_CAMERA } from './paths.ts';

export default function globalSetup() {
  makeCorpus();
  if (existsSync(FAKE_CAMERA)) return;
  mkdirSync(dirname(FAKE_CAMERA), { recursive: true });
  const source = new URL('../../shared/media/cricket.mp4', import.meta.url).pathname;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', source, '-pix_fmt', 'yuv420p', FAKE_CAMERA]);
}
