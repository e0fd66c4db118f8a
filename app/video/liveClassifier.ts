// Live labels from a camera, in the engine worker: frames from the camera's stream are preprocessed once into a
// GPU frame ring holding the last clip's worth of frames; every `intervalMs` the latest clip (picked by
// timestamp, as for files) is classified from the ring and the probabilities are smoothed exponentially.
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import { clipDuration, clipFrames, pickFrames } from '../../model/clips.ts';
import { Classifier, type LabelScore } from '../../model/classifier.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import type { WeightSource } from '../../model/weights/weightSource.ts';
import { deviceLost } from '../../kernels/device.ts';
import { FrameRing } from './frameRing.ts';
import { WebcamError } from './webcam.ts';

export interface WebcamLabels {
  /** Seconds since the camera started, at the end of the classified clip. */
  time: number;
  probabilities: Float32Array;
  top: LabelScore[];
  /** Milliseconds from the clip's last frame to these labels. */
  latencyMs: number;
  /** Milliseconds the inference itself took. */
  inferenceMs: number;
}

export interface WebcamOptions {
  intervalMs?: number;
  /** Conv tiles tuned for this adapter (model/autotune.ts). */
  tiles?: TileTable;
  /** Class names from the user's label file (default: the head's own). */
  labels?: readonly string[];
  /** Weight of the previous smoothed probabilities, 0 (none) to 1 (frozen); default 0.5. */
  smoothing?: number;
  topK?: number;
  onLabels: (l: WebcamLabels) => void;
  onError?: (e: WebcamError) => void;
}

/** The camera fps we size the ring for; faster cameras still work, their extra frames are skipped. */
const MAX_CAMERA_FPS = 60;

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
    private ring: FrameRing,
    public classifier: Classifier,
    private readonly config: SlowFastConfig,
    private readonly options: WebcamOptions,
  ) {
    this.watch(ring.device);
  }

  /** The ring and the classifier reading it, on `device`. */
  private static async build(device: GPUDevice, config: SlowFastConfig, weights: WeightSource, options: WebcamOptions): Promise<{ ring: FrameRing; classifier: Classifier }> {
    const ring = new FrameRing(device, { size: config.inputSize, slots: Math.ceil(clipDuration(config) * MAX_CAMERA_FPS) + 2 });
    try {
      return { ring, classifier: await Classifier.create(device, config, weights, { input: 'ring', ringFrames: ring.capacity, inputBuffers: { ring: ring.buffer }, tiles: options.tiles, labels: options.labels }) };
    } catch (e) {
      ring.destroy();
      throw e;
    }
  }

  static async start(device: GPUDevice, config: SlowFastConfig, weights: WeightSource, frames: ReadableStream<VideoFrame>, options: WebcamOptions): Promise<LiveClassifier> {
    const { ring, classifier } = await LiveClassifier.build(device, config, weights, options);
    const live = new LiveClassifier(ring, classifier, config, options);
    void live.readFrames(frames);
    live.timer = setInterval(() => void live.tick(), options.intervalMs ?? 500);
    return live;
  }

  private watch(device: GPUDevice): void {
    void device.lost.then(() => {
      if (this.ring.device === device) this.lost = true;
    });
  }

  /** Carries on, with the same camera, on a new device (the old one was lost); the ring refills from now. */
  async moveTo(device: GPUDevice, weights: WeightSource): Promise<void> {
    const { ring, classifier } = await LiveClassifier.build(device, this.config, weights, this.options);
    if (this.stopped) {
      classifier.destroy();
      ring.destroy();
      return;
    }
    const old = { ring: this.ring, classifier: this.classifier };
    this.ring = ring;
    this.classifier = classifier;
    this.frames.length = 0;
    this.nextSlot = 0;
    this.lost = false;
    this.watch(device);
    old.classifier.destroy();
    old.ring.destroy();
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
      const picks = pickFrames(frames.map((f) => f.time), { start: end - clipDuration(this.config), end: end + 1e-3 }, clipFrames(this.config));
      const r = await this.classifier.classify({ clipIndex: Uint32Array.from(picks, (i) => frames[i].slot) }, this.options.topK ?? 5);
      const a = this.options.smoothing ?? 0.5;
      if (!this.smoothed) this.smoothed = r.probabilities.slice();
      else this.smoothed = this.smoothed.map((p, i) => a * p + (1 - a) * r.probabilities[i]);
      if (this.stopped) return;
      this.options.onLabels({
        time: end,
        probabilities: this.smoothed,
        top: this.classifier.topOf(this.smoothed, this.options.topK ?? 5),
        latencyMs: performance.now() - (this.startedAt + end * 1000),
        inferenceMs: r.ms,
      });
    } catch (e) {
      // A lost device is replaced (moveTo); anything else ends the session.
      if (!this.stopped && !(await deviceLost(this.ring.device))) this.fail(new WebcamError('unsupported', `Classification failed: ${(e as Error).message}`));
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
    // Let an in-flight classification finish before freeing what it reads.
    const release = () => {
      if (this.busy) return void setTimeout(release, 50);
      this.classifier.destroy();
      this.ring.destroy();
    };
    release();
  }
}
