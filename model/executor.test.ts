import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../kernels/device.ts';
import { randomArray, rng } from '../kernels/compare.ts';
import { add } from '../kernels/add/add.ts';
import { relu } from '../kernels/relu/relu.ts';
import { Executor } from './executor.ts';
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
    t = i % 2 === 0 ? g.op(`relu${i}`, relu(shape), [t], shape) : g.op(`add${i}`, add(shape, shape), [t, x], shape);
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
    const ex = await Executor.create(device, g);
    expect(ex.memory.activationBuffers).toBeLessThanOrEqual(3);
    expect(ex.memory.activationBytes).toBeLessThan(ex.memory.activationBytesUnshared / 2);
    const x = randomArray(420, rng(1));
    const first = (await ex.run({ x })).get('y')!;
    expect(Array.from(first)).toEqual(Array.from(reference(x, 8)));
    const x2 = randomArray(420, rng(2));
    expect(Array.from((await ex.run({ x: x2 })).get('y')!)).toEqual(Array.from(reference(x2, 8)));
    ex.destroy();
  });

  it('keeps requested intermediates readable', async () => {
    const shape = [1, 2, 2, 2, 2];
    const { g, kept } = chain(4, shape);
    const ex = await Executor.create(device, g, { keep: kept });
    const x = randomArray(16, rng(3));
    await ex.run({ x });
    expect(Array.from(await ex.read(kept[1]))).toEqual(Array.from(reference(x, 2)));
    ex.destroy();
  });

  it('times every node with timestamp queries when profiling', async () => {
    expect(device.features.has('timestamp-query')).toBe(true);
    const { g } = chain(5, [1, 8, 4, 16, 16]);
    const ex = await Executor.create(device, g, { profile: true });
    await ex.run({ x: randomArray(8192, rng(4)) });
    expect(ex.timings.map((t) => t.name)).toEqual(['relu0', 'add1', 'relu2', 'add3', 'relu4']);
    expect(ex.timings.map((t) => t.op)).toEqual(['relu', 'add', 'relu', 'add', 'relu']);
    for (const t of ex.timings) expect(t.ms).toBeGreaterThanOrEqual(0);
    expect(ex.timings.reduce((a, t) => a + t.ms, 0)).toBeGreaterThan(0);
    ex.destroy();
  });

  it('names the input when it is missing or the wrong size', async () => {
    const { g } = chain(1, [1, 1, 1, 2, 2]);
    const ex = await Executor.create(device, g);
    await expect(ex.run({})).rejects.toThrow('missing input x [1, 1, 1, 2, 2]');
    await expect(ex.run({ x: new Float32Array(3) })).rejects.toThrow('input x [1, 1, 1, 2, 2] needs 4 floats, got 3');
    ex.destroy();
  });
});
