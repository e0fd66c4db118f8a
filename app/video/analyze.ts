// Whole-video analysis: clips every `stride` seconds across the file, each classified from frames picked by
// timestamp. The file is decoded once, streaming; each picked frame is preprocessed once into a slot of a
// GPU ring, and every clip gathers its frames (both pathways, or the Slow-only baseline's one) from the ring —
// no frame is uploaded twice. The model and the ring are leased from the resident engine, so the next video
// reuses both.
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import { clipDuration, clipFrames, clipWindows, evenlySpacedWindows, pickFrames, type ClipWindow } from '../../model/clips.ts';
import { DEFAULT_TOP_K, type ClassMaps, type Classifier, type LabelScore } from '../../model/classifier.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import type { CpuEngine } from '../engine/cpuEngine.ts';
import type { Engine, EngineModel, ResidentSlot } from '../engine/engine.ts';
import type { Precision } from '../../model/kernelChoice.ts';
import { VideoInputError, type VideoFile } from './decode.ts';

export interface ClipResult extends ClipWindow {
  probabilities: Float32Array;
  top: LabelScore[];
  /** Wall time of this clip's inferences (all views), milliseconds. */
  ms: number;
  /** Where the model looked, for its top classes (the centre crop's run, where there are several). */
  maps?: ClassMaps;
  /** The pooled features the head read, one per view (what a taught head learns from). */
  features: Float32Array[];
  /** With a taught head: the checkpoint head's labels for the clip, beside the taught ones. */
  baseTop?: LabelScore[];
}

export interface AnalysisProgress {
  clipsDone: number;
  clips: number;
}

export interface AnalyzeOptions {
  /** Conv tiles tuned for this adapter (model/autotune.ts); default tiles otherwise. */
  tiles?: TileTable;
  /** The engine's resident slot the model runs in (default 'main'; a compared model's is 'partner'). */
  slot?: ResidentSlot;
  /** f16, f32 or 'auto' on WebGPU (default f32; the CPU engine is f32). */
  precision?: Precision;
  /** Seconds between clip starts (default 1). */
  stride?: number;
  /**
   * 'paper': the paper's test protocol instead of a clip every `stride` — PAPER_CLIPS clips evenly spaced over
   * the video (give views 3 for its 3 crops); their probabilities combined are the video's.
   */
  protocol?: 'stride' | 'paper';
  /**
   * Spatial views per clip: 1 (centre crop, default) or 3 (start, centre and end of the long side, combined
   * as Classifier.combine does — the paper's multi-view testing).
   */
  views?: 1 | 3;
  /**
   * Each view mirrored too (teaching's flip augmentation): twice the runs, features for each, probabilities of
   * all combined. Only for actions that mean the same mirrored (not "swipe left" against "swipe right").
   */
  mirrored?: boolean;
  topK?: number;
  /** Classes mapped per clip, where the engine maps (default its own: DEFAULT_TOP_K). */
  mapClasses?: number;
  /** These classes mapped in every clip, first (the top ones fill the slots left). */
  mappedClasses?: readonly number[];
  /** Only these clips (a clip on screen mapped again for another class), not the stride's or the paper's. */
  windows?: readonly ClipWindow[];
  signal?: AbortSignal;
  /** Windows before this one were classified by an earlier attempt (the device was lost): skip them. */
  resumeAt?: number;
  /** Time every layer with timestamp queries where the adapter has them (read them off the classifier). */
  profile?: boolean;
  /** Called once the classifier is built (its memory report and pipeline time are known by then). */
  onClassifier?: (c: Classifier) => void;
  onProgress?: (p: AnalysisProgress) => void;
  onClip?: (r: ClipResult) => void;
  /** Something the user should know about the results: a video shorter than a clip, or one that ends early. */
  onNotice?: (n: AnalysisNotice) => void;
}

const NO_FRAMES = 'No frame of this video could be decoded: the file is truncated or damaged.';

export interface AnalysisNotice {
  /**
   * 'engine': the analysis moved to the CPU engine (a kernel this GPU cannot compile); 'compare': the second model
   * was not run beside the first (their classes differ).
   */
  kind: 'short' | 'incomplete' | 'engine' | 'compare';
  /** A sentence for the user. */
  message: string;
}

interface Plan {
  windows: ClipWindow[];
  /** For each window, the frame index (presentation order) of each of its T frames. */
  picks: number[][];
  /** Ring slots each view needs at the peak (the ring holds this many per view). */
  slotsPerView: number;
}

/** The paper's test protocol: 10 clips (× 3 crops). */
export const PAPER_CLIPS = 10;

/** The spatial views an analysis runs: the paper's protocol is 3 crops, whatever else was asked. */
export const viewsFor = (o: Pick<AnalyzeOptions, 'protocol' | 'views'>): 1 | 3 => (o.protocol === 'paper' ? 3 : o.views ?? 1);

/** Lays out the clips (every `stride` seconds, or the paper's evenly spaced ones) and how many ring slots the overlapping ones need at once. */
export function planAnalysis(
  timestamps: readonly number[], duration: number, config: SlowFastConfig, stride: number, protocol: AnalyzeOptions['protocol'] = 'stride', only?: readonly ClipWindow[],
): Plan {
  const windows = only ? [...only] : protocol === 'paper' ? evenlySpacedWindows(duration, clipDuration(config), PAPER_CLIPS) : clipWindows(duration, clipDuration(config), stride);
  const picks = windows.map((w) => pickFrames(timestamps, w, clipFrames(config)));
  // A frame holds its slot from when it is decoded until the last clip that uses it is classified.
  const lastUse = new Map<number, number>();
  picks.forEach((p) => {
    const end = Math.max(...p);
    for (const f of p) lastUse.set(f, Math.max(lastUse.get(f) ?? 0, end));
  });
  const events = [...lastUse].map(([f, end]) => [f, end] as const).sort((a, b) => a[0] - b[0]);
  let peak = 0;
  const live: number[] = [];
  for (const [f, end] of events) {
    // Frames whose last clip ended before this one was decoded have been freed.
    for (let i = live.length - 1; i >= 0; i--) if (live[i] < f) live.splice(i, 1);
    live.push(end);
    peak = Math.max(peak, live.length);
  }
  return { windows, picks, slotsPerView: Math.max(peak, 1) };
}

/**
 * Classifies every clip of `video` with `model` (its config at the input size to run), on the engine's
 * resident classifier (on the GPU, or the CPU engine's). Results arrive in time order through `onClip` and in the returned list.
 */
export async function analyzeVideo(
  engine: Engine | CpuEngine,
  model: EngineModel,
  video: VideoFile,
  options: AnalyzeOptions = {},
): Promise<ClipResult[]> {
  const [results] = await analyzeVideoWith(engine, [{ model, options }], video);
  return results;
}

/** One model's part of an analysis: its clips, its lease (classifier and ring) and where it has got to. */
interface Track {
  model: EngineModel;
  options: AnalyzeOptions;
  plan: Plan;
  lease: Awaited<ReturnType<(Engine | CpuEngine)['lease']>>;
  /** Frame index → its slot in this track's ring, while a clip still needs it. */
  slotOf: Map<number, number>;
  free: number[];
  stillNeeded: Map<number, number>;
  lastPick: number[];
  results: ClipResult[];
  /** The next window to classify, in time order. */
  next: number;
  lastWritten: number;
}

/**
 * Several models over one video, decoded once: each frame any model's clips pick is written into each such
 * model's ring, and each model's clips (its own spans: a model of another clip length has other windows) are
 * classified as their frames arrive. Each run's options are its own (callbacks included); the first run's
 * signal stops them all. The results, per run, are what analyzeVideo gives for that model alone.
 */
export async function analyzeVideoWith(engine: Engine | CpuEngine, runs: readonly { model: EngineModel; options: AnalyzeOptions }[], video: VideoFile): Promise<ClipResult[][]> {
  const signal = runs[0]?.options.signal;
  const timestamps = await video.frameTimestamps();
  if (timestamps.length === 0) throw new VideoInputError('decode-failed', NO_FRAMES);
  const duration = Math.max(video.info.duration, timestamps[timestamps.length - 1]);
  const tracks: Track[] = [];
  try {
    for (const { model, options } of runs) {
      const plan = planAnalysis(timestamps, duration, model.config, options.stride ?? 1, options.protocol, options.windows);
      const lease = await engine.lease(model, { slot: options.slot, precision: options.precision, views: viewsFor(options), mirrored: options.mirrored, slots: plan.slotsPerView, profile: options.profile, tiles: options.tiles, mapClasses: options.mapClasses });
      const stillNeeded = new Map<number, number>();
      for (const p of plan.picks) for (const f of new Set(p)) stillNeeded.set(f, (stillNeeded.get(f) ?? 0) + 1);
      tracks.push({
        model, options, plan, lease, slotOf: new Map(), free: Array.from({ length: plan.slotsPerView }, (_, i) => plan.slotsPerView - 1 - i),
        stillNeeded, lastPick: plan.picks.map((p) => Math.max(...p)), results: [], next: 0, lastWritten: -1,
      });
      options.onClassifier?.(lease.classifier);
    }

    /** Classifies one window of a track from its ring; `picks` index the frames in presentation order. */
    const classifyWindow = async (t: Track, window: ClipWindow, picks: readonly number[]) => {
      const { classifier, ring } = t.lease;
      const topK = t.options.topK ?? DEFAULT_TOP_K;
      // A frame the decoder never produced (a damaged file) is stood in for by the nearest earlier one.
      const slots = picks.map((f) => {
        for (let g = Math.min(f, t.lastWritten); g >= 0; g--) if (t.slotOf.has(g)) return t.slotOf.get(g)!;
        return 0;
      });
      const views: Float32Array[] = [];
      const baseViews: Float32Array[] = [];
      const features: Float32Array[] = [];
      let ms = 0;
      let maps: ClassMaps | undefined;
      const centre = Math.max(0, ring.crops.indexOf(1));
      for (let v = 0; v < ring.views; v++) {
        const r = await classifier.classify({ clipIndex: Uint32Array.from(slots, (s) => ring.slotOf(v, s)) }, topK, { bind: t.lease.bind, mapClasses: t.options.mappedClasses });
        views.push(r.probabilities);
        features.push(r.features);
        if (r.base) baseViews.push(r.base.probabilities);
        ms += r.ms;
        if (v === centre) maps = r.maps;
      }
      const probabilities = classifier.combine(views);
      const result: ClipResult = { ...window, probabilities, top: classifier.topOf(probabilities, topK), ms, maps, features };
      if (baseViews.length) result.baseTop = classifier.baseTopOf(classifier.combineBase(baseViews), topK);
      t.results.push(result);
      t.options.onClip?.(result);
    };

    const classifyReady = async (t: Track, decodedUpTo: number, final: boolean) => {
      const { plan } = t;
      while (t.next < plan.windows.length && (t.lastPick[t.next] <= decodedUpTo || final)) {
        if (t.next >= (t.options.resumeAt ?? 0)) await classifyWindow(t, plan.windows[t.next], plan.picks[t.next]);
        for (const f of new Set(plan.picks[t.next])) {
          const left = t.stillNeeded.get(f)! - 1;
          t.stillNeeded.set(f, left);
          if (left === 0 && t.slotOf.has(f)) {
            t.free.push(t.slotOf.get(f)!);
            t.slotOf.delete(f);
          }
        }
        t.next++;
        t.options.onProgress?.({ clipsDone: t.next, clips: plan.windows.length });
      }
    };

    // A damaged file's shortness is its damage, said once the frames run out.
    for (const t of tracks) {
      const clipLength = clipDuration(t.model.config);
      const short = video.damage
        ? undefined
        : timestamps.length === 1
          ? 'This video has a single frame: the clip repeats it, so the network sees no motion.'
          : duration < clipLength - 1e-3
            ? `This video (${duration.toFixed(2)} s) is shorter than one clip (${clipLength.toFixed(2)} s): its frames are spread over the clip, so motion looks slower than the network expects.`
            : undefined;
      if (short) t.options.onNotice?.({ kind: 'short', message: short });
    }

    let index = 0;
    let lastTime = 0;
    let failure: string | undefined;
    try {
      for await (const frame of video.frames()) {
        try {
          signal?.throwIfAborted();
          lastTime = frame.timestamp / 1e6;
          for (const t of tracks) {
            if ((t.stillNeeded.get(index) ?? 0) === 0) continue;
            const slot = t.free.pop();
            if (slot === undefined) throw new Error('internal: the frame ring is full');
            t.slotOf.set(index, slot);
            await t.lease.ring.write(frame, slot, video.info.orientation);
            t.lastWritten = index;
          }
        } finally {
          frame.close();
        }
        for (const t of tracks) await classifyReady(t, index, false);
        index++;
        // Clips asked for by name end where their last frame is: the rest of the file need not be decoded.
        if (tracks.every((t) => t.options.windows && t.next >= t.plan.windows.length)) return tracks.map((t) => t.results);
      }
    } catch (e) {
      // A decoder that fails part-way leaves the frames before the failure usable.
      if (signal?.aborted || index === 0 || !(e instanceof VideoInputError)) throw e;
      failure = e.message;
    }
    signal?.throwIfAborted();
    if (index === 0) throw new VideoInputError('decode-failed', NO_FRAMES);
    const frameTime = duration / timestamps.length;
    // Decoders give one frame per packet: when the last never came, the file ended early.
    const damage = failure ?? video.damage ?? (index < timestamps.length && lastTime < timestamps[timestamps.length - 1] - 1e-3 ? 'The file ends early: it is truncated or damaged.' : undefined);
    if (damage === undefined) {
      for (const t of tracks) await classifyReady(t, index - 1, true);
      return tracks.map((t) => t.results);
    }
    // The file ends early (truncated, or damaged part-way): the windows it covered stand; the rest are dropped.
    // When it ended inside the first window, that window is made of what was decoded (all still in the ring).
    const decodedEnd = Math.min(lastTime + frameTime, duration);
    const of = video.damage ? '' : ` of ${duration.toFixed(2)} s`;
    for (const t of tracks) {
      if (t.results.length === 0) {
        const window = { start: 0, end: decodedEnd };
        await classifyWindow(t, window, pickFrames(timestamps.slice(0, index), window, clipFrames(t.model.config)));
      }
      t.options.onProgress?.({ clipsDone: t.results.length, clips: t.results.length });
      t.options.onNotice?.({ kind: 'incomplete', message: `Only the first ${decodedEnd.toFixed(2)} s${of} could be decoded. ${damage} The labels cover that part.` });
    }
    return tracks.map((t) => t.results);
  } finally {
    for (const t of tracks) t.lease.release();
  }
}
