import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, hasSubgroups } from '../device.ts';
import { closeness, randInt, randomArray, rng } from '../compare.ts';
import { packF16, roundToF16 } from '../f16.ts';
import { sizeOf, type Shape } from '../kernel.ts';
import { checkHalfVariant, expectSubgroupsRefused } from '../missingFeature.ts';
import { runKernel } from '../runKernel.ts';
import { sharedJson } from '../fixtures.ts';
import { CONV3D_TILES, conv3d, conv3dAffine, conv3dShape, type Conv3dAttrs, type Conv3dVariant, type Triple } from './conv3d.ts';
import { conv3dRef } from './conv3d.ref.ts';
import { distinctLayers, goldenConvLayers } from './goldenLayers.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

interface Case {
  x: Shape;
  w: Shape;
  attrs: Conv3dAttrs & Conv3dVariant;
  affine?: boolean;
}

async function check(c: Case, seed: number, { f16 = false } = {}) {
  const random = rng(seed);
  const x = randomArray(sizeOf(c.x), random);
  let w = randomArray(sizeOf(c.w), random);
  const outC = c.w[0];
  const affine = c.affine
    ? conv3dAffine(outC, randomArray(outC, random, 0.5, 1.5), randomArray(outC, random))
    : conv3dAffine(outC);
  const yShape = conv3dShape(c.x, c.w, c.attrs);
  const residual = c.attrs.residual ? randomArray(c.x[0] * outC * sizeOf(yShape.slice(2)), random) : undefined;
  const desc = conv3d(c.x, c.w, { ...c.attrs, weightFormat: f16 ? 'f16' : 'f32' });
  const inputs = [x, f16 ? packF16(w) : w, affine, ...(residual ? [residual] : [])];
  const [y] = await runKernel(device, desc, inputs, [sizeOf(yShape)]);
  // The packed weights stand for their f16 roundings; the reference uses those, so only accumulation differs.
  if (f16) w = roundToF16(w);
  const ref = conv3dRef(x, c.x, w, c.w, c.attrs, affine, residual);
  const result = closeness(y, ref, 1e-4, 1e-6);
  expect(result.ok, `${JSON.stringify(c)} seed ${seed}: ${result.summary}`).toBe(true);
}

function randomCase(random: () => number, kernel: Triple): Case {
  const stride: Triple = [randInt(random, 1, 2), randInt(random, 1, 2), randInt(random, 1, 2)];
  const padding: Triple = [
    randInt(random, 0, Math.floor(kernel[0] / 2)),
    randInt(random, 0, Math.floor(kernel[1] / 2)),
    randInt(random, 0, Math.floor(kernel[2] / 2)),
  ];
  const dilation: Triple = random() < 0.2 ? [randInt(random, 1, 2), randInt(random, 1, 2), randInt(random, 1, 2)] : [1, 1, 1];
  const dims = [0, 1, 2].map((i) => Math.max(dilation[i] * (kernel[i] - 1) + 1, randInt(random, 1, 9)));
  return {
    x: [randInt(random, 1, 2), randInt(random, 1, 13), dims[0], dims[1], dims[2]],
    w: [randInt(random, 1, 70), 0, ...kernel],
    attrs: { kernel, stride, padding, dilation, relu: random() < 0.5, residual: random() < 0.4 },
    affine: random() < 0.7,
  };
}

describe('conv3d', () => {
  const kernels: Triple[] = [
    [1, 1, 1], [1, 3, 3], [3, 1, 1], [1, 7, 7], [5, 7, 7], [7, 1, 1], [5, 1, 1], [3, 3, 3], [2, 1, 4],
  ];
  const random = rng(42);
  const cases: Case[] = [];
  for (let i = 0; i < 27; i++) {
    const c = randomCase(random, kernels[i % kernels.length]);
    cases.push({ ...c, w: [c.w[0], c.x[1], ...c.attrs.kernel] });
  }
  // T = 1, odd sizes, channel counts past one tile, a pointwise conv over many positions.
  cases.push({ x: [1, 5, 1, 7, 9], w: [3, 5, 1, 3, 3], attrs: { kernel: [1, 3, 3], padding: [0, 1, 1] } });
  cases.push({ x: [1, 33, 3, 5, 5], w: [130, 33, 1, 1, 1], attrs: { kernel: [1, 1, 1], relu: true }, affine: true });
  cases.push({ x: [2, 17, 4, 11, 13], w: [20, 17, 1, 1, 1], attrs: { kernel: [1, 1, 1], stride: [1, 2, 2] } });

  cases.forEach((c, i) => {
    it(`random shape ${i}: x ${JSON.stringify(c.x)} w ${JSON.stringify(c.w)} stride ${c.attrs.stride ?? '1'} pad ${c.attrs.padding ?? '0'}${c.attrs.residual ? ' +res' : ''}${c.attrs.relu ? ' relu' : ''}`, async () => {
      await check(c, 1000 + i);
    });
  });

  for (const [i, tile] of CONV3D_TILES.entries()) {
    it(`tile ${JSON.stringify(tile)} on a shape that leaves partial tiles`, async () => {
      await check({ x: [1, 7, 3, 9, 11], w: [70, 7, 3, 3, 3], attrs: { kernel: [3, 3, 3], padding: [1, 1, 1], stride: [1, 2, 1], relu: true, residual: true, tile }, affine: true }, 300 + i);
      // Strided pointwise (X̂'s columns at window corners), two clips: the branch1 convs of res3–res5.
      await check({ x: [2, 19, 3, 7, 9], w: [21, 19, 1, 1, 1], attrs: { kernel: [1, 1, 1], stride: [2, 2, 2], residual: true, tile } }, 320 + i);
    });
  }

  // Weights shared across quads of lanes: every direct tile, pointwise and windowed, partial tiles, f16 weights,
  // fewer output channels than a quad. (SwiftShader has subgroups; Firefox's WebGPU has none, and must never be
  // asked to use them.)
  for (const [i, tile] of CONV3D_TILES.filter((t) => t.direct).entries()) {
    it(`tile ${JSON.stringify(tile)} with subgroups`, async () => {
      const subgroups = { tile, subgroups: true };
      const variant = conv3d([1, 7, 3, 9, 11], [70, 7, 3, 3, 3], { kernel: [3, 3, 3], ...subgroups });
      expect(variant.source).toContain('quadBroadcast');
      if (!hasSubgroups(device)) return expectSubgroupsRefused(device, variant);
      await check({ x: [1, 7, 3, 9, 11], w: [70, 7, 3, 3, 3], attrs: { kernel: [3, 3, 3], padding: [1, 1, 1], stride: [1, 2, 1], relu: true, residual: true, ...subgroups }, affine: true }, 400 + i);
      await check({ x: [2, 9, 3, 5, 7], w: [18, 9, 1, 1, 1], attrs: { kernel: [1, 1, 1], ...subgroups }, affine: true }, 420 + i);
      await check({ x: [1, 3, 4, 13, 13], w: [2, 3, 3, 7, 7], attrs: { kernel: [3, 7, 7], stride: [1, 2, 2], padding: [1, 3, 3], relu: true, ...subgroups } }, 440 + i);
      await check({ x: [1, 8, 4, 9, 9], w: [24, 8, 3, 3, 3], attrs: { kernel: [3, 3, 3], padding: [1, 1, 1], ...subgroups } }, 460 + i, { f16: true });
    });
  }

  it('writes into a channel slice of a larger output (zero-copy concat)', async () => {
    const random2 = rng(7);
    const xs: Shape = [1, 4, 3, 5, 5];
    const ws: Shape = [6, 4, 1, 3, 3];
    const attrs: Conv3dAttrs = { kernel: [1, 3, 3], padding: [0, 1, 1], outputChannelOffset: 3, outputChannelsTotal: 11 };
    const x = randomArray(sizeOf(xs), random2);
    const w = randomArray(sizeOf(ws), random2);
    const outLen = sizeOf(conv3dShape(xs, ws, attrs));
    const [y] = await runKernel(device, conv3d(xs, ws, attrs), [x, w, conv3dAffine(6)], [outLen]);
    const ref = conv3dRef(x, xs, w, ws, attrs, conv3dAffine(6), undefined, new Float32Array(outLen));
    expect(closeness(y, ref).ok).toBe(true);
    // Channels outside the slice are untouched (zero here).
    expect(y.slice(0, 3 * 75).every((v) => v === 0)).toBe(true);
  });

  it('packed f16 weights, f32 accumulation', async () => {
    await check({ x: [1, 8, 4, 9, 9], w: [24, 8, 3, 3, 3], attrs: { kernel: [3, 3, 3], padding: [1, 1, 1], relu: true }, affine: true }, 5, { f16: true });
    await check({ x: [1, 7, 2, 6, 6], w: [9, 7, 1, 1, 1], attrs: { kernel: [1, 1, 1], residual: true } }, 6, { f16: true });
  });

  /**
   * f16 storage and multiplies, f32 sums: against the reference on the f16-rounded operands, within what the f16
   * products add (each rounded to 11 bits). Where the device lacks shader-f16 the variant is refused.
   */
  async function checkHalf(c: Case, seed: number) {
    const random = rng(seed);
    const x = randomArray(sizeOf(c.x), random);
    const w = randomArray(sizeOf(c.w), random);
    const outC = c.w[0];
    const affine = conv3dAffine(outC, randomArray(outC, random, 0.5, 1.5), randomArray(outC, random));
    const yShape = conv3dShape(c.x, c.w, c.attrs);
    const residual = c.attrs.residual ? randomArray(sizeOf(yShape), random) : undefined;
    const variant = conv3d(c.x, c.w, { ...c.attrs, precision: 'f16', elements: { in: 'f16', out: 'f16' } });
    const inputs = [{ values: x, half: true }, { values: w, half: true }, { values: affine }, ...(residual ? [{ values: residual, half: true }] : [])];
    await checkHalfVariant(device, variant, inputs, ([xr, wr, , rr]) => conv3dRef(xr as Float32Array, c.x, wr as Float32Array, c.w, c.attrs, affine, rr as Float32Array | undefined),
      { length: sizeOf(yShape), dtype: 'f16' }, 4e-3);
  }

  // Every algorithm (workgroup-memory tiles, direct, pointwise at stride 1 and 2), partial tiles, the residual.
  const halfTiles = [undefined, { m: 64, n: 64, k: 16 }, { m: 8, n: 256, k: 8 }, { m: 16, n: 64, k: 0, direct: true }, { m: 4, n: 256, k: 0, direct: true }];
  for (const [i, tile] of halfTiles.entries()) {
    it(`f16 activations and weights, f32 sums: tile ${JSON.stringify(tile ?? 'default')}`, async () => {
      await checkHalf({ x: [1, 7, 3, 9, 11], w: [70, 7, 3, 3, 3], attrs: { kernel: [3, 3, 3], padding: [1, 1, 1], stride: [1, 2, 1], relu: true, residual: true, tile } }, 500 + i);
      await checkHalf({ x: [2, 19, 3, 7, 9], w: [21, 19, 1, 1, 1], attrs: { kernel: [1, 1, 1], stride: [2, 2, 2], residual: true, tile } }, 520 + i);
      await checkHalf({ x: [1, 40, 2, 5, 6], w: [9, 40, 1, 1, 1], attrs: { kernel: [1, 1, 1], tile } }, 540 + i);
    });
  }

  it('splits a dispatch of more than 65,535 workgroups across y', async () => {
    const c: Case = { x: [1, 1, 1, 1025, 1024], w: [1, 1, 1, 1, 1], attrs: { kernel: [1, 1, 1], tile: { m: 16, n: 16, k: 16 } }, affine: true };
    const desc = conv3d(c.x, c.w, c.attrs);
    expect(desc.dispatch[1]).toBeGreaterThan(1);
    await check(c, 9);
  });

  for (const fixture of ['slowfast_r50_w16_8x8_64px', 'slowfast_r50_w16_4x16_64px']) {
    it(`every distinct conv layer of ${fixture}`, async () => {
      const manifest = await sharedJson<Parameters<typeof goldenConvLayers>[0]>(`golden/${fixture}/manifest.json`);
      const layers = distinctLayers(goldenConvLayers(manifest));
      expect(layers.length).toBeGreaterThan(20);
      for (const [i, l] of layers.entries()) {
        await check({ x: l.input, w: l.weight, attrs: { ...l.attrs, relu: true, subgroups: hasSubgroups(device) }, affine: true }, 2000 + i);
      }
    });
  }
});
