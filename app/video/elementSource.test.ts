import { describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { fetchShared } from '../../kernels/fixtures.ts';
import { clipFrameRate } from '../../model/clips.ts';
import { GOLDEN_FIXTURES } from '../../model/goldenFixtures.ts';
import { readWeights } from '../../model/weights/load.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { Engine } from '../engine/engine.ts';
import { analyzeVideo } from './analyze.ts';
import { openVideoFile } from './decode.ts';
import { maxLogProbDelta } from './clipDistance.ts';
import { phoneVideoNames } from '../../scripts/phoneVideoNames.mjs';
import { elementVideoInfo, frameGrid, openElementFrames, openPlayableVideo, serveElementFrames } from './elementSource.ts';

const config = GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px;

async function rgba(frame: VideoFrame): Promise<Uint8Array> {
  const bytes = new Uint8Array(frame.allocationSize({ format: 'RGBA' }));
  await frame.copyTo(bytes, { format: 'RGBA' });
  return bytes;
}

/** cricket.mp4 through the <video> element, served over a port as the page serves the worker. */
async function viaElement(url: string) {
  const blobUrl = URL.createObjectURL(await (await fetch(url)).blob());
  const video = await openPlayableVideo(blobUrl);
  if (!video) throw new Error(`${url} did not play`);
  const times = frameGrid(video.duration, clipFrameRate(config));
  const info = elementVideoInfo(video);
  return openElementFrames({ port: serveElementFrames(video, times), info, times });
}

describe('frames from the browser\'s player', () => {
  it('lays a grid of times over the whole video', () => {
    expect(frameGrid(1, 4)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(frameGrid(1.1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(frameGrid(0.01, 15)).toEqual([0]);
  });

  it('refuses what the player cannot play (HEVC here; a text file)', async () => {
    const hevc = URL.createObjectURL(await (await fetch('/generated-media/cricket-hevc.mp4')).blob());
    expect(await openPlayableVideo(hevc)).toBeUndefined();
    const text = URL.createObjectURL(new Blob(['not a video'], { type: 'video/mp4' }));
    expect(await openPlayableVideo(text)).toBeUndefined();
  });

  it('serves, at each grid time, exactly the frame WebCodecs decodes for that time', async () => {
    const decoded: { time: number; pixels: Uint8Array }[] = [];
    const file = await openVideoFile(await (await fetch('/shared/media/cricket.mp4')).blob());
    for await (const f of file.frames()) {
      decoded.push({ time: f.timestamp / 1e6, pixels: await rgba(f) });
      f.close();
    }
    file.dispose();
    const served = await viaElement('/shared/media/cricket.mp4');
    expect(served.info.duration).toBeCloseTo(3.16, 2);
    const times = await served.frameTimestamps();
    expect(times.length).toBe(Math.ceil(3.16 * 15));
    let i = 0;
    for await (const frame of served.frames()) {
      expect(frame.timestamp).toBe(Math.round(times[i] * 1e6));
      // The frame on screen at t is the last one that starts at or before t.
      const expected = decoded.filter((d) => d.time <= times[i] + 1e-6).at(-1)!;
      const pixels = await rgba(frame);
      frame.close();
      let diff = 0;
      for (let j = 0; j < pixels.length; j++) diff += Math.abs(pixels[j] - expected.pixels[j]);
      expect(diff / pixels.length, `frame at ${times[i]} s`).toBeLessThan(0.5);
      i++;
    }
    expect(i).toBe(times.length);
    served.dispose();
  });

  it('feeds whole-video analysis: the same clips and labels as decoding with WebCodecs', async () => {
    const device = (await acquireGpu()).device;
    const dict = (await readWeights(new Uint8Array(await fetchShared('golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth')))).dict;
    const decodedFile = await openVideoFile(await (await fetch('/shared/media/cricket.mp4')).blob());
    const engine = new Engine(device);
    const model = { id: 1, config, weights: () => new StateDictSource(dict) };
    const decoded = await analyzeVideo(engine, model, decodedFile);
    decodedFile.dispose();
    const served = await viaElement('/shared/media/cricket.mp4');
    const played = await analyzeVideo(engine, model, served);
    served.dispose();
    expect(played.map((r) => [r.start, r.end])).toEqual(decoded.map((r) => [r.start, r.end]).map(([s, e]) => [expect.closeTo(s, 2), expect.closeTo(e, 2)]));
    // The two pick frames differently (a 15 fps grid against the source's own frames), so only the clear
    // winner must agree; the rest of the top-5 may trade places.
    expect(played.map((r) => r.top[0].index)).toEqual(decoded.map((r) => r.top[0].index));
    played.forEach((r, i) => {
      const shared = r.top.filter((l) => decoded[i].top.some((d) => d.index === l.index)).length;
      expect(shared, `clip ${i}: ${r.top.map((l) => l.index)} vs ${decoded[i].top.map((l) => l.index)}`).toBeGreaterThanOrEqual(4);
    });
  });

  it('turns a phone video once: the player shows it upright, and the ring adds no turn of its own', async () => {
    const device = (await acquireGpu()).device;
    const dict = (await readWeights(new Uint8Array(await fetchShared('golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth')))).dict;
    const engine = new Engine(device);
    const model = { id: 1, config, weights: () => new StateDictSource(dict) };
    const names = phoneVideoNames(90);
    const played = async (name: string) => {
      const served = await viaElement(`/generated-media/${name}`);
      try {
        return { info: served.info, clips: await analyzeVideo(engine, model, served) };
      } finally {
        served.dispose();
      }
    };
    const tagged = await played(names.tagged);
    expect([tagged.info.width, tagged.info.height]).toEqual([224, 336]);
    const upright = await played(names.upright);
    expect(maxLogProbDelta(tagged.clips, upright.clips)).toBeLessThan(0.05);
    expect(maxLogProbDelta(tagged.clips, (await played(names.stored)).clips)).toBeGreaterThan(0.5);
  });
});
