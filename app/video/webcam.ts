// Live labels from a camera: frames from getUserMedia → MediaStreamTrackProcessor are preprocessed once into
// a GPU ring holding the last clip's worth of frames; every `intervalMs` the latest clip (picked by
// timestamp, as for files) is classified from the ring and the probabilities are smoothed exponentially.
import { clipDuration, pickFrames } from '../../model/clips.ts';
import { Classifier, type LabelScore } from '../../model/classifier.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import type { WeightSource } from '../../model/weights/weightSource.ts';
import { ClipWriter } from './clipWriter.ts';

export type WebcamErrorKind = 'permission-denied' | 'no-camera' | 'camera-in-use' | 'camera-disconnected' | 'unsupported';

export class WebcamError extends Error {
  override readonly name = 'WebcamError';
  constructor(
    readonly kind: WebcamErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface WebcamLabels {
  /** Seconds since the camera started, at the end of the classified clip. */
  time: number;
  probabilities: Float32Array;
  top: LabelScore[];
  /** Milliseconds from the clip's last frame to these labels. */
  latencyMs: number;
}

export interface WebcamOptions {
  intervalMs?: number;
  /** Weight of the previous smoothed probabilities, 0 (none) to 1 (frozen); default 0.5. */
  smoothing?: number;
  topK?: number;
  onLabels: (l: WebcamLabels) => void;
  onError?: (e: WebcamError) => void;
}

/** The camera fps we size the ring for; faster cameras still work, their extra frames are skipped. */
const MAX_CAMERA_FPS = 60;

function cameraError(e: unknown): WebcamError {
  const name = (e as DOMException)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new WebcamError('permission-denied', 'Camera permission was denied. Allow the camera for this page in the browser\'s site settings, then start again.');
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new WebcamError('no-camera', 'No camera was found. Connect one and start again.');
  if (name === 'NotReadableError' || name === 'AbortError') return new WebcamError('camera-in-use', 'The camera could not be started; another application may be using it.');
  return new WebcamError('unsupported', `The camera could not be started: ${(e as Error)?.message ?? String(e)}`);
}

export class WebcamSession {
  private stopped = false;
  private smoothed?: Float32Array;
  private timer?: ReturnType<typeof setInterval>;
  private busy = false;
  /** Frame times (s) and ring slots, oldest first. */
  private readonly frames: { time: number; slot: number }[] = [];
  private nextSlot = 0;
  private lastFrameAt = 0;
  private readonly startedAt = performance.now();

  private constructor(
    private readonly stream: MediaStream,
    private readonly ring: ClipWriter,
    private readonly classifier: Classifier,
    private readonly config: SlowFastConfig,
    private readonly options: WebcamOptions,
  ) {}

  static async start(device: GPUDevice, config: SlowFastConfig, weights: WeightSource, options: WebcamOptions): Promise<WebcamSession> {
    if (!navigator.mediaDevices?.getUserMedia) throw new WebcamError('unsupported', 'This browser has no camera access (getUserMedia).');
    if (typeof MediaStreamTrackProcessor === 'undefined') {
      throw new WebcamError('unsupported', 'This browser cannot read camera frames (MediaStreamTrackProcessor); use Chrome or Edge.');
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (e) {
      throw cameraError(e);
    }
    const ringFrames = Math.ceil(clipDuration(config) * MAX_CAMERA_FPS) + 2;
    const ring = new ClipWriter(device, { size: config.inputSize, frames: ringFrames });
    const classifier = await Classifier.create(device, config, weights, { input: 'ring', ringFrames, inputBuffers: { ring: ring.clip } });
    const session = new WebcamSession(stream, ring, classifier, config, options);
    void session.readFrames(stream.getVideoTracks()[0]);
    session.timer = setInterval(() => void session.tick(), options.intervalMs ?? 500);
    return session;
  }

  private async readFrames(track: MediaStreamVideoTrack): Promise<void> {
    track.addEventListener('ended', () => {
      if (!this.stopped) this.fail(new WebcamError('camera-disconnected', 'The camera was disconnected. Labels stopped; start again when it is back.'));
    });
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    const span = clipDuration(this.config);
    try {
      while (!this.stopped) {
        const { value: frame, done } = await reader.read();
        if (done || !frame) break;
        try {
          const time = (performance.now() - this.startedAt) / 1000;
          // Skip frames beyond the ring's rate rather than overwrite slots a clip still needs.
          if (time - this.lastFrameAt >= 1 / MAX_CAMERA_FPS || this.frames.length === 0) {
            const slot = this.nextSlot;
            this.nextSlot = (this.nextSlot + 1) % this.ring.options.frames;
            await this.ring.write(frame, slot);
            this.frames.push({ time, slot });
            this.lastFrameAt = time;
            while (this.frames.length > this.ring.options.frames - 1 || this.frames[0].time < time - span - 0.5) this.frames.shift();
          }
        } finally {
          frame.close();
        }
      }
    } finally {
      reader.releaseLock();
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped || this.frames.length === 0) return;
    this.busy = true;
    try {
      const frames = [...this.frames];
      const end = frames[frames.length - 1].time;
      const picks = pickFrames(frames.map((f) => f.time), { start: end - clipDuration(this.config), end: end + 1e-3 }, this.config.fastFrames);
      const r = await this.classifier.classify({ fastIndex: Uint32Array.from(picks, (i) => frames[i].slot) }, this.options.topK ?? 5);
      const a = this.options.smoothing ?? 0.5;
      if (!this.smoothed) this.smoothed = r.probabilities.slice();
      else this.smoothed = this.smoothed.map((p, i) => a * p + (1 - a) * r.probabilities[i]);
      if (this.stopped) return;
      this.options.onLabels({
        time: end,
        probabilities: this.smoothed,
        top: this.classifier.topOf(this.smoothed, this.options.topK ?? 5),
        latencyMs: performance.now() - (this.startedAt + end * 1000),
      });
    } finally {
      this.busy = false;
    }
  }

  private fail(e: WebcamError): void {
    this.stop();
    this.options.onError?.(e);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const t of this.stream.getTracks()) t.stop();
    // Let an in-flight classification finish before freeing what it reads.
    const release = () => {
      if (this.busy) return void setTimeout(release, 50);
      this.classifier.destroy();
      this.ring.destroy();
    };
    release();
  }
}
