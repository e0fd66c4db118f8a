// The browser half of `npm run classify -- <video>`: decode, analyse clip by clip, and summarise.
import { acquireGpu, type Gpu } from '../../kernels/device.ts';
import { configOf } from '../../model/inferConfig.ts';
import type { Classifier } from '../../model/classifier.ts';
import type { PresetName } from '../../model/slowfast.ts';
import { fetchBlob, labelsAt, weightsAt } from '../../model/cli.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { Engine } from '../engine/engine.ts';
import { DEFAULT_SEGMENT_OPTIONS, segmentsOf, type SegmentOptions } from '../../model/segments.ts';
import { segmentsRecord, segmentsToCsv, segmentsToVtt } from '../results.ts';
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
  /** A label file (one label a line, or JSON), and its name for messages. */
  labelsUrl?: string;
  labelsName?: string;
  /** Names for the segments export. */
  videoName?: string;
  checkpointName?: string;
  /** 'paper': 10 clips evenly spaced (views 3 for its 3 crops) instead of one every `stride`. */
  protocol?: 'stride' | 'paper';
  /** Segment thresholds (model/segments.ts); the segments come back in JSON, CSV and WebVTT. */
  segments?: SegmentOptions;
  /** Return each clip's class activation maps (its top classes', per pathway). */
  cam?: boolean;
}

// Several videos in one run share the weights, the device and its resident engine (the model is built once).
let gpuOnce: Promise<Gpu> | undefined;
let engine: Engine | undefined;
/** One engine model id per checkpoint and config, so a second video with the same ones reuses the model. */
const modelIds = new Map<string, number>();

export async function classifyVideo(req: ClassifyVideoRequest) {
  const weights = await weightsAt(req.checkpointUrl);
  const config = configOf(weights, { preset: req.preset, inputSize: req.size });
  const video = await openVideoFile(await fetchBlob(req.videoUrl, 'video'));
  gpuOnce ??= acquireGpu();
  const gpu = await gpuOnce;
  const t0 = performance.now();
  try {
    const notices: string[] = [];
    let classifier: Classifier | undefined;
    const labels = req.labelsUrl ? await labelsAt(req.labelsUrl, config.numClasses, req.labelsName) : undefined;
    engine ??= new Engine(gpu.device);
    const key = JSON.stringify([req.checkpointUrl, config]);
    if (!modelIds.has(key)) modelIds.set(key, modelIds.size + 1);
    const model = { id: modelIds.get(key)!, config, weights: () => new StateDictSource(weights.dict), labels };
    const clips = await analyzeVideo(engine, model, video, {
      topK: req.topK, stride: req.stride, views: req.views, protocol: req.protocol, onNotice: (n) => notices.push(n.message), onClassifier: (c) => (classifier = c),
    });
    // The video's labels from its clips', as multi-clip testing does (mean, or max for a multi-label head).
    const top = classifier!.topOf(classifier!.combine(clips.map((c) => c.probabilities)), req.topK);
    const names = classifier!.labels;
    const segments = req.segments && segmentsOf(clips, names, req.segments);
    const thresholds = { ...DEFAULT_SEGMENT_OPTIONS, ...req.segments };
    const verdict = top.map(({ index, label, probability }) => ({ index, label, probability }));
    const record = segments && segmentsRecord({ file: req.videoName ?? 'video', model: req.checkpointName ?? 'checkpoint', thresholds, verdict }, segments);
    return {
      adapter: gpu.adapter.description,
      video: video.info,
      config,
      ms: performance.now() - t0,
      top,
      clips: clips.map((c) => ({ start: c.start, end: c.end, top: c.top })),
      notices,
      ...(record ? { segments: record, segmentsCsv: segmentsToCsv(record), segmentsVtt: segmentsToVtt(segments!) } : {}),
      // Plain arrays: they leave the page as JSON.
      ...(req.cam ? {
        maps: clips.map((c) => c.maps && {
          start: c.start, end: c.end, classes: c.maps.classes.map((index) => ({ index, label: names[index] })),
          slow: Array.from(c.maps.slow), slowShape: [c.maps.classes.length, ...c.maps.slowShape],
          ...(c.maps.fast ? { fast: Array.from(c.maps.fast), fastShape: [c.maps.classes.length, ...c.maps.fastShape!] } : {}),
        }),
      } : {}),
    };
  } finally {
    video.dispose();
  }
}
