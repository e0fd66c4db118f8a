// The browser half of `npm run classify -- <video>`: decode, analyse clip by clip, and summarise.
import { acquireGpu, type Gpu } from '../../kernels/device.ts';
import { configOf } from '../../model/inferConfig.ts';
import type { Classifier } from '../../model/classifier.ts';
import type { Precision } from '../../model/kernelChoice.ts';
import type { PresetName } from '../../model/slowfast.ts';
import { chooseEngine, fetchBlob, labelsAt, weightsAt, type EngineChoice } from '../../model/cli.ts';
import { cpuEngineName } from '../../model/onnx/wasmThreads.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import { CpuEngine } from '../engine/cpuEngine.ts';
import { Engine } from '../engine/engine.ts';
import { combineProbabilities, DEFAULT_SEGMENT_OPTIONS, segmentsOf, type SegmentOptions } from '../../model/segments.ts';
import { segmentsRecord, segmentsToCsv, segmentsToVtt } from '../results.ts';
import { analyzeVideo, analyzeVideoWith, type AnalyzeOptions, type ClipResult } from './analyze.ts';
import { backboneIdentity, checkBackbone, readHeadFile, writeHeadFile, type CustomHead } from '../../model/head/customHead.ts';
import { cpuGradient, trainHead, type Example } from '../../model/head/train.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import type { LoadedWeights } from '../../model/weights/load.ts';
import { openVideoFile, type VideoInfo } from './decode.ts';

export interface ClassifyVideoRequest {
  /** WebGPU or the CPU engine; none: WebGPU on a hardware adapter, else the CPU. */
  engine?: EngineChoice;
  /** On WebGPU: f16, f32, or 'auto' (f16 where the GPU has shader-f16; the default). */
  precision?: Precision;
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
  /** Also give every class's probability averaged over the clips (what --compare's gains are made of). */
  meanProbabilities?: boolean;
  /** A taught head (npm run teach) to label with instead of the checkpoint's, and its name for messages. */
  headUrl?: string;
  headName?: string;
}

// Several videos in one run share the weights, the device and its resident engine (the model is built once).
let gpuOnce: Promise<Gpu> | undefined;
let engine: Engine | undefined;
let cpuEngine: CpuEngine | undefined;

/** The run's engine (see chooseEngine), made once, and what it runs on. */
async function engineFor(choice: EngineChoice): Promise<{ engine: Engine | CpuEngine; adapter: string; kind: 'webgpu' | 'wasm' }> {
  const chosen = await chooseEngine(choice, () => (gpuOnce ??= acquireGpu()));
  if (chosen.kind === 'wasm') return { engine: (cpuEngine ??= new CpuEngine()), adapter: `the ${cpuEngineName()}`, kind: 'wasm' };
  return { engine: (engine ??= new Engine(chosen.gpu.device)), adapter: chosen.gpu.adapter.description, kind: 'webgpu' };
}
/** One engine model id per checkpoint and config, so a second video with the same ones reuses the model. */
const modelIds = new Map<string, number>();

/** A checkpoint as the engine's model for this request (one id per checkpoint and config: a later video reuses it). */
async function modelFor(req: ClassifyVideoRequest, checkpointUrl: string, checkpointName?: string) {
  const weights = await weightsAt(checkpointUrl);
  const config = configOf(weights, { preset: req.preset, inputSize: req.size });
  const labels = req.labelsUrl ? await labelsAt(req.labelsUrl, config.numClasses, req.labelsName) : undefined;
  const key = JSON.stringify([checkpointUrl, config]);
  if (!modelIds.has(key)) modelIds.set(key, modelIds.size + 1);
  const head = req.headUrl ? await headFor(req.headUrl, req.headName ?? 'the head file', weights, config, checkpointName) : undefined;
  return { id: modelIds.get(key)!, config, weights: () => new StateDictSource(weights.dict), labels, head };
}

/** How the request's options analyse a video with this model, collecting its notices and classifier. */
function analysisOptions(req: ClassifyVideoRequest, config: SlowFastConfig) {
  const collected: { notices: string[]; classifier?: Classifier } = { notices: [] };
  const options: AnalyzeOptions = {
    // --cam maps the clip's --topk classes (the page maps its top five).
    topK: req.topK, mapClasses: req.cam ? Math.min(req.topK, config.numClasses) : undefined, stride: req.stride, views: req.views, protocol: req.protocol,
    precision: req.precision ?? 'auto',
    onNotice: (n) => collected.notices.push(n.message), onClassifier: (c) => (collected.classifier = c),
  };
  return { options, collected };
}

export async function classifyVideo(req: ClassifyVideoRequest) {
  const model = await modelFor(req, req.checkpointUrl, req.checkpointName);
  const run = await engineFor(req.engine);
  if (req.cam && run.kind === 'wasm') throw new Error('--cam needs the WebGPU engine (the CPU engine computes no activation maps): add --engine webgpu');
  const video = await openVideoFile(await fetchBlob(req.videoUrl, 'video'));
  const t0 = performance.now();
  try {
    const { options, collected } = analysisOptions(req, model.config);
    const clips = await analyzeVideo(run.engine, model, video, options);
    return summary(req, run, video.info, model.config, clips, collected, performance.now() - t0, req.checkpointName);
  } finally {
    video.dispose();
  }
}

/**
 * One video through two checkpoints (--compare), decoded once: each model's clips over its own spans, each
 * result what classifyVideo gives for that model alone (with its mean probabilities, what the gains are made of).
 */
export async function compareVideo(req: ClassifyVideoRequest & { second: { checkpointUrl: string; checkpointName?: string } }) {
  const models = [await modelFor(req, req.checkpointUrl, req.checkpointName), await modelFor(req, req.second.checkpointUrl, req.second.checkpointName)];
  const run = await engineFor(req.engine);
  const video = await openVideoFile(await fetchBlob(req.videoUrl, 'video'));
  const t0 = performance.now();
  try {
    const parts = models.map((m) => analysisOptions(req, m.config));
    const results = await analyzeVideoWith(run.engine, models.map((model, i) => ({ model, options: parts[i].options })), video);
    const ms = performance.now() - t0;
    const names = [req.checkpointName, req.second.checkpointName];
    return results.map((clips, i) => summary({ ...req, meanProbabilities: true }, run, video.info, models[i].config, clips, parts[i].collected, ms, names[i]));
  } finally {
    video.dispose();
  }
}

/** What a run prints of a video: its clips, its verdict and what was asked beside them. */
function summary(
  req: ClassifyVideoRequest, run: { kind: 'webgpu' | 'wasm'; adapter: string }, info: VideoInfo, config: SlowFastConfig, clips: ClipResult[],
  collected: { notices: string[]; classifier?: Classifier }, ms: number, checkpointName?: string,
) {
  const classifier = collected.classifier!;
  // The video's labels from its clips', as multi-clip testing does (mean, or max for a multi-label head).
  const top = classifier.topOf(classifier.combine(clips.map((c) => c.probabilities)), req.topK);
  const names = classifier.labels;
  const segments = req.segments && segmentsOf(clips, names, req.segments);
  const thresholds = { ...DEFAULT_SEGMENT_OPTIONS, ...req.segments };
  const verdict = top.map(({ index, label, probability }) => ({ index, label, probability }));
  const record = segments && segmentsRecord({ file: req.videoName ?? 'video', model: checkpointName ?? 'checkpoint', thresholds, verdict }, segments);
  return {
    engine: run.kind,
    adapter: run.adapter,
    precision: classifier.precision,
    video: info,
    config,
    ms,
    top,
    clips: clips.map((c) => ({ start: c.start, end: c.end, top: c.top, ...(c.baseTop ? { checkpointTop: c.baseTop } : {}) })),
    notices: collected.notices,
    ...(req.meanProbabilities ? { meanProbabilities: Array.from(combineProbabilities(clips.map((c) => c.probabilities), names.length, false)), classNames: [...names] } : {}),
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
}

/** The head file at `url`, checked to be for these weights. */
async function headFor(url: string, name: string, weights: LoadedWeights, config: SlowFastConfig, checkpointName = 'the checkpoint'): Promise<CustomHead> {
  let head: CustomHead;
  try {
    head = await readHeadFile(await fetchBlob(url, name));
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  checkBackbone(head, await backboneIdentity(weights.dict, config, checkpointName));
  return head;
}

export interface TeachRequest {
  engine?: EngineChoice;
  checkpointUrl: string;
  checkpointName: string;
  preset?: PresetName;
  size?: number;
  /** Seconds between clip starts: overlapping clips are the takes' temporal jitter. */
  stride: number;
  /** 3: each clip's three crops are three examples. */
  views: 1 | 3;
  /** Each crop mirrored is an example too. */
  mirrored?: boolean;
  seed?: number;
  epochs?: number;
  classes: { name: string; videos: { url: string; name: string }[] }[];
}

/**
 * `npm run teach`: every clip (and crop) of each class's files is an example; the head is trained on the
 * pooled features and graded on files it did not see (held out, or k-fold; clips when a class has one file).
 */
export async function teach(req: TeachRequest) {
  const weights = await weightsAt(req.checkpointUrl);
  const config = configOf(weights, { preset: req.preset, inputSize: req.size });
  const run = await engineFor(req.engine);
  const key = JSON.stringify([req.checkpointUrl, config]);
  if (!modelIds.has(key)) modelIds.set(key, modelIds.size + 1);
  const model = { id: modelIds.get(key)!, config, weights: () => new StateDictSource(weights.dict) };
  const t0 = performance.now();
  const perFile: { label: number; file: string; clips: ClipResult[] }[] = [];
  for (const [label, c] of req.classes.entries()) {
    for (const v of c.videos) {
      const video = await openVideoFile(await fetchBlob(v.url, v.name));
      try {
        perFile.push({ label, file: v.name, clips: await analyzeVideo(run.engine, model, video, { stride: req.stride, views: req.views, mirrored: req.mirrored }) });
      } catch (e) {
        throw new Error(`${v.name}: ${(e as Error).message}`);
      }
    }
  }
  const extractMs = performance.now() - t0;
  // Files are the takes; a class with one file is graded on its clips instead (they overlap, so less honestly).
  const filesPerClass = req.classes.map((_, k) => perFile.filter((f) => f.label === k).length);
  const byClip = Math.min(...filesPerClass) < 2;
  const examples: Example[] = perFile.flatMap((f) => f.clips.flatMap((clip, i) => clip.features.map((features) => ({
    features, label: f.label, group: byClip ? `${f.file}#${i}` : f.file,
  }))));
  const names = req.classes.map((c) => c.name);
  const t1 = performance.now();
  const trained = await trainHead(names, examples, { seed: req.seed, epochs: req.epochs, gradient: cpuGradient });
  const trainMs = performance.now() - t1;
  const head: CustomHead = { ...trained, classNames: names, backbone: await backboneIdentity(weights.dict, config, req.checkpointName) };
  return {
    engine: run.kind,
    adapter: run.adapter,
    config,
    examples: req.classes.map((c, k) => ({ class: c.name, files: filesPerClass[k], examples: examples.filter((e) => e.label === k).length })),
    gradedBy: byClip ? 'clips' : 'files',
    evaluation: trained.evaluation,
    finalLoss: trained.curve.at(-1)?.loss,
    extractMs, trainMs,
    // Plain numbers: they leave the page as JSON.
    file: Array.from(writeHeadFile(head)),
  };
}
