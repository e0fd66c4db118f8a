import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness, randInt, randomArray, rng } from '../compare.ts';
import { runKernel } from '../runKernel.ts';
import { softmaxRef } from '../softmax/softmax.ref.ts';
import { softmaxGradient, softmaxGradientShape } from './softmaxGradient.ts';
import { softmaxGradientRef } from './softmaxGradient.ref.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('softmaxGradient', () => {
  const random = rng(31);
  const cases: [number, number, number][] = Array.from({ length: 12 }, () => [randInt(random, 1, 40), randInt(random, 1, 300), randInt(random, 2, 6)]);
  // A few takes of three actions on the R50's 2304 pooled features.
  cases.push([30, 2304, 3]);
  for (const [i, [n, d, k]] of cases.entries()) {
    it(`${n} examples × ${d} features, ${k} classes`, async () => {
      const r = rng(100 + i);
      const x = randomArray(n * d, r, -2, 2);
      const probabilities = softmaxRef(randomArray(n * k, r, -4, 4), k);
      const labels = Uint32Array.from({ length: n }, () => randInt(r, 0, k - 1));
      const w = randomArray(k * d, r);
      const decay = 0.01;
      const [g] = await runKernel(device, softmaxGradient([n, d], [n, k], [n], [k, d], { decay }), [x, probabilities, labels, w], [k * (d + 1)]);
      const c = closeness(g, softmaxGradientRef(x, probabilities, labels, w, k, decay), 1e-4, 1e-6);
      expect(c.ok, c.summary).toBe(true);
    });
  }

  it('is the finite difference of the loss', () => {
    // The reference itself, against the loss it is the gradient of (so the kernel is checked against calculus).
    const [n, d, k, decay] = [5, 4, 3, 0.1];
    const r = rng(7);
    const x = randomArray(n * d, r);
    const labels = Uint32Array.from({ length: n }, (_, i) => i % k);
    const w = Float64Array.from(randomArray(k * d, r));
    const b = Float64Array.from(randomArray(k, r));
    const loss = (w: Float64Array, b: Float64Array) => {
      let l = 0;
      for (let i = 0; i < n; i++) {
        const z = Array.from({ length: k }, (_, c) => b[c] + Array.from({ length: d }, (_, j) => w[c * d + j] * x[i * d + j]).reduce((a, v) => a + v, 0));
        const m = Math.max(...z);
        l += -(z[labels[i]] - m - Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0)));
      }
      return l / n + (decay / 2) * w.reduce((a, v) => a + v * v, 0);
    };
    const logits = new Float32Array(n * k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) logits[i * k + c] = b[c] + Array.from({ length: d }, (_, j) => w[c * d + j] * x[i * d + j]).reduce((a, v) => a + v, 0);
    const g = softmaxGradientRef(x, softmaxRef(logits, k), labels, Float32Array.from(w), k, decay);
    const h = 1e-5;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j <= d; j++) {
        const [wp, bp, wm, bm] = [new Float64Array(w), new Float64Array(b), new Float64Array(w), new Float64Array(b)];
        if (j < d) [wp[c * d + j], wm[c * d + j]] = [w[c * d + j] + h, w[c * d + j] - h];
        else [bp[c], bm[c]] = [b[c] + h, b[c] - h];
        expect(g[c * (d + 1) + j]).toBeCloseTo((loss(wp, bp) - loss(wm, bm)) / (2 * h), 4);
      }
    }
  });

  it('names the op on a shape mismatch', () => {
    expect(() => softmaxGradientShape([4, 10], [4, 3], [4], [3, 9])).toThrow('softmaxGradient: features [4, 10] and weight [3, 9] disagree');
    expect(() => softmaxGradientShape([4, 10], [5, 3], [4], [3, 10])).toThrow('probabilities [5, 3] are not (4, 3)');
  });
});
