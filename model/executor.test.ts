import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../kernels/device.ts';
import { randomArray, rng } from '../kernels/compare.ts';
import { Executor, GpuLimitError } from './executor.ts';
import { PRESETS, buildSlowFast } from './slowfast.ts';
import { RandomSource } from './weights/weightSource.ts';
import { Graph } from './graph.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

/** x → relu → add(·, x) → relu → add(·, x) … : a chain whose activations can share two buffers. */
function chain(length: number, shape: number[]) {
  const g = new Graph();
  const x = g.input('x', shape);
  let t = x;
  const kept: number[] = [];
  for (let i = 0; i < length; i++) {
    t = i % 2 === 0 ? g.op(`relu${i}`, { op: 'relu', attrs: {} }, [t]) : g.op(`add${i}`, { op: 'add', attrs: {} }, [t, x]);
    kept.push(t);
  }
  g.output('y', t);
  return { g, kept };
}

function reference(x: Float32Array, length: number): Float32Array {
  let t = x;
  for (let i = 0; i < length; i++) t = i % 2 === 0 ? t.map((v) => Math.max(v, 0)) : t.map((v, j) => v + x[j]);
  return t;
}

describe('Executor', () => {
  it('reuses activation buffers by liveness and computes the same result on every run', async () => {
    const shape = [1, 4, 3, 5, 7];
    const { g } = chain(8, shape);
    const ex = await Executor.plan(device, g);
    expect(ex.memory.activationBuffers).toBeLessThanOrEqual(3);
    expect(ex.memory.activationBytes).toBeLessThan(ex.memory.activationBytesUnshared / 2);
    const x = randomArray(420, rng(1));
    const first = (await ex.run({ x })).y!;
    expect(Array.from(first)).toEqual(Array.from(reference(x, 8)));
    const x2 = randomArray(420, rng(2));
    expect(Array.from((await ex.run({ x: x2 })).y!)).toEqual(Array.from(reference(x2, 8)));
    ex.destroy();
  });

  it('puts an uploaded input in an activation slot that is reused once nothing reads it', async () => {
    // x → relu → relu → relu: x is read only by the first node, so x, a, b, c fit in two buffers.
    const shape = [1, 3, 4, 5, 6];
    const g = new Graph();
    let t = g.input('x', shape);
    for (let i = 0; i < 3; i++) t = g.op(`relu${i}`, { op: 'relu', attrs: {} }, [t]);
    g.output('y', t);
    const ex = await Executor.plan(device, g);
    expect(ex.memory.activationBuffers).toBe(2);
    expect(ex.memory.activationBytes).toBe(2 * 360 * 4);
    expect(ex.memory.inputBytes).toBe(360 * 4);
    for (const seed of [1, 2]) {
      const x = randomArray(360, rng(seed));
      // The input's slot was overwritten by the previous run; each run's upload must still be what it reads.
      expect(Array.from((await ex.run({ x })).y!)).toEqual(Array.from(x.map((v) => Math.max(v, 0))));
    }
    ex.destroy();
  });

  it('keeps requested intermediates readable', async () => {
    const shape = [1, 2, 2, 2, 2];
    const { g, kept } = chain(4, shape);
    const ex = await Executor.plan(device, g, { keep: kept });
    const x = randomArray(16, rng(3));
    await ex.run({ x });
    expect(Array.from(await ex.read(kept[1]))).toEqual(Array.from(reference(x, 2)));
    ex.destroy();
  });

  it('times every node with timestamp queries when profiling', async () => {
    expect(device.features.has('timestamp-query')).toBe(true);
    const { g } = chain(5, [1, 8, 4, 16, 16]);
    const ex = await Executor.plan(device, g, { profile: true });
    await ex.run({ x: randomArray(8192, rng(4)) });
    expect(ex.timings.map((t) => t.name)).toEqual(['relu0', 'add1', 'relu2', 'add3', 'relu4']);
    expect(ex.timings.map((t) => t.op)).toEqual(['relu', 'add', 'relu', 'add', 'relu']);
    for (const t of ex.timings) expect(t.ms).toBeGreaterThanOrEqual(0);
    expect(ex.timings.reduce((a, t) => a + t.ms, 0)).toBeGreaterThan(0);
    ex.destroy();
  });

  it('names the input when it is missing or the wrong size', async () => {
    const { g } = chain(1, [1, 1, 1, 2, 2]);
    const ex = await Executor.plan(device, g);
    await expect(ex.run({})).rejects.toThrow('missing input x [1, 1, 1, 2, 2]');
    await expect(ex.run({ x: new Float32Array(3) })).rejects.toThrow('input x [1, 1, 1, 2, 2] needs 4 floats, got 3');
    ex.destroy();
  });
});

describe('inputs bound per run', () => {
  it('reads a GPU-resident input from whichever buffer a run binds, of any frame count, rebinding only its readers', async () => {
    // ring (1, 2, R, 2, 2) → gather 2 frames by clipIndex → relu: the gather's output does not depend on R.
    const g = new Graph();
    const ring = g.input('ring', [1, 2, 3, 2, 2]);
    const index = g.input('clipIndex', [2]);
    g.output('y', g.op('relu', { op: 'relu', attrs: {} }, [g.op('gather', { op: 'frameGather', attrs: { axis: 2 } }, [ring, index])]));
    const ringOf = (frames: number, seed: number) => {
      const data = randomArray(2 * frames * 4, rng(seed));
      const buffer = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, data);
      return { data, buffer, frames };
    };
    // (c, t) of the ring → the 4 values of that frame's channel.
    const expected = (r: { data: Float32Array; frames: number }, slots: number[]) =>
      [0, 1].flatMap((c) => slots.flatMap((t) => Array.from(r.data.subarray((c * r.frames + t) * 4, (c * r.frames + t + 1) * 4), (v) => Math.max(v, 0))));
    const small = ringOf(3, 1);
    const large = ringOf(7, 2);
    const ex = await Executor.plan(device, g, { inputBuffers: { ring: small.buffer } });
    const run = (r: typeof small, slots: number[]) =>
      ex.run({ clipIndex: Uint32Array.from(slots) }, { ring: { buffer: r.buffer, shape: [1, 2, r.frames, 2, 2] } });
    expect(Array.from((await run(small, [2, 0])).y!)).toEqual(expected(small, [2, 0]));
    expect(Array.from((await run(large, [6, 3])).y!)).toEqual(expected(large, [6, 3]));
    expect(Array.from((await run(small, [1, 1])).y!)).toEqual(expected(small, [1, 1]));
    // A shape that would change what its readers write is refused: that needs a new plan.
    await expect(ex.run({ clipIndex: Uint32Array.from([0, 1]) }, { ring: { buffer: large.buffer, shape: [1, 1, 14, 2, 2] } })).rejects.toThrow(/would change what it computes/);
    await expect(ex.run({ clipIndex: Uint32Array.from([0, 1]) }, { clipIndex: { buffer: large.buffer } })).rejects.toThrow('clipIndex is not a graph input bound to a GPU buffer');
    ex.destroy();
    small.buffer.destroy();
    large.buffer.destroy();
  });
});

describe('GPU limits', () => {
  it('refuses, before allocating anything, a model whose largest tensor exceeds what the device allows in one buffer', async () => {
    // A device with WebGPU's default limits: 128 MiB per storage binding.
    const adapter = (await navigator.gpu.requestAdapter())!;
    const small = await adapter.requestDevice();
    const config = { ...PRESETS.slowfast_r50_8x8, stemChannels: [16, 2] as const, inputSize: 1024 };
    const { graph } = buildSlowFast(config, new RandomSource(1), { input: 'fast' });
    small.pushErrorScope('validation');
    const attempt = Executor.plan(small, graph);
    await expect(attempt).rejects.toThrow(GpuLimitError);
    await expect(attempt).rejects.toThrow(
      'This model needs a 384 MiB buffer (fast, shape [1, 3, 32, 1024, 1024]), but this GPU allows at most 128 MiB in one buffer. Choose a smaller input size or a smaller model.',
    );
    expect(await small.popErrorScope()).toBeNull();
    small.destroy();
  });
});
