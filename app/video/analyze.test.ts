import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, liveResources } from '../../kernels/device.ts';
import { fetchShared } from '../../kernels/fixtures.ts';
import { GOLDEN_FIXTURES } from '../../model/goldenFixtures.ts';
import { readWeights } from '../../model/weights/load.ts';
import { PRESETS, scaledConfig } from '../../model/slowfast.ts';
import { RandomSource, StateDictSource } from '../../model/weights/weightSource.ts';
import type { StateDict } from '../../model/weights/stateDict.ts';
import { Engine, type EngineModel } from '../engine/engine.ts';
import { modelBudget } from '../engine/runtime.ts';
import { plannedGpuBytes } from '../../model/executor.ts';
import { clipFrames } from '../../model/clips.ts';
import { analyzeVideo, analyzeVideoWith, planAnalysis, type AnalysisProgress, type ClipResult } from './analyze.ts';
import { maxLogProbDelta } from './clipDistance.ts';
import { openVideoFile } from './decode.ts';
import { PHONE_TURNS, phoneVideoNames } from '../../scripts/phoneVideoNames.mjs';

let device: GPUDevice;
let engine: Engine;
let dict: StateDict;
let model: EngineModel;
const config = GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px;
/** |Δ log p| a re-encode may move a class by: chroma subsampled on a turned picture. */
const PHONE_NOISE = 0.05;

beforeAll(async () => {
  device = (await acquireGpu()).device;
  engine = new Engine(device);
  dict = (await readWeights(new Uint8Array(await fetchShared('golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth')))).dict;
  model = { id: 1, config, weights: () => new StateDictSource(dict) };
});

async function analyze(path: string, options: Parameters<typeof analyzeVideo>[3] = {}) {
  const video = await openVideoFile(await (await fetch(path)).blob());
  try {
    return await analyzeVideo(engine, model, video, options);
  } finally {
    video.dispose();
  }
}

describe('planAnalysis', () => {
  it('needs no more ring slots than the frames of the clips that overlap', () => {
    const ts = Array.from({ length: 79 }, (_, i) => i / 25);
    const plan = planAnalysis(ts, 3.16, config, 1);
    expect(plan.windows.length).toBe(3);
    expect(plan.picks.every((p) => p.length === 32)).toBe(true);
    // 25 fps × 2.13 s ≈ 53 frames per clip; the union over all clips is every frame of the 3.16 s video.
    expect(plan.slotsPerView).toBeLessThanOrEqual(79);
    expect(plan.slotsPerView).toBeGreaterThanOrEqual(32);
  });
});

describe('analyzeVideo', () => {
  it('classifies clips every second across cricket.mp4, with progress, covering the whole video', async () => {
    const progress: AnalysisProgress[] = [];
    const streamed: ClipResult[] = [];
    const results = await analyze('/shared/media/cricket.mp4', { onProgress: (p) => progress.push(p), onClip: (r) => streamed.push(r) });
    expect(results.length).toBe(3);
    expect(streamed).toEqual(results);
    expect(results[0].start).toBe(0);
    expect(results[results.length - 1].end).toBeCloseTo(3.16, 1);
    for (const r of results) {
      expect(r.probabilities.length).toBe(400);
      expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(r.top).toHaveLength(5);
    }
    expect(progress.at(-1)).toMatchObject({ clipsDone: 3, clips: 3 });
  });

  it('gives the same labels for the same clip from H.264 and VP9 encodings', async () => {
    const mp4 = await analyze('/shared/media/cricket.mp4');
    const webm = await analyze('/shared/media/cricket.webm');
    expect(webm.map((r) => r.top[0].index)).toEqual(mp4.map((r) => r.top[0].index));
  });

  it('3-view testing: identical to 1 view on a square video, different on a wide one', async () => {
    const close = (a: ClipResult[], b: ClipResult[]) =>
      a.every((r, i) => r.probabilities.every((p, j) => Math.abs(p - b[i].probabilities[j]) < 1e-5));
    const square1 = await analyze('/shared/media/cricket.mp4');
    const square3 = await analyze('/shared/media/cricket.mp4', { views: 3 });
    expect(close(square3, square1)).toBe(true);
    const wide1 = await analyze('/generated-media/cricket-wide.mp4');
    const wide3 = await analyze('/generated-media/cricket-wide.mp4', { views: 3 });
    expect(close(wide3, wide1)).toBe(false);
    for (const r of wide3) expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('mirrored views: the plain views unchanged, and each mirrored view as the mirrored video seen plainly', async () => {
    const plain = await analyze('/generated-media/cricket-lossless.webm', { views: 3 });
    const both = await analyze('/generated-media/cricket-lossless.webm', { views: 3, mirrored: true });
    const mirroredVideo = await analyze('/generated-media/cricket-mirrored.webm', { views: 3 });
    const near = (a: Float32Array, b: Float32Array) => {
      const scale = Math.max(...b.map(Math.abs));
      return a.every((v, i) => Math.abs(v - b[i]) <= 1e-4 * scale);
    };
    expect(both.length).toBe(plain.length);
    both.forEach((r, c) => {
      expect(r.features).toHaveLength(6);
      for (let v = 0; v < 3; v++) expect(near(r.features[v], plain[c].features[v])).toBe(true);
      // Mirrored, the start crop is the mirrored video's end crop (on a square video all three are the same).
      for (let v = 0; v < 3; v++) expect(near(r.features[3 + v], mirroredVideo[c].features[2 - v])).toBe(true);
      expect(near(r.features[3], r.features[1])).toBe(false);
    });
  });

  it('runs the Slow-only baseline too: 8 frames per clip, one stride of 8 source frames at 30 fps', async () => {
    const slowOnly = { ...PRESETS.slow_r50_8x8, stemChannels: [16, 8] as const, inputSize: 64 };
    const ts = Array.from({ length: 79 }, (_, i) => i / 25);
    expect(planAnalysis(ts, 3.16, slowOnly, 1).picks.every((p) => p.length === 8)).toBe(true);
    const video = await openVideoFile(await (await fetch('/shared/media/cricket.mp4')).blob());
    try {
      const results = await analyzeVideo(engine, { id: 2, config: slowOnly, weights: () => new RandomSource(3) }, video);
      expect(results.map((r) => r.start)).toEqual([0, 1, expect.closeTo(3.16 - 64 / 30, 2)]);
      for (const r of results) expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    } finally {
      video.dispose();
    }
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const result = analyze('/shared/media/cricket.mp4', { signal: controller.signal, onClip: () => controller.abort() });
    await expect(result).rejects.toThrow(/abort/i);
  });

  it('two models on one decode: each gives exactly its clips alone, over its own spans (a 16×8 clip is 4.27 s)', async () => {
    const long: EngineModel = { id: 4, config: scaledConfig('slowfast_r101_16x8', 0.125, 64), weights: () => new RandomSource(5) };
    const alone = { golden: await analyze('/shared/media/cricket.mp4'), long: [] as ClipResult[] };
    const longNotices: string[] = [];
    const video = await openVideoFile(await (await fetch('/shared/media/cricket.mp4')).blob());
    try {
      alone.long = await analyzeVideo(engine, long, video);
    } finally {
      video.dispose();
    }
    const again = await openVideoFile(await (await fetch('/shared/media/cricket.mp4')).blob());
    let both: ClipResult[][];
    try {
      both = await analyzeVideoWith(engine, [{ model, options: {} }, { model: long, options: { onNotice: (n) => longNotices.push(n.message) } }], again);
    } finally {
      again.dispose();
    }
    const plain = (rs: ClipResult[]) => rs.map((r) => ({ start: r.start, end: r.end, probabilities: Array.from(r.probabilities) }));
    expect(plain(both[0])).toEqual(plain(alone.golden));
    expect(plain(both[1])).toEqual(plain(alone.long));
    expect(both[0]).toHaveLength(3);
    // The 3.16 s video is shorter than one 4.27 s clip: one clip, spread over the video, and said so for that model only.
    expect(both[1].map((r) => [r.start, r.end])).toEqual([[0, expect.closeTo(3.16, 1)]]);
    expect(longNotices).toEqual([expect.stringMatching(/shorter than one clip \(4\.27 s\)/)]);
  });

  it('a second video reuses the resident model: no classifier built, no pipeline, no buffer, no weight upload', async () => {
    const fresh = new Engine(device);
    const first = await analyzeVideoAt(fresh, '/shared/media/cricket.mp4');
    const before = liveResources(device);
    const second = await analyzeVideoAt(fresh, '/shared/media/cricket.webm');
    const after = liveResources(device);
    expect(fresh.builds).toBe(1);
    expect(after.pipelinesCreated - before.pipelinesCreated).toBe(0);
    expect(after.buffersCreated - before.buffersCreated).toBe(0);
    // The second video uploads its clips' frame indices (a few bytes a clip), not the weights again.
    const weightBytes = [...dict.values()].reduce((a, t) => a + t.data.byteLength, 0);
    expect(after.bytesUploaded - before.bytesUploaded).toBeLessThan(weightBytes / 100);
    expect(second.map((r) => r.top[0].index)).toEqual(first.map((r) => r.top[0].index));

    // Another input size plans a new classifier on the weights already on the GPU: nothing is read, folded or
    // uploaded again but uniforms and frame indices, and the labels are those of a model built from the weights.
    const at96 = { ...model, config: { ...config, inputSize: 96 }, weights: () => { throw new Error('the weights were read again'); } };
    const beforeResize = liveResources(device);
    const resized = await analyzeVideoAt(fresh, '/shared/media/cricket.mp4', at96);
    expect(fresh.builds).toBe(2);
    expect(liveResources(device).bytesUploaded - beforeResize.bytesUploaded).toBeLessThan(weightBytes / 10);
    const other = new Engine(device);
    const built = await analyzeVideoAt(other, '/shared/media/cricket.mp4', { ...at96, weights: model.weights });
    other.destroy();
    expect(resized.map((r) => Array.from(r.probabilities))).toEqual(built.map((r) => Array.from(r.probabilities)));

    // New weights (a new load) are read and built.
    await analyzeVideoAt(fresh, '/shared/media/cricket.mp4', { ...model, id: 3 });
    expect(fresh.builds).toBe(3);
    fresh.destroy();
  });
});

// Phones store portrait video as landscape frames and put the turn in the container: the model must see what the
// player shows. The upright re-encode is ffmpeg's, so the only difference is re-encoding noise; the stored frames
// untagged are what a turn ignored would give.
describe('a phone video (landscape frames turned by the container)', () => {
  for (const turn of PHONE_TURNS)
    it(`turned ${turn}°: labelled as its upright re-encode, not as its stored frames`, async () => {
      const names = phoneVideoNames(turn);
      const video = await openVideoFile(await (await fetch(`/generated-media/${names.tagged}`)).blob());
      expect([video.info.width, video.info.height]).toEqual(turn === 180 ? [336, 224] : [224, 336]);
      video.dispose();
      const tagged = await analyze(`/generated-media/${names.tagged}`, { views: 3 });
      const upright = await analyze(`/generated-media/${names.upright}`, { views: 3 });
      const stored = await analyze(`/generated-media/${names.stored}`, { views: 3 });
      expect(maxLogProbDelta(tagged, upright)).toBeLessThan(PHONE_NOISE);
      expect(maxLogProbDelta(tagged, stored)).toBeGreaterThan(10 * PHONE_NOISE);
    });
});

describe('two models resident together (a comparison)', () => {
  it('a second video builds and uploads nothing; a new partner uploads only its weights, a new first model only its own', async () => {
    const fresh = new Engine(device);
    const slowOnly = (id: number, seed: number): EngineModel => ({ id, config: { ...PRESETS.slow_r50_8x8, stemChannels: [16, 8], inputSize: 64 }, weights: () => new RandomSource(seed) });
    const weightBytes = new Map<number, number>();
    const compare = async (first: EngineModel, second: EngineModel) => {
      const video = await openVideoFile(await (await fetch('/shared/media/cricket.mp4')).blob());
      try {
        const record = (m: EngineModel) => (c: { memory: { weightBytes: number } }) => weightBytes.set(m.id, c.memory.weightBytes);
        return await analyzeVideoWith(fresh, [{ model: first, options: { onClassifier: record(first) } }, { model: second, options: { slot: 'partner', onClassifier: record(second) } }], video);
      } finally {
        video.dispose();
      }
    };
    const uploadedBy = async (run: () => Promise<unknown>) => {
      const before = liveResources(device).bytesUploaded;
      await run();
      return liveResources(device).bytesUploaded - before;
    };
    const partner = slowOnly(21, 3);
    const both = await uploadedBy(() => compare(model, partner));
    expect(fresh.builds).toBe(2);
    const main = weightBytes.get(model.id)!;
    const slow = weightBytes.get(partner.id)!;
    expect(both).toBeGreaterThanOrEqual(main + slow);

    // The same two models again: both are still on the GPU.
    expect(await uploadedBy(() => compare(model, partner))).toBeLessThan((main + slow) / 100);
    expect(fresh.builds).toBe(2);

    // Another partner: its weights, not the first model's.
    const other = slowOnly(22, 4);
    const newPartner = await uploadedBy(() => compare(model, other));
    expect(fresh.builds).toBe(3);
    expect(newPartner).toBeGreaterThanOrEqual(weightBytes.get(other.id)!);
    expect(newPartner).toBeLessThan(weightBytes.get(other.id)! + main / 2);

    // Another first model beside the same partner: its weights, not the partner's.
    const reloaded = { ...model, id: 23 };
    const newFirst = await uploadedBy(() => compare(reloaded, other));
    expect(fresh.builds).toBe(4);
    expect(newFirst).toBeGreaterThanOrEqual(main);
    expect(newFirst).toBeLessThan(main + weightBytes.get(other.id)! / 2);

    // The comparison ends: the first model alone is still resident.
    fresh.free('partner');
    expect(await uploadedBy(() => analyzeVideoAt(fresh, '/shared/media/cricket.mp4', reloaded))).toBeLessThan(main / 100);
    expect(fresh.builds).toBe(4);
    fresh.destroy();
  });
});

describe('a model\'s GPU memory planned without a device (the budget shown before a second model loads)', () => {
  it('is what the engine then holds: the same weights, the same activation slots', async () => {
    const fresh = new Engine(device);
    for (const size of [64, 96]) {
      const at = { ...model, config: { ...config, inputSize: size } };
      const lease = await fresh.lease(at, { views: 1, slots: 40 });
      try {
        const planned = modelBudget('golden', at.config);
        expect(lease.classifier.memory.weightBytes).toBe(planned.weightBytes);
        expect(plannedGpuBytes(lease.classifier.model.graph, { ring: 'f32' }).activationBytes).toBe(lease.classifier.memory.activationBytes);
        // Working memory: those activations and a ring of one clip's frames.
        expect(planned.workingBytes).toBeGreaterThan(lease.classifier.memory.activationBytes + 3 * clipFrames(config) * size * size * 4);
      } finally {
        lease.release();
      }
    }
    fresh.destroy();
  });
});

async function analyzeVideoAt(on: Engine, path: string, m: EngineModel = model) {
  const video = await openVideoFile(await (await fetch(path)).blob());
  try {
    return await analyzeVideo(on, m, video);
  } finally {
    video.dispose();
  }
}
