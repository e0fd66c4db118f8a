// The command-line tools end to end: `npm run convert` in Node, `npm run classify` in headless Chromium.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeness } from '../kernels/compare.ts';
import { runScript } from './runScript.ts';

const G = '../shared/golden/slowfast_r50_w16_8x8_64px';
const logitsFile = readFileSync(new URL(`../${G}/logits.bin`, import.meta.url));
const goldenLogits = new Float32Array(logitsFile.buffer.slice(logitsFile.byteOffset, logitsFile.byteOffset + logitsFile.length));
const tmp = mkdtempSync(join(tmpdir(), 'cli-'));

const run = runScript;

describe('npm run classify', () => {
  let checkpointLogits: number[];

  it('reproduces the golden logits from checkpoint.pyth and the golden input tensors (--json)', async () => {
    const r = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    checkpointLogits = out.logits;
    const c = closeness(out.logits, goldenLogits, 1e-4, 1e-5);
    expect(c.ok, c.summary).toBe(true);
    expect(out.top.map((t: { index: number }) => t.index)).toEqual([254, 147, 57, 61, 252]);
    expect(out.top[0].label).toBe('presenting weather forecast');
    expect(out.memory.totalBytes).toBeGreaterThan(out.memory.weightBytes);
  }, 240_000);

  it('gives identical logits from the converted f32 safetensors (npm run convert)', async () => {
    const file = join(tmp, 'golden.safetensors');
    const conv = await run('convert', [`${G}/checkpoint.pyth`, file, '--size', '64']);
    expect(conv.status, conv.stderr).toBe(0);
    expect(conv.stdout).toMatch(/SlowFast R50, alpha 4, stem 16\/2, 400 classes, 2\.35M parameters/);
    const r = await run('classify', ['--checkpoint', file, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).logits).toEqual(checkpointLogits);
  }, 240_000);

  it('prints top-k labels in plain text', async () => {
    const r = await run('classify', ['--checkpoint', `${G}/checkpoint.pyth`, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--topk', '3']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
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

  it('classifies a video file clip by clip (cricket.mp4)', async () => {
    const r = await run('classify', ['../shared/media/cricket.mp4', '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.video).toMatchObject({ width: 224, height: 224, codec: 'avc' });
    expect(out.clips.map((c: { start: number }) => c.start)).toEqual([0, 1, expect.closeTo(1.027, 2)]);
    expect(out.top).toHaveLength(5);
    expect(out.top[0].probability).toBeGreaterThan(out.top[1].probability);
  }, 240_000);

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
