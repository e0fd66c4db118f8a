// Our decoding + GPU preprocessing of cricket.mp4 against the golden inputs, which the official pipeline made
// from ffmpeg-decoded frames. Decoders convert YUV to RGB slightly differently, so the bound is on the mean.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { sharedF32, sharedJson } from '../../kernels/fixtures.ts';
import { gatherSlow } from '../../model/sampling.ts';
import { openVideoFile } from './decode.ts';
import { FrameRing, preferredUpload } from './frameRing.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

function meanAbsDiff(a: Float32Array, b: Float32Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / a.length, max };
}

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
      const dir = 'golden/slowfast_r50_w16_8x8_64px';
      const manifest = await sharedJson<{ input: { fast_source_frame_indices: number[] } }>(`${dir}/manifest.json`);
      const wanted = manifest.input.fast_source_frame_indices;
      const video = await openVideoFile(await (await fetch(`/shared/media/${file}`)).blob());
      const writer = new FrameRing(device, { size: 64, slots: 32, upload });
      let index = 0;
      for await (const frame of video.frames()) {
        const t = wanted.indexOf(index++);
        if (t >= 0) await writer.write(frame, t);
        frame.close();
      }
      video.dispose();
      const fast = await writer.read();
      writer.destroy();
      const golden = await sharedF32(`${dir}/input_fast.bin`);
      const d = meanAbsDiff(fast, golden);
      console.log(`${file} via ${upload}: fast input mean |Δ| ${d.mean.toFixed(4)}, max ${d.max.toFixed(3)} (normalised units)`);
      expect(d.mean).toBeLessThanOrEqual(bound);
      const slow = gatherSlow(fast, 32, 4, 64, 64);
      expect(meanAbsDiff(slow, await sharedF32(`${dir}/input_slow.bin`)).mean).toBeLessThanOrEqual(bound);
    });
  }
});
