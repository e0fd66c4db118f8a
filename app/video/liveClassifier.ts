// Live labels from a camera, in the engine worker: frames from the camera's stream are preprocessed once into a
// GPU frame ring holding the last clip's worth of frames; every `intervalMs` the latest clip (picked by
// timestamp, as for files) is classified from the ring and the probabilities are smoothed exponentially. The
// model and the ring are leased from the resident engine: a camera started after a video reuses the model.
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import { clipDuration, clipFrames, pickFrames } from '../../model/clips.ts';
import { DEFAULT_TOP_K, type ClassMaps, type Classifier, type LabelScore } from '../../model/classifier.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import { deviceLost } from '../../kernels/device.ts';
import type { CpuEngine, CpuLease } from '../engine/cpuEngine.ts';
import { liveRingSlots, MAX_CAMERA_FPS, type Engine, type EngineModel, type Lease } from '../engine/engine.ts';
import { WebcamError } from './webcam.ts';
import type { Precision } from '../../model/kernelChoice.ts';

export interface WebcamLabels {
  /** Seconds since the camera started, at the end of the classified clip. */
  time: number;
  probabilities: Float32Array;
  top: LabelScore[];
  /** Milliseconds from the clip's last frame to these labels. */
  latencyMs: number;
  /** Milliseconds the inference itself took. */
  inferenceMs: number;
  /** Where the model looked in the latest clip (its own top classes, before smoothing). */
  maps?: ClassMaps;
  /** The latest clip's pooled features (unsmoothed): what a taught head learns from. */
  features: Float32Array;
  /** With a taught head: the checkpoint head's labels for the latest clip. */
  baseTop?: LabelScore[];
}

/** How much of a clip's time the ring must span before the first label (one frame interval short of all of it). */
const FULL_CLIP = 0.9;

export interface WebcamOptions {
  intervalMs?: number;
  /** Conv tiles tuned for this adapter (model/autotune.ts). */
  tiles?: TileTable;
  /** f16, f32 or 'auto' on WebGPU (default f32). */
  precision?: Precision;
  /** Weight of the previous smoothed probabilities, 0 (none) to 1 (frozen); default 0.5. */
  smoothing?: number;
  topK?: number;
  onLabels: (l: WebcamLabels) => void;
  onError?: (e: WebcamError) => void;
}

/**
 * Classifies a live stream of frames (wherever they come from: a camera track, a `<video>` element): each
 * frame is preprocessed once into the GPU ring; every `intervalMs` the latest clip is classified.
 */
export class LiveClassifier {
  private stopped = false;
  private smoothed?: Float32Array;
  private timer?: ReturnType<typeof setInterval>;
  private busy = false;
  /** Frame times (s) and ring slots, oldest first. */
  private readonly frames: { time: number; slot: number }[] = [];
  private nextSlot = 0;
  private lastFrameAt = 0;
  private readonly startedAt = performance.now();
  private reader?: ReadableStreamDefaultReader<VideoFrame>;
  /** Camera frames read and not yet closed (a long session must hold none beyond the one in hand). */
  openFrames = 0;
  /** Set while the device is lost: frames are dropped and nothing is classified until moveTo. */
  private lost = false;

  private constructor(
    private lease: Lease | CpuLease,
    private readonly config: SlowFastConfig,
    private readonly options: WebcamOptions,
  ) {
    const device = this.device;
    if (device) this.watch(device);
  }

  private get ring() {
    return this.lease.ring;
  }

  /** The GPU device the session runs on (none on the CPU engine). */
  private get device(): GPUDevice | undefined {
    return 'device' in this.ring ? this.ring.device : undefined;
  }

  get classifier(): Classifier {
    return this.lease.classifier;
  }

  private static leaseFrom(engine: Engine | CpuEngine, model: EngineModel, options: WebcamOptions): Promise<Lease | CpuLease> {
    return engine.lease(model, { views: 1, slots: liveRingSlots(model.config), tiles: options.tiles, precision: options.precision });
  }

  /**
   * Classifies `frames` with `model` (its config at the input size to run) on the engine's resident classifier
   * (on the GPU, or the CPU engine's).
   */
  static async start(engine: Engine | CpuEngine, model: EngineModel, frames: ReadableStream<VideoFrame>, options: WebcamOptions): Promise<LiveClassifier> {
    const lease = await LiveClassifier.leaseFrom(engine, model, options);
    const live = new LiveClassifier(lease, model.config, options);
    void live.readFrames(frames);
    live.timer = setInterval(() => void live.tick(), options.intervalMs ?? 500);
    return live;
  }

  private watch(device: GPUDevice): void {
    void device.lost.then(() => {
      if (this.device === device) this.lost = true;
    });
  }

  /**
   * Carries on, with the same camera, on another engine or model (a new device's, the old one lost; another
   * head); the ring refills from now.
   */
  async moveTo(engine: Engine | CpuEngine, model: EngineModel): Promise<void> {
    const lease = await LiveClassifier.leaseFrom(engine, model, this.options);
    if (this.stopped) return lease.release();
    const old = this.lease;
    this.lease = lease;
    this.frames.length = 0;
    this.nextSlot = 0;
    this.lost = false;
    // Another head may have other classes: smoothing starts again.
    this.smoothed = undefined;
    if ('device' in engine) this.watch(engine.device);
    this.releaseWhenIdle(old);
  }

  private async readFrames(frames: ReadableStream<VideoFrame>): Promise<void> {
    const reader = (this.reader = frames.getReader());
    const span = clipDuration(this.config);
    try {
      while (!this.stopped) {
        const { value: frame, done } = await reader.read();
        if (done || !frame) break;
        this.openFrames++;
        try {
          if (this.stopped) break;
          if (this.lost) continue;
          const time = (performance.now() - this.startedAt) / 1000;
          // Skip frames beyond the ring's rate rather than overwrite slots a clip still needs.
          if (time - this.lastFrameAt >= 1 / MAX_CAMERA_FPS || this.frames.length === 0) {
            const slot = this.nextSlot;
            this.nextSlot = (this.nextSlot + 1) % this.ring.options.slots;
            await this.ring.write(frame, slot);
            this.frames.push({ time, slot });
            this.lastFrameAt = time;
            while (this.frames.length > this.ring.options.slots - 1 || this.frames[0].time < time - span - 0.5) this.frames.shift();
          }
        } finally {
          frame.close();
          this.openFrames--;
        }
      }
    } catch (e) {
      if (!this.stopped && !this.lost) this.fail(new WebcamError('camera-disconnected', `Camera frames stopped: ${(e as Error).message}`));
    } finally {
      reader.releaseLock();
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped || this.lost || this.frames.length === 0) return;
    this.busy = true;
    try {
      const frames = [...this.frames];
      const end = frames[frames.length - 1].time;
      // Not before the ring holds a whole clip: a shorter one would repeat its frames and show motion that was not there.
      if (end - frames[0].time < FULL_CLIP * clipDuration(this.config)) return;
      const picks = pickFrames(frames.map((f) => f.time), { start: end - clipDuration(this.config), end: end + 1e-3 }, clipFrames(this.config));
      const r = await this.classifier.classify({ clipIndex: Uint32Array.from(picks, (i) => frames[i].slot) }, this.options.topK ?? DEFAULT_TOP_K, { bind: this.lease.bind });
      const a = this.options.smoothing ?? 0.5;
      if (!this.smoothed || this.smoothed.length !== r.probabilities.length) this.smoothed = r.probabilities.slice();
      else this.smoothed = this.smoothed.map((p, i) => a * p + (1 - a) * r.probabilities[i]);
      if (this.stopped) return;
      this.options.onLabels({
        time: end,
        probabilities: this.smoothed,
        top: this.classifier.topOf(this.smoothed, this.options.topK ?? DEFAULT_TOP_K),
        latencyMs: performance.now() - (this.startedAt + end * 1000),
        inferenceMs: r.ms,
        maps: r.maps,
        features: r.features,
        ...(r.base ? { baseTop: r.base.top } : {}),
      });
    } catch (e) {
      // A lost device is replaced (moveTo); anything else ends the session.
      const device = this.device;
      if (!this.stopped && !(device && (await deviceLost(device)))) this.fail(new WebcamError('unsupported', `Classification failed: ${(e as Error).message}`));
    } finally {
      this.busy = false;
    }
  }

  fail(e: WebcamError): void {
    if (this.stopped) return;
    this.stop();
    this.options.onError?.(e);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    void this.reader?.cancel().catch(() => {});
    this.releaseWhenIdle(this.lease);
  }

  /** Lets an in-flight classification finish before its lease (classifier and ring) goes back to the engine. */
  private releaseWhenIdle(lease: Lease | CpuLease): void {
    const release = () => {
      if (this.busy) return void setTimeout(release, 50);
      lease.release();
    };
    release();
  }
}
