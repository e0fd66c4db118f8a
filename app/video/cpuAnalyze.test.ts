// The CPU engine on a real video: its preprocessing reproduces the golden inputs (as the GPU ring does), and a
// whole-video analysis of cricket.mp4 gives the clips and labels the WebGPU engine gives.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { fetchShared } from '../../kernels/fixtures.ts';
import { GOLDEN_FIXTURES } from '../../model/goldenFixtures.ts';
import { readWeights } from '../../model/weights/load.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import type { StateDict } from '../../model/weights/stateDict.ts';
import { CpuEngine } from '../engine/cpuEngine.ts';
import { Engine, type EngineModel } from '../engine/engine.ts';
import { analyzeVideo } from './analyze.ts';
import { CpuFrameRing } from './cpuFrameRing.ts';
import { maxLogProbDelta } from './clipDistance.ts';
import { openVideoFile } from './decode.ts';
import { PHONE_TURNS, phoneVideoNames } from '../../scripts/phoneVideoNames.mjs';
import { distanceFromGolden, writeGoldenFrames } from './goldenFrames.ts';

let dict: StateDict;
let model: EngineModel;
const config = GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px;
const dir = 'golden/slowfast_r50_w16_8x8_64px';

beforeAll(async () => {
  dict = (await readWeights(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
  model = { id: 1, config, weights: () => new StateDictSource(dict) };
});

const openCricket = async () => openVideoFile(await (await fetch('/shared/media/cricket.mp4')).blob());

describe('the CPU engine on video', () => {
  it('preprocesses cricket.mp4 at the golden frame indices into input_fast.bin (mean |Δ| ≤ 0.03)', async () => {
    const ring = new CpuFrameRing({ size: 64, slots: 32 });
    await writeGoldenFrames(ring);
    expect((await distanceFromGolden(await ring.read(), 'input_fast.bin')).mean).toBeLessThanOrEqual(0.03);
  });

  it('analyses cricket.mp4 clip by clip as the WebGPU engine does, and keeps the model for the next video', async () => {
    const cpu = new CpuEngine();
    const video = await openCricket();
    const onCpu = await analyzeVideo(cpu, model, video);
    video.dispose();
    const gpuVideo = await openCricket();
    const onGpu = await analyzeVideo(new Engine((await acquireGpu()).device), model, gpuVideo);
    gpuVideo.dispose();
    expect(onCpu.map((c) => [c.start, c.end])).toEqual(onGpu.map((c) => [c.start, c.end]));
    onCpu.forEach((c, i) => {
      // Both engines decode the same frames; their preprocessing differs by rounding (canvas vs texture
      // sampling), so the labels agree and the probabilities closely.
      expect(c.top[0].index).toBe(onGpu[i].top[0].index);
      const worst = Math.max(...c.probabilities.map((p, k) => Math.abs(p - onGpu[i].probabilities[k])));
      expect(worst).toBeLessThan(0.01);
      expect(c.features[0].length).toBe(onGpu[i].features[0].length);
    });
    // A second video reuses the classifier.
    const again = await openCricket();
    await analyzeVideo(cpu, model, again, { views: 3 });
    again.dispose();
    expect(cpu.builds).toBe(1);
    // A label file for the same weights renames the resident classifier's classes; nothing is rebuilt.
    const names = Array.from({ length: config.numClasses }, (_, i) => `action ${i}`);
    const named = await cpu.lease({ ...model, labels: names }, { slots: 32, views: 1 });
    expect(named.classifier.labels[254]).toBe('action 254');
    named.release();
    expect(cpu.builds).toBe(1);
  });
});

describe('the CPU engine on a phone video (landscape frames turned by the container)', () => {
  for (const turn of PHONE_TURNS)
    it(`turned ${turn}°: labelled as its upright re-encode, not as its stored frames`, async () => {
      const cpu = new CpuEngine();
      const analyze = async (name: string) => {
        const video = await openVideoFile(await (await fetch(`/generated-media/${name}`)).blob());
        try {
          return await analyzeVideo(cpu, model, video, { views: 3 });
        } finally {
          video.dispose();
        }
      };
      const names = phoneVideoNames(turn);
      const tagged = await analyze(names.tagged);
      // Within a re-encode's noise (|Δ log p| < 0.05), and far from the frames as stored.
      expect(maxLogProbDelta(tagged, await analyze(names.upright))).toBeLessThan(0.05);
      expect(maxLogProbDelta(tagged, await analyze(names.stored))).toBeGreaterThan(0.5);
    });
});
