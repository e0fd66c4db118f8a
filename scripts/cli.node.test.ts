// The command-line tools end to end: `npm run convert` in Node, `npm run classify` in headless Chromium (and Firefox).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeness } from '../kernels/compare.ts';
import { runScript } from './runScript.ts';

const G = '../shared/golden/slowfast_r50_w16_8x8_64px';
const logitsFile = readFileSync(new URL(`../${G}/logits.bin`, import.meta.url));
const goldenLogits = new Float32Array(logitsFile.buffer.slice(logitsFile.byteOffset, logitsFile.byteOffset + logitsFile.length));
const tmp = mkdtempSync(join(tmpdir(), 'cli-'));

const run = runScript;
/** The CLI's page is cross-origin isolated, as the app's is: the CPU engine's WebAssembly runs on every core, up to four. */
const CPU_THREADS = Math.min(4, availableParallelism());
const CPU_ENGINE = `CPU (WebAssembly, onnxruntime-web, ${CPU_THREADS} ${CPU_THREADS === 1 ? 'thread' : 'threads'})`;

describe('npm run classify', () => {
  let checkpointLogits: number[];

  it('reproduces the golden logits from checkpoint.pyth and the golden input tensors (--json), on WebGPU and on the CPU engine', async () => {
    const r = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json', '--engine', 'webgpu']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.engine).toBe('webgpu');
    checkpointLogits = out.logits;
    const c = closeness(out.logits, goldenLogits, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
    expect(out.top.map((t: { index: number }) => t.index)).toEqual([254, 147, 57, 61, 252]);
    expect(out.top[0].label).toBe('presenting weather forecast');
    expect(out.memory.totalBytes).toBeGreaterThan(out.memory.weightBytes);
    // The CPU engine: the same network, exported and run by onnxruntime-web's wasm (the default on SwiftShader:
    // the plain-text test below runs without --engine).
    const cpu = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json', '--engine', 'wasm']);
    expect(cpu.status, cpu.stderr).toBe(0);
    const onCpu = JSON.parse(cpu.stdout);
    expect(onCpu.engine).toBe('wasm');
    expect(onCpu.adapter).toBe(`the ${CPU_ENGINE}`);
    const cc = closeness(onCpu.logits, goldenLogits, 1e-4, 1e-5);
    expect(cc.ok, cc.summary).toBe(true);
    const badEngine = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-fast', `${G}/input_fast.bin`, '--engine', 'gpu']);
    expect(badEngine.status).toBe(2);
    expect(badEngine.stderr).toMatch(/--engine must be webgpu or wasm, got 'gpu'/);
  }, 240_000);

  it('gives identical logits from the converted f32 safetensors (npm run convert)', async () => {
    const file = join(tmp, 'golden.safetensors');
    const conv = await run('convert', [`${G}/checkpoint.pyth`, file, '--size', '64']);
    expect(conv.status, conv.stderr).toBe(0);
    expect(conv.stdout).toMatch(/SlowFast R50, alpha 4, stem 16\/2, 400 classes, 2\.35M parameters/);
    const r = await run('classify', ['--checkpoint', file, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json', '--engine', 'webgpu']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).logits).toEqual(checkpointLogits);
  }, 240_000);

  it('prints top-k labels in plain text', async () => {
    const r = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--topk', '3']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    // No --engine on a software adapter (SwiftShader): the CPU engine.
    expect(lines[0].startsWith(`SlowFast R50 on the ${CPU_ENGINE}, `), lines[0]).toBe(true);
    expect(lines[1]).toMatch(/^ *99\.44% +presenting weather forecast$/);
  }, 240_000);

  it('names the classes from a label file (--labels), and refuses one of the wrong length', async () => {
    const names = join(tmp, 'my-labels.txt');
    writeFileSync(names, Array.from({ length: 400 }, (_, i) => `action number ${i}`).join('\n'));
    const r = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--labels', names, '--topk', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').slice(1)).toEqual([expect.stringMatching(/^ *99\.44% +action number 254$/), expect.stringMatching(/ +action number 147$/)]);
    const short = join(tmp, 'short.json');
    writeFileSync(short, JSON.stringify({ wave: '0', clap: '1' }));
    const bad = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--labels', short]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: short\.json has 2 labels, but the model's head has 400 classes/m);
  }, 240_000);

  it('runs in Firefox too (--browser firefox): the golden logits on Gecko\'s WebGPU, and a video on its CPU engine', async () => {
    const r = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json', '--engine', 'webgpu', '--browser', 'firefox', '--precision', 'f32']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ engine: 'webgpu', browser: 'firefox', precision: 'f32' });
    const c = closeness(out.logits, goldenLogits, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
    // Firefox has no DevTools heap sampling: the weights' reading is reported without a peak.
    expect(out.load).not.toHaveProperty('peakHeapBytes');
    const video = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--json', '--engine', 'wasm', '--browser', 'firefox']);
    expect(video.status, video.stderr).toBe(0);
    const labelled = JSON.parse(video.stdout);
    expect(labelled).toMatchObject({ engine: 'wasm', browser: 'firefox' });
    expect(labelled.top[0].label).toBe('presenting weather forecast');
    expect(labelled.clips).toHaveLength(3);
    const bad = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-fast', `${G}/input_fast.bin`, '--browser', 'safari']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--browser must be chromium or firefox, got 'safari'/);
  }, 240_000);

  it('chooses the precision (--precision): auto is f16 on Gecko\'s WebGPU (shader-f16), f32 on SwiftShader; an f16 the GPU cannot do is refused', async () => {
    // The 4×16 fixture: its top-5 logits are at least 2% of max|logit| apart.
    const F = '../shared/golden/slowfast_r50_w16_4x16_64px';
    const tensors = ['--checkpoint', `${F}/checkpoint.pyth`, '--input-slow', `${F}/input_slow.bin`, '--input-fast', `${F}/input_fast.bin`, '--json', '--engine', 'webgpu'];
    const onFirefox = await run('classify', [...tensors, '--browser', 'firefox']);
    expect(onFirefox.status, onFirefox.stderr).toBe(0);
    const half = JSON.parse(onFirefox.stdout);
    expect(half).toMatchObject({ engine: 'webgpu', browser: 'firefox', precision: 'f16' });
    const bytes = readFileSync(new URL(`../${F}/logits.bin`, import.meta.url));
    const golden = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const c = closeness(half.logits, golden, 1e-2, 0);
    expect(c.ok, c.summary).toBe(true);
    const manifest = JSON.parse(readFileSync(new URL(`../${F}/manifest.json`, import.meta.url), 'utf8'));
    expect(half.top.map((t: { index: number }) => t.index)).toEqual(manifest.top5.indices);

    const onSwiftShader = await run('classify', tensors);
    expect(onSwiftShader.status, onSwiftShader.stderr).toBe(0);
    expect(JSON.parse(onSwiftShader.stdout).precision).toBe('f32');
    const refused = await run('classify', [...tensors, '--precision', 'f16']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^error: f16 precision needs a GPU with shader-f16, which this one does not have: choose auto or f32/m);
    const onCpu = await run('classify', [...tensors.slice(0, -2), '--engine', 'wasm', '--precision', 'f16']);
    expect(onCpu.status).toBe(2);
    expect(onCpu.stderr).toMatch(/--precision f16 needs the WebGPU engine: the CPU engine computes in f32/);
    const bad = await run('classify', [...tensors, '--precision', 'f8']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--precision must be auto, f32 or f16, got 'f8'/);
    // Every JSON says it: the segments' too (the CPU engine, by default on SwiftShader, is f32).
    const segments = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--segments', '--format', 'json']);
    expect(segments.status, segments.stderr).toBe(0);
    expect(JSON.parse(segments.stdout)).toMatchObject({ precision: 'f32', verdict: [expect.objectContaining({ index: 254 }), ...Array(4).fill(expect.anything())] });
  }, 300_000);

  it('classifies a video file clip by clip (cricket.mp4)', async () => {
    const r = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.video).toMatchObject({ width: 224, height: 224, codec: 'avc' });
    expect(out.clips.map((c: { start: number }) => c.start)).toEqual([0, 1, expect.closeTo(1.027, 2)]);
    expect(out.top).toHaveLength(5);
    expect(out.top[0].probability).toBeGreaterThan(out.top[1].probability);
  }, 240_000);

  it('labels a phone\'s portrait video (landscape frames the container turns a quarter) as its upright re-encode', async () => {
    const { makePhoneVideos } = await import('./phoneVideos.mjs');
    const folder = join(tmp, 'phone');
    const files = await makePhoneVideos(90, folder, '../shared/media');
    const out = join(tmp, 'phone.jsonl');
    const cam = join(tmp, 'phone-cam');
    const r = await run('classify', [folder, '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--jsonl', out, '--cam', cam]);
    expect(r.status, r.stderr).toBe(0);
    const byFile = new Map(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((e) => [e.file, e]));
    const [tagged, upright, stored] = [files.tagged, files.upright, files.stored].map((f) => byFile.get(f));
    // ffmpeg's rotate tag turns counter-clockwise; the orientation reported is clockwise, as WebCodecs' is.
    expect(tagged.video).toMatchObject({ width: 224, height: 336, orientation: { rotation: 270, flip: false } });
    type Top = { index: number; probability: number }[];
    const probabilities = (top: Top) => top.map((t) => [t.index, t.probability.toFixed(3)]);
    expect(probabilities(tagged.top)).toEqual(probabilities(upright.top));
    expect(probabilities(tagged.top)).not.toEqual(probabilities(stored.top));
    // Where it looked (--cam) is in the orientation the user sees: the tagged file's maps are the upright one's.
    const npyValues = (file: string) => {
      const bytes = readFileSync(join(cam, file));
      const start = 10 + bytes.readUInt16LE(8);
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
    };
    const maps = (video: string) => npyValues(`${video}.clip000.slow.npy`);
    const near = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])));
    expect(near(maps('phone-90'), maps('phone-90-upright'))).toBe(true);
    expect(near(maps('phone-90'), maps('phone-90-stored'))).toBe(false);
  }, 240_000);

  it('compares two checkpoints on one video (--compare): each model as it runs alone, and the gains by their definition', async () => {
    const slow = '../shared/golden/slow_r50_w16_8x8_64px/checkpoint.pyth';
    // Every class in each clip's top (--topk 400): the solo runs give every probability, to check the gains by.
    const common = ['../shared/media/cricket.mp4', '--size', '64', '--topk', '400', '--json'];
    const solo = await Promise.all([`${G}/checkpoint.pyth`, slow].map(async (c) => JSON.parse((await run('classify', [...common, '--checkpoint', c])).stdout)));
    const r = await run('classify', [...common, '--checkpoint', `${G}/checkpoint.pyth`, '--compare', slow]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.models).toHaveLength(2);
    const steady = ({ ms: _ms, load: _load, ...rest }: Record<string, unknown>) => rest;
    out.models.forEach((m: Record<string, unknown>, i: number) => expect(steady(m)).toEqual(steady(solo[i])));
    // Gains: the second's mean probability over its clips minus the first's, largest first, every class.
    type Clip = { top: { index: number; probability: number }[] };
    const mean = (o: { clips: Clip[] }) => {
      const m = new Float64Array(400);
      for (const c of o.clips) for (const t of c.top) m[t.index] += t.probability / o.clips.length;
      return m;
    };
    const [a, b] = solo.map(mean);
    expect(out.gains).toHaveLength(400);
    for (const g of out.gains) expect(g.delta).toBeCloseTo(b[g.index] - a[g.index], 6);
    expect(out.gains.map((g: { delta: number }) => g.delta)).toEqual([...out.gains.map((g: { delta: number }) => g.delta)].sort((x, y) => y - x));
    expect(out.gains[0]).toMatchObject({ index: solo[1].top[0].index, label: solo[1].top[0].label });
    expect(out.gains.at(-1)).toMatchObject({ index: 254, label: 'presenting weather forecast' });
    // The text shows both tops and the gains; --compare with what looks at one model is refused.
    const text = await run('classify', ['../shared/media/cricket.mp4', '--size', '64', '--checkpoint', `${G}/checkpoint.pyth`, '--compare', slow]);
    expect(text.stdout).toMatch(/^first: .*checkpoint\.pyth\n/m);
    expect(text.stdout).toMatch(/^gains \(.* − .*, mean probability over the clips\):\n +[\d.]+ pts  \S/m);
    expect(text.stdout).toMatch(/^losses:\n +-[\d.]+ pts  presenting weather forecast$/m);
    const refused = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--compare', slow, '--cam', join(tmp, 'nope')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--compare and --cam do not go together/);
  }, 240_000);

  it('classifies a folder in shards, a JSON line per video, and resumes a run cut short (--jsonl, --shard, --resume)', async () => {
    const { makeSweep } = await import('../e2e/activities.ts');
    const library = join(tmp, 'library');
    for (const dir of ['sports/cricket', 'sweeps']) mkdirSync(join(library, dir), { recursive: true });
    copyFileSync('../shared/media/cricket.mp4', join(library, 'sports/cricket/a.mp4'));
    copyFileSync('../shared/media/cricket.webm', join(library, 'sports/b.webm'));
    makeSweep(join(library, 'sweeps'), 'left to right', { variant: 1 });
    writeFileSync(join(library, 'sweeps/broken.mp4'), 'not frames');
    writeFileSync(join(library, 'readme.txt'), 'not a video');
    const all = ['sports/b.webm', 'sports/cricket/a.mp4', 'sweeps/broken.mp4', 'sweeps/left-to-right-1.mp4'].map((f) => join(library, f));
    const options = ['--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--stride', '5'];
    const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
    const parsed = (file: string) => lines(file).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });

    const shards = [];
    for (const index of [0, 1]) {
      const out = join(tmp, `shard-${index}.jsonl`);
      const r = await run('classify', [library, ...options, '--jsonl', out, '--shard', `${index}/2`]);
      expect(r.stderr).toMatch(new RegExp(`shard ${index}/2: \\d of 4 videos`));
      const entries = parsed(out);
      expect(r.status, r.stderr).toBe(entries.some((e) => e.error) ? 1 : 0);
      shards.push(entries);
    }
    // Together the shards are the library, each video once; the text file is no video.
    expect(shards.flat().map((e) => e.file).sort()).toEqual(all);
    for (const e of shards.flat()) {
      if (e.file.endsWith('broken.mp4')) expect(e.error).toMatch(/not a video we can read/);
      else expect(e).toMatchObject({ clips: expect.any(Array), top: expect.any(Array), video: expect.any(Object) });
    }
    const cricket = shards.flat().find((e) => e.file.endsWith('a.mp4'));
    expect(cricket.top[0].label).toBe('presenting weather forecast');

    // A run killed after one video, halfway through writing the second.
    const cut = join(tmp, 'cut.jsonl');
    const first = JSON.stringify(cricket);
    writeFileSync(cut, `${first}\n${first.slice(0, 40)}`);
    const resumed = await run('classify', [library, ...options, '--jsonl', cut, '--resume']);
    expect(resumed.stderr).toMatch(/resume: 1 of 4 videos already in .*cut\.jsonl; 3 to classify/);
    expect(resumed.status).toBe(1);
    expect(lines(cut)[0]).toBe(first);
    expect(parsed(cut).map((e) => e.file).sort()).toEqual(all);
    // Failures are tried again; done videos are not.
    const again = await run('classify', [library, ...options, '--jsonl', cut, '--resume']);
    expect(again.stderr).toMatch(/resume: 3 of 4 videos already in .*; 1 to classify/);
    expect(parsed(cut).filter((e) => e.file.endsWith('broken.mp4'))).toHaveLength(2);

    const badShard = await run('classify', [library, ...options, '--shard', '2/2']);
    expect(badShard.status).toBe(2);
    expect(badShard.stderr).toMatch(/--shard must be I\/N with 0 ≤ I < N/);
    const noOutput = await run('classify', [library, ...options, '--resume']);
    expect(noOutput.stderr).toMatch(/--resume needs --jsonl FILE/);
    const emptyFolder = join(tmp, 'empty-library');
    mkdirSync(emptyFolder);
    const none = await run('classify', [emptyFolder, ...options]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^no videos \(\.mp4, .*\) in .*empty-library/);
  }, 300_000);

  it('finds segments (--segments, --format json | vtt), follows the paper\'s protocol, and writes where it looked for the --topk classes (--cam)', async () => {
    const cam = join(tmp, 'cam');
    const r = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--segments', '--min-duration', '0.5', '--json', '--cam', cam, '--topk', '3']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.segments.thresholds).toEqual({ enter: 0.5, exit: 0.3, minDuration: 0.5 });
    // The golden random model calls every clip "presenting weather forecast": one segment over the whole video.
    expect(out.segments.segments).toEqual([expect.objectContaining({ index: 254, label: 'presenting weather forecast', start: 0, end: expect.closeTo(3.16, 2) })]);
    expect(out.segments.verdict[0]).toMatchObject({ index: 254, probability: expect.closeTo(out.top[0].probability, 5) });
    // One .npy per clip and pathway, (classes, T, H, W) float32, the clip's top three (--topk) classes, named in the index.
    const index = JSON.parse(readFileSync(join(cam, 'cricket.cam.json'), 'utf8'));
    expect(index.clips).toHaveLength(out.clips.length);
    index.clips.forEach((c: { classes: { index: number }[]; slow: string; fast: string }, i: number) => {
      expect(c.classes.map((x) => x.index)).toEqual(out.clips[i].top.map((t: { index: number }) => t.index));
      expect(c.classes).toHaveLength(3);
      for (const [file, shape] of [[c.slow, [3, 8, 2, 2]], [c.fast, [3, 32, 2, 2]]] as const) {
        const bytes = readFileSync(join(cam, file));
        expect(bytes.subarray(1, 6).toString('latin1')).toBe('NUMPY');
        const headerLength = bytes.readUInt16LE(8);
        const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
        expect(header).toContain(`'descr': '<f4'`);
        expect(header).toContain(`'shape': (${shape.join(', ')})`);
        expect((10 + headerLength) % 64).toBe(0);
        const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length));
        expect(values.length).toBe(shape.reduce((a, b) => a * b, 1));
        expect(values.every(Number.isFinite)).toBe(true);
      }
    });

    const paper = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--protocol', 'paper', '--format', 'vtt']);
    expect(paper.status, paper.stderr).toBe(0);
    // The tenth clip starts at 9/10 of the slack and ends 2.13 s later: 0.9 × (3.16 − 2.133) + 2.133 = 3.057 s.
    expect(paper.stdout).toMatch(/^WEBVTT\n\n1\n00:00:00\.000 --> 00:00:03\.057\npresenting weather forecast \(\d+%\)\n$/);
    const paperJson = JSON.parse((await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--protocol', 'paper', '--json'])).stdout);
    // Ten clips evenly spaced over the 3.16 s video (starts at i/10 of the 1.03 s slack).
    expect(paperJson.clips.map((c: { start: number }) => c.start)).toEqual(Array.from({ length: 10 }, (_, i) => expect.closeTo((i * (3.16 - 64 / 30)) / 10, 2)));
    const bad = await run('classify', ['../shared/media/cricket.mp4', '../shared/media/cricket.webm', '--checkpoint', `${G}/checkpoint.pyth`, '--format', 'vtt']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format vtt takes one video; for several, use --format json/);
    const badExit = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--segments', '--enter', '0.4', '--exit', '0.6']);
    expect(badExit.status).toBe(2);
    expect(badExit.stderr).toMatch(/--exit \(0\.6\) must not exceed --enter \(0\.4\)/);
  }, 300_000);

  it('explains a file that is not a video', async () => {
    const notVideo = join(tmp, 'notes.mp4');
    writeFileSync(notVideo, 'these are not frames');
    const r = await run('classify', [notVideo, '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: This file is not a video we can read/);
  }, 240_000);

  it('rejects bad arguments and bad files with a message and a non-zero exit', async () => {
    const missing = await run('classify', ['--checkpoint', 'nope.pyth', '--input-fast', `${G}/input_fast.bin`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/checkpoint file not found: nope\.pyth/);
    const noCheckpoint = await run('classify', ['--input-fast', `${G}/input_fast.bin`]);
    expect(noCheckpoint.status).toBe(2);
    expect(noCheckpoint.stderr).toMatch(/--checkpoint is required/);
    const badPreset = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-fast', `${G}/input_fast.bin`, '--preset', 'x']);
    expect(badPreset.status).toBe(2);
    expect(badPreset.stderr).toMatch(/unknown preset 'x'/);
    const bogus = join(tmp, 'bogus.pyth');
    writeFileSync(bogus, 'hello');
    const conv = await run('convert', [bogus, join(tmp, 'o.safetensors')]);
    expect(conv.status).toBe(1);
    expect(conv.stderr).toMatch(/^error: not a PyTorch checkpoint/);
    const help = await run('classify', ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: npm run classify/);
  }, 60_000);
});

describe('npm run export-onnx', () => {
  it('writes the checkpoint as ONNX, and refuses bad files and arguments', async () => {
    const out = join(tmp, 'fixture.onnx');
    const r = await run('export-onnx', [`${G}/checkpoint.pyth`, out, '--size', '64', '--input', 'fast', '--softmax']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/inputs fast \[1, 3, 32, 64, 64\]; outputs logits \[1, 400\], probabilities \[1, 400\]/);
    // The file starts with ModelProto.ir_version (field 1, varint 8), and names its producer.
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 0x08]);
    expect(bytes.includes(Buffer.from('slowfast-web'))).toBe(true);
    const bogus = join(tmp, 'bogus2.pyth');
    writeFileSync(bogus, 'hello');
    const bad = await run('export-onnx', [bogus, join(tmp, 'o.onnx')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: not a PyTorch checkpoint/);
    const badInput = await run('export-onnx', [`${G}/checkpoint.pyth`, join(tmp, 'o.onnx'), '--input', 'ring']);
    expect(badInput.status).toBe(2);
    expect(badInput.stderr).toMatch(/--input must be pathways or fast, not 'ring'/);
  }, 120_000);
});

describe('npm run teach', () => {
  it('teaches two made-up actions from files, and classify --head labels held-out files with them', async () => {
    const { makeSweep } = await import('../e2e/activities.ts');
    const [taught, heldOut] = [[1, 3, 5], [2, 4]];
    const videos = (sweep: 'left to right' | 'right to left', variants: number[]) => variants.map((variant) => makeSweep(tmp, sweep, { variant }));
    const head = join(tmp, 'sweeps.safetensors');
    const r = await run('teach', [
      '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--views', '1',
      '--class', 'left to right', ...videos('left to right', taught), '--class', 'right to left', ...videos('right to left', taught), '--out', head, '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.examples.map((e: { files: number }) => e.files)).toEqual([3, 3]);
    expect(out.evaluation).toMatchObject({ method: 'k-fold', folds: 3 });
    expect(out.gradedBy).toBe('files');

    let right = 0;
    let clips = 0;
    for (const sweep of ['left to right', 'right to left'] as const) {
      for (const video of videos(sweep, heldOut)) {
        const c = await run('classify', [video, '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--head', head, '--json']);
        expect(c.status, c.stderr).toBe(0);
        const result = JSON.parse(c.stdout);
        for (const clip of result.clips) {
          clips++;
          if (clip.top[0].label === sweep) right++;
          else console.log(`${video} ${clip.start}: ${JSON.stringify(clip.top)}`);
          // The checkpoint's own labels come beside the taught ones.
          expect(clip.checkpointTop).toHaveLength(5);
        }
        expect(result.top.map((t: { label: string }) => t.label).sort()).toEqual(['left to right', 'right to left']);
      }
    }
    expect(clips).toBeGreaterThanOrEqual(8);
    expect(right / clips).toBeGreaterThanOrEqual(0.9);
  }, 300_000);

  it('refuses a head taught on another checkpoint, a damaged head and bad arguments, saying why', async () => {
    const { makeSweep } = await import('../e2e/activities.ts');
    const video = makeSweep(tmp, 'left to right', { variant: 1 });
    const other = '../shared/golden/slowfast_r50_w16_4x16_64px/checkpoint.pyth';
    const head = join(tmp, 'other.safetensors');
    const t = await run('teach', ['--checkpoint', other, '--size', '64', '--views', '1', '--mirror', '--epochs', '20', '--class', 'a', video, '--class', 'b', makeSweep(tmp, 'right to left', { variant: 1 }), '--out', head]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/held-out accuracy: .*(clips)/);
    // Mirrored, each clip gives two examples: a 2.6 s video at a clip every 0.5 s has 2 clips.
    expect(t.stdout).toContain('a: 4 examples from 1 video');
    const wrong = await run('classify', [video, '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--head', head]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/error: this head was taught on checkpoint\.pyth .*the model loaded now is checkpoint\.pyth .*load the model it was taught on/);
    const damaged = join(tmp, 'damaged.safetensors');
    writeFileSync(damaged, readFileSync(head).subarray(0, 200));
    const bad = await run('classify', [video, '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--head', damaged]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error: damaged\.safetensors: not a head file: /);
    const oneClass = await run('teach', ['--checkpoint', other, '--class', 'a', video, '--out', head]);
    expect(oneClass.status).toBe(2);
    expect(oneClass.stderr).toMatch(/at least two classes/);
    const noVideos = await run('teach', ['--checkpoint', other, '--class', 'a', video, '--class', 'b', '--out', head]);
    expect(noVideos.stderr).toMatch(/class "b" has no videos/);
  }, 300_000);
});
