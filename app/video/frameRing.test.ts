// Our decoding + GPU preprocessing of cricket.mp4 against the golden inputs, which the official pipeline made
// from ffmpeg-decoded frames. Decoders convert YUV to RGB slightly differently, so the bound is on the mean.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { gatherSlow } from '../../model/sampling.ts';
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
