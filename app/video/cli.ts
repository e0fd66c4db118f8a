// The browser half of `npm run classify -- <video>`: decode, analyse clip by clip, and summarise.
import { acquireGpu, type Gpu } from '../../kernels/device.ts';
import { inferConfig } from '../../model/inferConfig.ts';
import { labelsFor } from '../../model/labels.ts';
import type { PresetName } from '../../model/slowfast.ts';
import { readWeights, type LoadedWeights } from '../../model/weights/load.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { analyzeVideo } from './analyze.ts';
import { openVideoFile } from './decode.ts';

export interface ClassifyVideoRequest {
  videoUrl: string;
  checkpointUrl: string;
  preset?: PresetName;
  size?: number;
  topK: number;
  stride: number;
  views: 1 | 3;
}

async function fetchBlob(url: string, what: string): Promise<Blob> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot read the ${what}: ${await r.text()}`);
  return r.blob();
}

// Several videos in one run share the weights and the device (so its pipelines are compiled once).
const weightsByUrl = new Map<string, Promise<LoadedWeights>>();
let gpuOnce: Promise<Gpu> | undefined;

export async function classifyVideo(req: ClassifyVideoRequest) {
  if (!weightsByUrl.has(req.checkpointUrl)) {
    weightsByUrl.set(req.checkpointUrl, fetchBlob(req.checkpointUrl, 'checkpoint').then(async (b) => readWeights(new Uint8Array(await b.arrayBuffer()))));
  }
  const weights = await weightsByUrl.get(req.checkpointUrl)!.catch((e: unknown) => {
    weightsByUrl.delete(req.checkpointUrl);
    throw e;
  });
  const base = weights.config ?? inferConfig(weights.dict, req.preset);
  const config = req.size ? { ...base, inputSize: req.size } : base;
  const video = await openVideoFile(await fetchBlob(req.videoUrl, 'video'));
  gpuOnce ??= acquireGpu();
  const gpu = await gpuOnce;
  const t0 = performance.now();
  try {
    const notices: string[] = [];
    const clips = await analyzeVideo(gpu.device, video, config, new StateDictSource(weights.dict), {
      topK: req.topK, stride: req.stride, views: req.views, onNotice: (n) => notices.push(n.message),
    });
    // The video's label: clip probabilities averaged, as multi-clip testing does.
    const mean = new Float32Array(config.numClasses);
    for (const c of clips) c.probabilities.forEach((p, i) => (mean[i] += p / clips.length));
    const labels = labelsFor(config.numClasses);
    const top = [...mean.keys()].sort((a, b) => mean[b] - mean[a]).slice(0, req.topK)
      .map((index) => ({ index, label: labels[index], probability: mean[index] }));
    return {
      adapter: gpu.adapter.description,
      video: video.info,
      config,
      ms: performance.now() - t0,
      top,
      clips: clips.map((c) => ({ start: c.start, end: c.end, top: c.top })),
      notices,
    };
  } finally {
    video.dispose();
  }
}
