// `npm run bench` in CI-sized form: a tiny SlowFast through our engine and both onnxruntime-web backends.
// Timings are recorded, never asserted; agreement of the logits and the shape of the report are.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from './runScript.ts';

describe('npm run bench (smoke)', () => {
  it('times ours and onnxruntime-web on the same tiny network, with matching logits, and writes JSON and SVG', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.json');
    const r = await runScript('bench', ['--size', '32', '--width', '0.125', '--runs', '2', '--presets', 'slowfast_r50_8x8', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.options).toMatchObject({ inputSize: 32, width: 0.125, runs: 2 });
    const [preset] = result.presets;
    expect(preset.config.stemChannels).toEqual([8, 1]);
    expect(preset.engines.map((e: { engine: string }) => e.engine)).toEqual(['slowfast-web', 'onnxruntime-web webgpu', 'onnxruntime-web wasm']);
    for (const e of preset.engines) {
      expect(e.error, e.engine).toBeUndefined();
      expect(e.ms).toHaveLength(2);
      expect(e.logitsRelDiff, e.engine).toBeLessThan(1e-4);
    }
    // What our engine allocates is what its executor planned: weights, shared activations, inputs, read-back.
    expect(preset.engines[0].peakGpuBytes).toBeGreaterThanOrEqual(preset.memory.totalBytes);
    expect(preset.memory.weightBytes).toBeGreaterThanOrEqual(preset.weightBytes);
    // The bound: weights + 2 × the largest layer's input + output (allocation is deterministic).
    expect(preset.memory.totalBytes).toBeLessThanOrEqual(preset.memoryBudgetBytes);
    expect(preset.cacheToFirstLabelMs).toBeGreaterThan(0);
    expect(readFileSync(out.replace(/\.json$/, '.svg'), 'utf8')).toMatch(/^<svg[^]*onnxruntime-web webgpu[^]*<\/svg>\n$/);
    expect(r.stdout).toMatch(/slowfast_r50_8x8: .* GFLOP\/clip/);
    // SwiftShader has no shader-f16: no f16 row, said so; asked for anyway, refused with the reason.
    expect(result.options.precision).toBe('auto');
    expect(preset).not.toHaveProperty('memoryF16');
    expect(r.stdout).toMatch(/GPU memory: f32 [\d.]+ MiB \(weights [\d.]+ MiB\); no f16 row: this GPU has no shader-f16/);
    const f16 = await runScript('bench', ['--size', '32', '--width', '0.125', '--runs', '1', '--presets', 'slowfast_r50_8x8', '--backends', 'none', '--precision', 'f16', '--out', out]);
    expect(f16.status).toBe(1);
    expect(f16.stderr).toMatch(/f16 precision needs a GPU with shader-f16, which this one does not have/);
  }, 300_000);

  it('times f16 beside f32 where the GPU has shader-f16 (Firefox\'s WebGPU), with both memories', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench.json');
    const r = await runScript('bench', ['--size', '32', '--width', '0.125', '--runs', '2', '--presets', 'slowfast_r50_8x8', '--backends', 'none', '--browser', 'firefox', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const [preset] = JSON.parse(readFileSync(out, 'utf8')).presets;
    expect(preset.engines.map((e: { engine: string }) => e.engine)).toEqual(['slowfast-web', 'slowfast-web, f16']);
    const half = preset.engines[1];
    expect(half.ms).toHaveLength(2);
    expect(half.logitsRelDiff).toBeLessThan(1e-2);
    expect(preset.memoryF16.weightBytes).toBeLessThanOrEqual(0.6 * preset.memory.weightBytes);
    expect(preset.memoryF16.totalBytes).toBeLessThan(preset.memory.totalBytes);
    expect(r.stdout).toMatch(/GPU memory: f32 [\d.]+ MiB \(weights [\d.]+ MiB\), f16 [\d.]+ MiB \(weights [\d.]+ MiB\): 0\.\d\d×/);
  }, 300_000);

  it('rejects bad options with a message', async () => {
    const r = await runScript('bench', ['--presets', 'resnet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--presets: unknown preset 'resnet'/);
    const precision = await runScript('bench', ['--precision', 'f8']);
    expect(precision.status).toBe(2);
    expect(precision.stderr).toMatch(/--precision must be auto, f32 or f16, got 'f8'/);
  });
});
