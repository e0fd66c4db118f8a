// The resident engine's benchmark, run in the browser by `npm run bench -- --resident`: the time from cached
// weights to the first label, and from a second video's drop to its first label — on the engine that stays
// loaded, and on a fresh one as every video had before (weights folded and uploaded again, bind groups
// remade) — with what each creates and the peak GPU memory, all in one page on the same random weights.
import { acquireGpu, liveResources, resetPeakBytes, type AdapterDescription } from '../../kernels/device.ts';
import { scaledConfig, type PresetName, type SlowFastConfig } from '../../model/slowfast.ts';
import { checkWeights } from '../../model/weights/convert.ts';
import { memoryBlockStore, probeRanges, rangedSource } from '../../model/weights/rangedDownload.ts';
import { toSafetensors } from '../../model/weights/load.ts';
import { StateDictSource, randomStateDict } from '../../model/weights/weightSource.ts';
import { analyzeVideo } from '../video/analyze.ts';
import { openVideoFile } from '../video/decode.ts';
import { Engine, type EngineModel } from './engine.ts';

export interface ResidentBenchOptions {
  preset: PresetName;
  inputSize: number;
  /** Channel width relative to the full model. */
  width: number;
  /** Two videos (URLs), dropped one after the other. */
  videos: [string, string];
  /** Rounds of the second video on each engine (medians reported). */
  runs: number;
  /** The same weights as the zoo ships them (with their optimizer state), served by Range at this address. */
  download?: string;
}

/** A first visit: the checkpoint's weights fetched by Range from a local server → checked → first label. */
export interface DownloadToFirstLabel extends FirstLabel {
  fileBytes: number;
  fetchedBytes: number;
  /** Of `ms`, until the weights were fetched and checked. */
  downloadMs: number;
}

export interface FirstLabel {
  /** From the drop (the file in hand) to the first clip's labels, ms. */
  ms: number;
  /** Made on the device meanwhile. */
  modelBuilds: number;
  buffersCreated: number;
  pipelinesCreated: number;
  bytesUploaded: number;
  /** The most GPU buffer bytes live on the device meanwhile (what the engine already held included). */
  peakGpuBytes: number;
}

export interface ResidentBenchResult {
  adapter: AdapterDescription;
  options: ResidentBenchOptions;
  config: SlowFastConfig;
  weightBytes: number;
  /** Cached weights (safetensors bytes in memory, as OPFS gives them) → checked → model on the GPU → first label. */
  cacheToFirstLabel: FirstLabel;
  /** The second video on the engine that stays loaded, and on a fresh engine (each round). */
  secondVideoResident: FirstLabel[];
  secondVideoRebuilt: FirstLabel[];
  medianMs: { resident: number; rebuilt: number };
  downloadToFirstLabel?: DownloadToFirstLabel;
}

/** Analyses `url` until its first clip is labelled, and says how long that took and what it made. */
async function firstLabel(engine: Engine, model: () => EngineModel, url: string, device: GPUDevice): Promise<FirstLabel> {
  const blob = await (await fetch(url)).blob();
  const before = liveResources(device);
  const builds = engine.builds;
  resetPeakBytes(device);
  const started = performance.now();
  const stop = new AbortController();
  let ms = NaN;
  const video = await openVideoFile(blob);
  try {
    await analyzeVideo(engine, model(), video, {
      signal: stop.signal,
      onClip: () => {
        ms = performance.now() - started;
        stop.abort();
      },
    });
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  } finally {
    video.dispose();
  }
  const after = liveResources(device);
  return {
    ms, modelBuilds: engine.builds - builds, buffersCreated: after.buffersCreated - before.buffersCreated,
    pipelinesCreated: after.pipelinesCreated - before.pipelinesCreated, bytesUploaded: after.bytesUploaded - before.bytesUploaded,
    peakGpuBytes: after.peakBufferBytes,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

export async function runResidentBench(options: ResidentBenchOptions): Promise<ResidentBenchResult> {
  const gpu = await acquireGpu();
  const { device } = gpu;
  const config = scaledConfig(options.preset, options.width, options.inputSize);
  const cached = toSafetensors(randomStateDict(config), config);

  // The app's path from cached weights: read and check them, then the first video builds the model.
  let checked: Awaited<ReturnType<typeof checkWeights>> | undefined;
  const model = (): EngineModel => ({ id: 1, config: checked!.config, weights: () => new StateDictSource(checked!.dict) });
  const resident = new Engine(device);
  const started = performance.now();
  checked = await checkWeights(cached);
  const first = await firstLabel(resident, model, options.videos[0], device);
  const cacheToFirstLabel = { ...first, ms: performance.now() - started };

  const secondVideoResident: FirstLabel[] = [];
  const secondVideoRebuilt: FirstLabel[] = [];
  for (let round = 0; round < options.runs; round++) secondVideoResident.push(await firstLabel(resident, model, options.videos[1], device));
  resident.destroy();
  // Before the resident engine, each video built its own classifier and freed it at the end (so nothing else
  // is live while these run: their peak is comparable).
  for (let round = 0; round < options.runs; round++) {
    const fresh = new Engine(device);
    secondVideoRebuilt.push(await firstLabel(fresh, model, options.videos[1], device));
    fresh.destroy();
  }
  const weightBytes = [...checked.dict.values()].reduce((a, t) => a + t.data.byteLength, 0);
  const downloadToFirstLabel = options.download ? await fromDownload(options.download, options.videos[0], options.inputSize, device) : undefined;
  device.destroy();
  return {
    adapter: gpu.adapter, options, config, weightBytes, cacheToFirstLabel, secondVideoResident, secondVideoRebuilt, downloadToFirstLabel,
    medianMs: { resident: median(secondVideoResident.map((r) => r.ms)), rebuilt: median(secondVideoRebuilt.map((r) => r.ms)) },
  };
}

/** The app's path on a first visit, on a fresh engine: the weights' records by Range, checked, then the first label. */
async function fromDownload(url: string, video: string, inputSize: number, device: GPUDevice): Promise<DownloadToFirstLabel> {
  const engine = new Engine(device);
  const started = performance.now();
  const support = await probeRanges(url);
  if (!support) throw new Error(`${url} answers no Range requests`);
  const source = await rangedSource({ url, support, store: memoryBlockStore(), estimate: 0 });
  const checked = await checkWeights(source);
  const downloadMs = performance.now() - started;
  // At the bench's input size, as the page runs a model at the size the user chose.
  const config = { ...checked.config, inputSize };
  const first = await firstLabel(engine, () => ({ id: 2, config, weights: () => new StateDictSource(checked.dict) }), video, device);
  engine.destroy();
  return { ...first, ms: performance.now() - started, downloadMs, fileBytes: support.total, fetchedBytes: source.stats.fetched };
}
