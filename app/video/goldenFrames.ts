// Test fixture shared by the ring tests (GPU and CPU): the golden clip's frames, as the official pipeline picked
// them, written into a ring, and how far the ring's tensor is from the golden input.
import { sharedF32, sharedJson } from '../../kernels/fixtures.ts';
import { openVideoFile } from './decode.ts';

export const GOLDEN_DIR = 'golden/slowfast_r50_w16_8x8_64px';

/** Decodes `/shared/media/<file>` and writes the frames the golden fast pathway took, in order, into `ring`'s slots. */
export async function writeGoldenFrames(ring: { write(frame: VideoFrame, slot: number): Promise<void> }, file = 'cricket.mp4'): Promise<void> {
  const manifest = await sharedJson<{ input: { fast_source_frame_indices: number[] } }>(`${GOLDEN_DIR}/manifest.json`);
  const wanted = manifest.input.fast_source_frame_indices;
  const video = await openVideoFile(await (await fetch(`/shared/media/${file}`)).blob());
  try {
    let index = 0;
    for await (const frame of video.frames()) {
      const slot = wanted.indexOf(index++);
      try {
        if (slot >= 0) await ring.write(frame, slot);
      } finally {
        frame.close();
      }
    }
  } finally {
    video.dispose();
  }
}

/** Mean and largest |a − b| between a tensor and a golden input (`input_fast.bin`, `input_slow.bin`). */
export async function distanceFromGolden(tensor: Float32Array, input: 'input_fast.bin' | 'input_slow.bin'): Promise<{ mean: number; max: number }> {
  const golden = await sharedF32(`${GOLDEN_DIR}/${input}`);
  if (golden.length !== tensor.length) throw new Error(`${input} has ${golden.length} values, the tensor ${tensor.length}`);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < tensor.length; i++) {
    const d = Math.abs(tensor[i] - golden[i]);
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / tensor.length, max };
}
