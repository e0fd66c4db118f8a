// Video-input benchmark, run in the browser by scripts/bench-video.mjs: frames/s of decoding alone, and of
// decoding plus GPU preprocessing (VideoFrame → texture → preprocess into a clip slot).
import { acquireGpu } from '../../kernels/device.ts';
import { FrameRing, type FrameUpload } from './frameRing.ts';
import { openVideoFile } from './decode.ts';

export interface VideoBenchOptions {
  urls: string[];
  size: number;
  repeats: number;
}

export async function runVideoBench(o: VideoBenchOptions) {
  const gpu = await acquireGpu();
  const results = [];
  for (const url of o.urls) {
    const blob = await (await fetch(url)).blob();
    const decodeOnly: number[] = [];
    const withPreprocess: Record<FrameUpload, number[]> = { copyExternalImage: [], copyTo: [], importExternal: [] };
    let frames = 0;
    for (let r = 0; r < o.repeats; r++) {
      const video = await openVideoFile(blob);
      let t0 = performance.now();
      frames = 0;
      for await (const frame of video.frames()) {
        frames++;
        frame.close();
      }
      decodeOnly.push(frames / ((performance.now() - t0) / 1000));
      for (const upload of Object.keys(withPreprocess) as FrameUpload[]) {
        const writer = new FrameRing(gpu.device, { size: o.size, slots: 32, upload });
        t0 = performance.now();
        let t = 0;
        for await (const frame of video.frames()) {
          await writer.write(frame, t++ % 32);
          frame.close();
        }
        await gpu.device.queue.onSubmittedWorkDone();
        withPreprocess[upload].push(frames / ((performance.now() - t0) / 1000));
        writer.destroy();
      }
      video.dispose();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    results.push({
      url, frames, decodeFps: median(decodeOnly),
      decodeAndPreprocessFps: Object.fromEntries(Object.entries(withPreprocess).map(([k, v]) => [k, median(v)])) as Record<FrameUpload, number>,
    });
  }
  gpu.device.destroy();
  return { adapter: gpu.adapter.description, size: o.size, results };
}
