import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, hasF16 } from '../device.ts';
import { roundToF16 } from '../f16.ts';
import { expectF16Refused } from '../missingFeature.ts';
import { closeness, randInt, rng } from '../compare.ts';
import { sizeOf } from '../kernel.ts';
import { runKernel } from '../runKernel.ts';
import { sharedF32, sharedJson, sharedRgb24Frames } from '../fixtures.ts';
import { preprocess, preprocessGeometry, preprocessShape, type CropPosition, type Orientation } from './preprocess.ts';
import { orientRgba, preprocessRef } from './preprocess.ref.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

function frameTexture(rgba: Uint8Array<ArrayBuffer>, width: number, height: number): GPUTexture {
  const texture = device.createTexture({
    size: [width, height],
    format: 'rgba8unorm',
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  device.queue.writeTexture({ texture }, rgba, { bytesPerRow: width * 4 }, [width, height]);
  return texture;
}

function rgbToRgba(rgb: Uint8Array): Uint8Array<ArrayBuffer> {
  const rgba = new Uint8Array((rgb.length / 3) * 4);
  for (let i = 0; i < rgb.length / 3; i++) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
  return rgba;
}

describe('preprocess', () => {
  const random = rng(22);
  const cases = Array.from({ length: 20 }, (_, i) => ({
    width: randInt(random, 1, 97),
    height: randInt(random, 1, 97),
    size: randInt(random, 1, 40),
    crop: (i % 3) as CropPosition,
    frames: randInt(random, 1, 4),
    clips: randInt(random, 1, 2),
    mirror: i % 4 === 3,
    // Every turn and flip a stored frame can be shown with, over the random sizes.
    orientation: { rotation: ((i % 4) * 90) as Orientation['rotation'], flip: i % 8 >= 4 },
  }));
  // Down- and up-scaling of real frame sizes: 224² → 64 (the golden fixtures), 640×360 → 224, 360×640 → 224.
  const upright: Orientation = { rotation: 0, flip: false };
  cases.push({ width: 224, height: 224, size: 64, crop: 1, frames: 2, clips: 1, mirror: false, orientation: upright });
  cases.push({ width: 640, height: 360, size: 224, crop: 1, frames: 1, clips: 1, mirror: false, orientation: upright });
  cases.push({ width: 360, height: 640, size: 224, crop: 2, frames: 1, clips: 1, mirror: false, orientation: upright });
  cases.push({ width: 50, height: 30, size: 64, crop: 0, frames: 1, clips: 1, mirror: false, orientation: upright });
  cases.push({ width: 640, height: 360, size: 224, crop: 0, frames: 1, clips: 1, mirror: true, orientation: upright });
  // A phone's portrait video: landscape frames shown turned a quarter.
  cases.push({ width: 640, height: 360, size: 224, crop: 1, frames: 1, clips: 1, mirror: false, orientation: { rotation: 90, flip: false } });
  cases.push({ width: 640, height: 360, size: 224, crop: 2, frames: 1, clips: 1, mirror: true, orientation: { rotation: 270, flip: false } });
  for (const [i, c] of cases.entries()) {
    it(`${c.width}×${c.height} shown at ${c.orientation.rotation}°${c.orientation.flip ? ' flipped' : ''} → ${c.size}², crop ${c.crop}${c.mirror ? ', mirrored' : ''}`, async () => {
      const r = rng(i);
      const rgba = Uint8Array.from({ length: c.width * c.height * 4 }, () => Math.floor(r() * 256));
      const t = randInt(r, 0, c.frames - 1);
      const clip = randInt(r, 0, c.clips - 1);
      const attrs = { width: c.width, height: c.height, size: c.size, crop: c.crop, clip, clips: c.clips, frames: c.frames, t, mirror: c.mirror, orientation: c.orientation };
      const shape = preprocessShape(attrs);
      const [out] = await runKernel(device, preprocess(attrs), [frameTexture(rgba, c.width, c.height)], [sizeOf(shape)]);
      // Only frame t of clip `clip` is written; compare it channel by channel.
      const ref = preprocessRef(rgba, c.width, c.height, c.size, c.crop, c.mirror, c.orientation);
      const plane = c.size * c.size;
      const ours = new Float32Array(3 * plane);
      for (let ch = 0; ch < 3; ch++) {
        const at = ((clip * 3 + ch) * c.frames + t) * plane;
        ours.set(out.subarray(at, at + plane), ch * plane);
      }
      const cmp = closeness(ours, ref, 1e-5, 1e-5);
      expect(cmp.ok, cmp.summary).toBe(true);
      const written = out.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
      expect(written).toBeLessThanOrEqual(3 * plane);
    });
  }

  it('mirrored is the unmirrored crop read right to left', async () => {
    const [width, height, size] = [80, 48, 32];
    const r = rng(5);
    const rgba = Uint8Array.from({ length: width * height * 4 }, () => Math.floor(r() * 256));
    const run = async (mirror: boolean) =>
      (await runKernel(device, preprocess({ width, height, size, crop: 2, clip: 0, frames: 1, t: 0, mirror }), [frameTexture(rgba, width, height)], [3 * size * size]))[0];
    const [plain, mirrored] = [await run(false), await run(true)];
    for (let row = 0; row < 3 * size; row++) {
      expect(Array.from(mirrored.subarray(row * size, (row + 1) * size))).toEqual(Array.from(plain.subarray(row * size, (row + 1) * size)).reverse());
    }
  });

  it('a turned frame gives what its upright copy gives', async () => {
    const [width, height, size] = [72, 40, 32];
    const r = rng(9);
    const rgba = Uint8Array.from({ length: width * height * 4 }, () => Math.floor(r() * 256));
    const run = async (pixels: Uint8Array<ArrayBuffer>, w: number, h: number, orientation?: Orientation) =>
      (await runKernel(device, preprocess({ width: w, height: h, size, clip: 0, frames: 1, t: 0, orientation }), [frameTexture(pixels, w, h)], [3 * size * size]))[0];
    for (const rotation of [90, 180, 270] as const) {
      const upright = orientRgba(rgba, width, height, { rotation, flip: false });
      expect(Array.from(await run(rgba, width, height, { rotation, flip: false }))).toEqual(Array.from(await run(upright.rgba as Uint8Array<ArrayBuffer>, upright.width, upright.height)));
    }
  });

  // A network run in f16 reads its clips in f16: the same values, each rounded once to f16 as it is stored. Where the
  // device lacks shader-f16 the variant is refused.
  it('writes f16 clips where the GPU has shader-f16: the f32 values rounded to f16', async () => {
    const shapes = [
      { width: 640, height: 360, size: 64, crop: 1 as CropPosition, orientation: { rotation: 90 as const, flip: false } },
      { width: 97, height: 61, size: 40, crop: 2 as CropPosition, orientation: upright, mirror: true },
    ];
    for (const [i, c] of shapes.entries()) {
      const r = rng(70 + i);
      const rgba = Uint8Array.from({ length: c.width * c.height * 4 }, () => Math.floor(r() * 256));
      const attrs = { width: c.width, height: c.height, size: c.size, crop: c.crop, clip: 0, frames: 2, t: 1, mirror: c.mirror, orientation: c.orientation };
      const variant = preprocess({ ...attrs, dtype: 'f16' });
      if (!hasF16(device)) {
        await expectF16Refused(device, variant);
        return;
      }
      const count = sizeOf(preprocessShape(attrs));
      const [half] = await runKernel(device, variant, [frameTexture(rgba, c.width, c.height)], [count], ['f16']);
      const [full] = await runKernel(device, preprocess(attrs), [frameTexture(rgba, c.width, c.height)], [count]);
      // The reference is the f32 kernel's (itself checked against preprocessRef above), rounded to f16.
      const cmp = closeness(half, roundToF16(full), 2 ** -10, 1e-6);
      expect(cmp.ok, cmp.summary).toBe(true);
      const plane = c.size * c.size;
      const ref = preprocessRef(rgba, c.width, c.height, c.size, c.crop, c.mirror ?? false, c.orientation);
      const frame1 = new Float32Array(3 * plane);
      for (let ch = 0; ch < 3; ch++) frame1.set(half.subarray((ch * 2 + 1) * plane, (ch * 2 + 2) * plane), ch * plane);
      const vsRef = closeness(frame1, ref, 2 ** -10, 1e-4);
      expect(vsRef.ok, vsRef.summary).toBe(true);
    }
  });

  it('follows pytorchvideo short_side_scale and uniform_crop geometry', () => {
    expect(preprocessGeometry(640, 360, 224, 1)).toEqual({ resizedW: 398, resizedH: 224, cropX: 87, cropY: 0 });
    expect(preprocessGeometry(360, 640, 224, 0)).toEqual({ resizedW: 224, resizedH: 398, cropX: 0, cropY: 0 });
    expect(preprocessGeometry(360, 640, 224, 2)).toEqual({ resizedW: 224, resizedH: 398, cropX: 0, cropY: 174 });
    // Centre offsets round half to even, like Python's round in CenterCropVideo: 0.5 → 0, 1.5 → 2.
    expect(preprocessGeometry(65, 64, 64, 1).cropX).toBe(0);
    expect(preprocessGeometry(67, 64, 64, 1).cropX).toBe(2);
  });

  it('reproduces the golden input_fast.bin from ffmpeg-decoded cricket.mp4 frames', async () => {
    const fixture = 'golden/slowfast_r50_w16_8x8_64px';
    const manifest = await sharedJson<{ input: { fast_source_frame_indices: number[] } }>(`${fixture}/manifest.json`);
    const indices = manifest.input.fast_source_frame_indices;
    const frames = await sharedRgb24Frames('media/cricket.mp4', 224, 224);
    expect(frames.length).toBe(79);
    const plane = 64 * 64;
    const ours = new Float32Array(3 * 32 * plane);
    for (const [t, index] of indices.entries()) {
      const texture = frameTexture(rgbToRgba(frames[index]), 224, 224);
      const [out] = await runKernel(device, preprocess({ width: 224, height: 224, size: 64, clip: 0, frames: 32, t }), [texture], [ours.length]);
      for (let ch = 0; ch < 3; ch++) {
        const at = (ch * 32 + t) * plane;
        ours.set(out.subarray(at, at + plane), at);
      }
    }
    const golden = await sharedF32(`${fixture}/input_fast.bin`);
    const c = closeness(ours, golden, 1e-5, 1e-4);
    expect(c.ok, c.summary).toBe(true);
  });
});
