// Our decoding + GPU preprocessing of cricket.mp4 against the golden inputs, which the official pipeline made
// from ffmpeg-decoded frames. Decoders convert YUV to RGB slightly differently, so the bound is on the mean.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { gatherSlow } from '../../model/sampling.ts';
import { orientRgba } from '../../kernels/preprocess/preprocess.ref.ts';
import type { Orientation } from '../../kernels/preprocess/preprocess.ts';
import { CpuFrameRing } from './cpuFrameRing.ts';
import { FrameRing, preferredUpload } from './frameRing.ts';
import { distanceFromGolden, writeGoldenFrames } from './goldenFrames.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

describe('preferredUpload on this machine', () => {
  it('picks VideoFrame.copyTo + writeTexture on SwiftShader, where it measured 4× faster', () => {
    expect(preferredUpload(device)).toBe('copyTo');
  });
});

describe('decode + preprocess against the golden inputs', () => {
  // The golden inputs come from cricket.mp4; the WebM is a separate lossy VP9 encoding of the same clip, so it
  // is held to a looser bound.
  const cases = [
    ['cricket.mp4', 0.03, 'copyExternalImage'], ['cricket.mp4', 0.03, 'copyTo'], ['cricket.mp4', 0.03, 'importExternal'],
    ['cricket.webm', 0.05, 'copyExternalImage'],
  ] as const;
  for (const [file, bound, upload] of cases) {
    it(`${file} via ${upload} at the golden frame indices reproduces input_fast.bin and input_slow.bin (mean |Δ| ≤ ${bound})`, async () => {
      const writer = new FrameRing(device, { size: 64, slots: 32, upload });
      await writeGoldenFrames(writer, file);
      const fast = await writer.read();
      writer.destroy();
      const d = await distanceFromGolden(fast, 'input_fast.bin');
      console.log(`${file} via ${upload}: fast input mean |Δ| ${d.mean.toFixed(4)}, max ${d.max.toFixed(3)} (normalised units)`);
      expect(d.mean).toBeLessThanOrEqual(bound);
      const slow = gatherSlow(fast, 32, 4, 64, 64);
      expect((await distanceFromGolden(slow, 'input_slow.bin')).mean).toBeLessThanOrEqual(bound);
    });
  }
});

// A phone camera's VideoFrame carries its turn (WebCodecs' rotation and flip) over stored pixels; a decoded file's
// frames carry the container's turn beside them. The ring must see what the user sees, turned once.
describe('frames that carry a turn', () => {
  const [width, height] = [48, 30];
  const pixels = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37) % 251));
  const frameOf = (rgba: Uint8Array, w: number, h: number, turn?: Orientation) =>
    new VideoFrame(rgba, { format: 'RGBA', codedWidth: w, codedHeight: h, timestamp: 0, ...(turn && { rotation: turn.rotation, flip: turn.flip }) } as VideoFrameBufferInit);
  const rings = {
    'the GPU ring, via copyTo': () => new FrameRing(device, { size: 24, slots: 1, upload: 'copyTo' }),
    'the GPU ring, via copyExternalImage': () => new FrameRing(device, { size: 24, slots: 1, upload: 'copyExternalImage' }),
    'the GPU ring, via importExternal': () => new FrameRing(device, { size: 24, slots: 1, upload: 'importExternal' }),
    'the CPU ring': () => new CpuFrameRing({ size: 24, slots: 1 }),
  };
  const written = async (make: () => FrameRing | CpuFrameRing, frame: VideoFrame, shown?: Orientation) => {
    const ring = make();
    try {
      await ring.write(frame, 0, shown);
      return Array.from(await ring.read());
    } finally {
      frame.close();
      if (ring instanceof FrameRing) ring.destroy();
    }
  };
  for (const [name, make] of Object.entries(rings))
    it(`${name}: as its upright copy, with and without a container's turn after it`, async () => {
      const own: Orientation = { rotation: 90, flip: true };
      const probe = frameOf(pixels, width, height, own);
      expect((probe as VideoFrame & { rotation?: number }).rotation, 'this browser keeps a VideoFrame\'s rotation').toBe(90);
      probe.close();
      const shownOwn = orientRgba(pixels, width, height, own);
      const upright = await written(make, frameOf(shownOwn.rgba, shownOwn.width, shownOwn.height));
      expect(await written(make, frameOf(pixels, width, height, own))).toEqual(upright);
      // Then turned by a container: the frame's own turn first, the container's after it.
      const container: Orientation = { rotation: 270, flip: false };
      const shownBoth = orientRgba(shownOwn.rgba, shownOwn.width, shownOwn.height, container);
      expect(await written(make, frameOf(pixels, width, height, own), container)).toEqual(await written(make, frameOf(shownBoth.rgba, shownBoth.width, shownBoth.height)));
    });
});
