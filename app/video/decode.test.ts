import { describe, expect, it } from 'vitest';
import { openVideoFile, VideoInputError, type VideoFile } from './decode.ts';

async function media(path: string): Promise<Blob> {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${await r.text()}`);
  return r.blob();
}

async function allTimestamps(video: VideoFile): Promise<number[]> {
  const ts: number[] = [];
  for await (const frame of video.frames()) {
    ts.push(frame.timestamp);
    frame.close();
  }
  return ts;
}

describe('openVideoFile', () => {
  for (const [file, codec] of [['cricket.mp4', 'avc'], ['cricket.webm', 'vp9'], ['cricket.gif', 'gif']] as const) {
    it(`decodes all 79 frames of ${file} (${codec}) with 25 fps timestamps`, async () => {
      const video = await openVideoFile(await media(`/shared/media/${file}`));
      expect(video.info).toMatchObject({ width: 224, height: 224, codec });
      expect(video.info.duration).toBeCloseTo(3.16, 1);
      const ts = await allTimestamps(video);
      video.dispose();
      expect(ts).toHaveLength(79);
      // 25 fps: 40 ms apart, in presentation order (µs; the GIF's frame delays are in 10 ms units).
      for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeCloseTo(40_000, -3);
      expect(ts[0]).toBeLessThan(1000);
    });
  }

  it('stops early without leaking: breaking out closes the decoder', async () => {
    const video = await openVideoFile(await media('/shared/media/cricket.mp4'));
    let n = 0;
    for await (const frame of video.frames()) {
      frame.close();
      if (++n === 5) break;
    }
    expect(n).toBe(5);
    // A second pass decodes from the start again.
    expect(await allTimestamps(video)).toHaveLength(79);
    video.dispose();
  });

  const failures: [string, () => Promise<Blob>, VideoInputError['kind'], RegExp][] = [
    ['an HEVC file', () => media('/generated-media/cricket-hevc.mp4'), 'unsupported-codec', /cannot decode H\.265\/HEVC video/],
    ['an audio-only file', () => media('/generated-media/tone.m4a'), 'no-video-track', /only audio/],
    ['an empty file', async () => new Blob([]), 'empty', /empty/],
    ['random bytes', async () => new Blob([crypto.getRandomValues(new Uint8Array(4096))]), 'not-a-video', /not a video/],
  ];
  for (const [name, blob, kind, message] of failures) {
    it(`explains ${name}`, async () => {
      const error = await openVideoFile(await blob()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VideoInputError);
      expect((error as VideoInputError).kind).toBe(kind);
      expect((error as VideoInputError).message).toMatch(message);
    });
  }
});
