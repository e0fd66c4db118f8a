// Property-based fuzzing of the video reader: the shared MP4, WebM and GIF with bytes flipped, cut, inserted
// or overwritten. Whatever the bytes, opening and decoding every frame either works or throws a
// VideoInputError — never another error, never a hang — and every frame handed out can be closed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutation } from '../../e2e/mutate.ts';
import { openVideoFile, VideoInputError } from './decode.ts';

/** The most one open-and-decode may take (the intact files take well under a second). */
const TIME_LIMIT_MS = 15_000;

async function bytesOf(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(path)).arrayBuffer());
}

/** Opens and decodes all of `bytes`: resolves true, or rejects with anything but a VideoInputError. */
async function decodesOrRefuses(bytes: Uint8Array): Promise<boolean> {
  const attempt = (async () => {
    let video;
    try {
      video = await openVideoFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
      await video.frameTimestamps();
      for await (const frame of video.frames()) frame.close();
    } catch (e) {
      if (!(e instanceof VideoInputError)) throw new Error(`not a VideoInputError: ${(e as Error)?.stack ?? e}`);
    } finally {
      video?.dispose();
    }
    return true;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS)));
  try {
    return await Promise.race([attempt, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the video reader under mutation: frames or a VideoInputError, in time', () => {
  for (const [file, numRuns] of [['cricket.mp4', 150], ['cricket.webm', 150], ['cricket.gif', 40]] as const) {
    it(file, async () => {
      const original = await bytesOf(`/shared/media/${file}`);
      expect(await decodesOrRefuses(original)).toBe(true);
      await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => decodesOrRefuses(mutate(original, ms))), { numRuns, seed: 20261124 });
    }, 600_000);
  }
});
