// A checkpoint of the official size and shape (≈ 276 MB: weights, SGD momentum for every parameter, epoch,
// cfg, AMP scaler state; e2e/officialCheckpoint.ts) through the command-line tools: classify reads it in the
// page without holding it whole, and gives the logits the same weights give through a smaller file.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OFFICIAL_8X8_PARAMETERS, officialShapedCheckpoint } from '../e2e/officialCheckpoint.ts';
import { runScript } from './runScript.ts';

const G = '../shared/golden/slowfast_r50_w16_8x8_64px';
const fixture = officialShapedCheckpoint();
afterAll(() => fixture.dispose());

const classify = (checkpoint: string) =>
  runScript('classify', ['--checkpoint', checkpoint, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json', '--engine', 'webgpu']);

describe('an official-sized checkpoint (full-width R50 8×8 with optimizer state, epoch, cfg)', () => {
  let official: { logits: number[]; config: Record<string, unknown>; load: Record<string, number | string | string[]> };

  it('is classified by npm run classify, holding less than two copies of it while reading', async () => {
    const fileBytes = statSync(fixture.checkpoint).size;
    expect(fileBytes).toBeGreaterThan(270e6);
    const r = await classify(fixture.checkpoint);
    expect(r.status, r.stderr).toBe(0);
    official = JSON.parse(r.stdout);
    expect(official.config).toMatchObject({ depth: 50, alpha: 4, fusionKernel: 7, stemChannels: [64, 8], numClasses: 400, fastFrames: 32 });
    expect(official.load).toMatchObject({
      fileBytes, format: 'pytorch', tensors: 662, parameters: OFFICIAL_8X8_PARAMETERS, extras: ['optimizer_state', 'epoch', 'cfg', 'scaler_state'],
    });
    expect(official.logits).toHaveLength(400);
    expect(official.logits.every(Number.isFinite)).toBe(true);
    // The momentum buffers (half the file) are never fetched; what is read is the weights, once, as f32.
    const peak = Number(official.load.peakHeapBytes) + Number(official.load.peakArrayBufferBytes);
    expect(peak).toBeLessThan(2 * fileBytes);
  }, 300_000);

  it('gives the same logits as its weights alone, in the legacy format', async () => {
    const r = await classify(fixture.weightsOnly);
    expect(r.status, r.stderr).toBe(0);
    const weightsOnly = JSON.parse(r.stdout);
    expect(weightsOnly.load).toMatchObject({ format: 'pytorch', tensors: 662, parameters: OFFICIAL_8X8_PARAMETERS, extras: [] });
    expect(weightsOnly.logits).toEqual(official.logits);
  }, 300_000);

  it('runs on the CPU engine too: the full-width network exported and run by onnxruntime-web, the same logits', async () => {
    const r = await runScript('classify', ['--checkpoint', fixture.checkpoint, '--input-slow', `${G}/input_slow.bin`, '--input-fast', `${G}/input_fast.bin`, '--json', '--engine', 'wasm']);
    expect(r.status, r.stderr).toBe(0);
    const onCpu = JSON.parse(r.stdout);
    expect(onCpu.engine).toBe('wasm');
    // The exported model holds every weight once, as f32 (34.57M parameters).
    expect(onCpu.memory.weightBytes).toBeGreaterThan(4 * 34.5e6);
    const scale = Math.max(...official.logits.map(Math.abs));
    const worst = Math.max(...onCpu.logits.map((x: number, i: number) => Math.abs(x - official.logits[i])));
    expect(worst).toBeLessThanOrEqual(1e-4 * scale);
  }, 300_000);

  it('is converted by npm run convert (read in Node from disk, in parts)', async () => {
    const out = join(fixture.checkpoint, '..', 'converted.safetensors');
    const r = await runScript('convert', [fixture.checkpoint, out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SlowFast R50, alpha 4, stem 64\/8, 400 classes, 34\.57M parameters, 132\.\d MiB \(f32\)/);
    expect(statSync(out).size).toBeGreaterThan(130 * 2 ** 20);
  }, 300_000);
});
