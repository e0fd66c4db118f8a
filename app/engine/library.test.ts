// The public client (the npm package's API) from its source, in Chromium on WebGPU: each call against the golden
// checkpoint and real media, its errors, two models at once, the camera, teaching. (e2e/library.spec.ts runs the
// packed package in a Vite app.)
import { afterAll, describe, expect, it } from 'vitest';
import { sharedJson } from '../../kernels/fixtures.ts';
import { AbortedError, EngineClient, loadModel, VideoError, WeightsError, type ClipResult, type Model, type WeightsState } from './library.ts';

const CHECKPOINT = '/shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth';
const CRICKET = '/shared/media/cricket.mp4';
const manifest = await sharedJson<{ top5: { indices: number[] } }>('golden/slowfast_r50_w16_8x8_64px/manifest.json');
/** PyTorch's top class for the golden clip of cricket.mp4 (the checkpoint's random weights call it "presenting weather forecast"). */
const GOLDEN_TOP = manifest.top5.indices[0];
const blobOf = async (url: string) => (await fetch(url)).blob();

describe('the engine worker', () => {
  // Found as a WebKit flake: its engine starts slowly enough for a file to be picked first.
  it('weights sent while it starts are the ones loaded: its start-up look for the last model does not supersede them', async () => {
    const file = await blobOf(CHECKPOINT);
    const worker = new EngineClient();
    const states: WeightsState[] = [];
    worker.on((e) => {
      if (e.type === 'weights') states.push(e.state);
    });
    try {
      // Back to back: the file's load starts while the engine is still starting its GPU and storage.
      worker.send({ type: 'init', options: { keep: false, siteModels: false } });
      worker.send({ type: 'loadWeightsFile', file, name: 'checkpoint.pyth' });
      await expect.poll(() => states.at(-1)?.status, { timeout: 60_000 }).toBe('ready');
      // Nothing after it: the start-up's look ('not in this browser yet') neither came nor comes.
      await new Promise((r) => setTimeout(r, 1000));
      expect(states.map((s) => s.status).filter((s) => s !== 'loading')).toEqual(['ready']);
      expect(states.at(-1)).toMatchObject({ status: 'ready', model: { name: 'checkpoint.pyth' } });
    } finally {
      worker.terminate();
    }
  });
});

describe('the library', () => {
  const models: Model[] = [];
  const load = async (...args: Parameters<typeof loadModel>) => {
    const m = await loadModel(...args);
    models.push(m);
    return m;
  };
  afterAll(() => {
    for (const m of models) m.dispose();
  });

  it('loads a checkpoint by URL with progress, and labels a video as PyTorch does, streaming its clips', async () => {
    const progress: { loaded: number; total: number }[] = [];
    const model = await load(CHECKPOINT, { keep: false, inputSize: 64, onProgress: (p) => progress.push(p) });
    expect(model.info).toMatchObject({ key: 'custom', name: 'checkpoint.pyth', engine: 'webgpu', precision: 'f32' });
    expect(model.info.labels).toHaveLength(400);
    expect(model.info.adapter?.description).toBeTruthy();
    const size = (await blobOf(CHECKPOINT)).size;
    expect(progress.at(-1)!.loaded).toBe(size);

    const streamed: ClipResult[] = [];
    const result = await model.classifyVideo(CRICKET, { onClip: (c) => streamed.push(c) });
    expect(result.verdict?.index).toBe(GOLDEN_TOP);
    expect(result.top[0]).toEqual(result.verdict);
    expect(result.top).toHaveLength(5);
    expect(streamed).toEqual(result.clips);
    expect(result.clips.length).toBe(3);
    expect(result.clips[0].start).toBe(0);
    expect(result).toMatchObject({ multiLabel: false, engine: 'webgpu', inputSize: 64, views: 1, notices: [] });
    expect(result.classNames).toEqual(model.info.labels);
    // The verdict is the mean of the clips' probabilities.
    const mean = result.clips.reduce((a, c) => a + c.probabilities[GOLDEN_TOP], 0) / result.clips.length;
    expect(result.verdict!.probability).toBeCloseTo(mean, 5);
    for (const s of result.segments) expect(s.peak).toBeGreaterThanOrEqual(0.5);
    // Maps only when asked.
    expect(result.clips[0].maps).toBeUndefined();
    const withMaps = await model.classifyVideo(await blobOf(CRICKET), { classMaps: true, stride: 2 });
    expect(withMaps.clips[0].maps?.classes).toHaveLength(5);
  });

  it('keeps two models resident at once, on WebGPU and on the CPU engine, and they agree', async () => {
    const file = await blobOf(CHECKPOINT);
    const [gpu, cpu] = await Promise.all([load(file, { keep: false, inputSize: 64 }), load(new Uint8Array(await file.arrayBuffer()), { keep: false, inputSize: 64, engine: 'wasm' })]);
    expect(gpu.info.engine).toBe('webgpu');
    expect(cpu.info.engine).toBe('wasm');
    const video = await blobOf(CRICKET);
    const [a, b] = await Promise.all([gpu.classifyVideo(video), cpu.classifyVideo(video)]);
    expect(a.verdict?.index).toBe(GOLDEN_TOP);
    expect(b.verdict?.index).toBe(GOLDEN_TOP);
    expect(b.engine).toBe('wasm');
    expect(b.clips.length).toBe(a.clips.length);
    a.clips.forEach((c, i) => {
      let largest = 0;
      for (let k = 0; k < c.probabilities.length; k++) largest = Math.max(largest, Math.abs(c.probabilities[k] - b.clips[i].probabilities[k]));
      expect(largest).toBeLessThan(1e-3);
    });
    // The second is gone; the first still labels.
    cpu.dispose();
    expect((await gpu.classifyVideo(video, { stride: 2 })).verdict?.index).toBe(GOLDEN_TOP);
  });

  it('downloads a zoo model by name from a mirror, names its classes as given, and reads a <video> element\'s source', async () => {
    const progress: { loaded: number; total: number }[] = [];
    const labels = Array.from({ length: 400 }, (_, i) => `action ${i}`);
    const model = await load('SLOWFAST_8x8_R50', { mirror: '/test-zoo', keep: false, inputSize: 64, labels, onProgress: (p) => progress.push(p) });
    expect(model.info).toMatchObject({ key: 'SLOWFAST_8x8_R50', name: 'SlowFast R50 8×8', dataset: 'Kinetics-400' });
    expect(model.info.labels).toEqual(labels);
    expect(progress.at(-1)!.loaded).toBe((await blobOf(CHECKPOINT)).size);
    const element = document.createElement('video');
    element.src = CRICKET;
    const result = await model.classifyVideo(element, { stride: 2 });
    expect(result.verdict).toMatchObject({ index: GOLDEN_TOP, label: `action ${GOLDEN_TOP}` });
    expect(result.classNames).toEqual(labels);
    // The caller's element is left as it was: never played, never sought.
    expect(element.paused).toBe(true);
    expect(element.currentTime).toBe(0);
    // Labels of the wrong length are refused, and a name that is not the zoo's is read as an address.
    await expect(model.setLabels(['one', 'two'])).rejects.toThrow('The model\'s head has 400 classes, but 2 labels were given.');
    await expect(loadModel('/test-zoo/kinetics/none.txt', { keep: false })).rejects.toThrow(/The weights could not be fetched from \/test-zoo\/kinetics\/none\.txt: the server answered with a web page, not the file/);
  });

  it('says what went wrong: weights that are not, a file that is no video, an abort, a disposed model', async () => {
    await expect(loadModel(new File(['not a checkpoint'], 'notes.pyth'), { keep: false })).rejects.toThrow(WeightsError);
    await expect(loadModel(new File(['not a checkpoint'], 'notes.pyth'), { keep: false })).rejects.toThrow(/notes\.pyth is not usable weights/);
    const model = await load(CHECKPOINT, { keep: false, inputSize: 64 });
    const refused = await model.classifyVideo(new File(['hello'], 'hello.mp4', { type: 'video/mp4' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VideoError);
    expect((refused as VideoError).kind).toBe('not-a-video');
    expect((refused as VideoError).message).toMatch(/^hello\.mp4: /);

    const abort = new AbortController();
    const clips: ClipResult[] = [];
    const aborted = model.classifyVideo(CRICKET, { signal: abort.signal, onClip: (c) => (clips.push(c), abort.abort()) });
    await expect(aborted).rejects.toThrow(AbortedError);
    expect(clips.length).toBe(1);
    const already = new AbortController();
    already.abort();
    await expect(loadModel(CHECKPOINT, { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const pending = model.classifyVideo(CRICKET);
    model.dispose();
    await expect(pending).rejects.toThrow(/disposed/);
    expect(() => model.info).toThrow(/disposed/);
  });

  it('labels a live stream until stopped, leaving its tracks running', async () => {
    const model = await load(CHECKPOINT, { keep: false, inputSize: 64 });
    // A real MediaStream: a canvas's, drawn with frames of the cricket video.
    const canvas = document.createElement('canvas');
    canvas.width = 224;
    canvas.height = 224;
    const context = canvas.getContext('2d')!;
    const player = document.createElement('video');
    player.muted = true;
    player.loop = true;
    player.src = CRICKET;
    await player.play();
    const draw = setInterval(() => context.drawImage(player, 0, 0, 224, 224), 40);
    const stream = canvas.captureStream(25);
    try {
      const labels: { time: number; top: { index: number }[] }[] = [];
      const watching = model.watch(stream, { interval: 200, onLabels: (l) => labels.push(l) });
      await expect.poll(() => labels.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
      watching.stop();
      const count = labels.length;
      expect(labels[0].top).toHaveLength(5);
      expect(labels[1].time).toBeGreaterThan(labels[0].time);
      await new Promise((r) => setTimeout(r, 1000));
      expect(labels.length).toBeLessThanOrEqual(count + 1);
      expect(stream.getVideoTracks()[0].readyState).toBe('live');
    } finally {
      clearInterval(draw);
      player.pause();
      for (const t of stream.getTracks()) t.stop();
    }
  });

  it('teaches a head from examples, labels with it, gives it back as a file, and goes back to its own classes', async () => {
    const model = await load(CHECKPOINT, { keep: false, inputSize: 64 });
    const cricket = await model.examplesFrom(await blobOf(CRICKET));
    const mirrored = await model.examplesFrom(await blobOf('/generated-media/cricket-mirrored.webm'));
    expect(cricket.length).toBeGreaterThanOrEqual(4);
    expect(cricket[0].features).toHaveLength(3);
    const examples = [cricket, mirrored].flatMap((clips, label) => clips.flatMap((c, i) => c.features.map((features) => ({ features, label, group: `${label}-${i % 2}` }))));
    const points: number[] = [];
    const trained = await model.train('sides', ['as shot', 'mirrored'], examples, { onProgress: (p) => points.push(p.epoch) });
    expect(points.length).toBeGreaterThan(0);
    expect(trained.file.byteLength).toBeGreaterThan(0);
    expect(model.info.head?.name).toBe('sides');
    expect(model.info.labels).toEqual(['as shot', 'mirrored']);
    const taught = await model.classifyVideo(CRICKET, { stride: 2 });
    expect(taught.classNames).toEqual(['as shot', 'mirrored']);
    expect(taught.top.map((l) => l.label).sort()).toEqual(['as shot', 'mirrored']);

    await model.useOwnClasses();
    expect(model.info.head).toBeUndefined();
    expect((await model.classifyVideo(CRICKET, { stride: 2 })).verdict?.index).toBe(GOLDEN_TOP);
    await model.loadHead(new File([trained.file], 'sides.safetensors'));
    expect(model.info.labels).toEqual(['as shot', 'mirrored']);
  });
});
