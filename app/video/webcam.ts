// Live labels from a camera: frames from getUserMedia → MediaStreamTrackProcessor are preprocessed once into
// a GPU ring holding the last clip's worth of frames; every `intervalMs` the latest clip (picked by
// timestamp, as for files) is classified from the ring and the probabilities are smoothed exponentially.
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import { clipDuration, clipFrames, pickFrames } from '../../model/clips.ts';
import { Classifier, type LabelScore } from '../../model/classifier.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import type { WeightSource } from '../../model/weights/weightSource.ts';
import { deviceLost } from '../../kernels/device.ts';
import { FrameRing } from './frameRing.ts';

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

function cameraError(e: unknown): WebcamError {
  const name = (e as DOMException)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new WebcamError('permission-denied', 'Camera permission was denied. Allow the camera for this page in the browser\'s site settings, then start again.');
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new WebcamError('no-camera', 'No camera was found. Connect one and start again.');
  if (name === 'NotReadableError' || name === 'AbortError') return new WebcamError('camera-in-use', 'The camera could not be started; another application may be using it.');
  return new WebcamError('unsupported', `The camera could not be started: ${(e as Error)?.message ?? String(e)}`);
}

/** A started camera: the stream (for a preview), its track, and its frames as a stream another thread can own. */
export interface Camera {
  stream: MediaStream;
  track: MediaStreamVideoTrack;
  /** Transferable to the worker that owns the GPU. */
  frames: ReadableStream<VideoFrame>;
  stop(): void;
}

/** Opens the default camera (main thread: MediaStreamTrackProcessor lives on the window in Chromium). */
export async function openCamera(): Promise<Camera> {
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
  const track = stream.getVideoTracks()[0] as MediaStreamVideoTrack | undefined;
  if (!track) {
    for (const t of stream.getTracks()) t.stop();
    throw new WebcamError('no-camera', 'No camera was found. Connect one and start again.');
  }
  return {
    stream,
    track,
    frames: new MediaStreamTrackProcessor({ track }).readable,
    stop: () => {
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

/** The error to show when a running camera's track ends without the user stopping it. */
export const cameraDisconnected = () =>
  new WebcamError('camera-disconnected', 'The camera was disconnected. Labels stopped; start again when it is back.');

/**
 * Why a camera track ended: its permission was withdrawn (the browser stops the camera when the user revokes
 * it in the site settings), or the camera went away.
 */
export async function cameraEnded(): Promise<WebcamError> {
  const state = await navigator.permissions?.query({ name: 'camera' as PermissionName }).then((p) => p.state, () => undefined);
  if (state === 'denied') {
    return new WebcamError('permission-denied', 'Camera permission was withdrawn, so labels stopped. Allow the camera for this page in the browser\'s site settings, then start again.');
  }
  return cameraDisconnected();
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

/** Camera and classifier on one thread (tests, the CLI-like probe); the app splits them across a worker. */
export class WebcamSession {
  private constructor(
    private readonly camera: Camera,
    private readonly live: LiveClassifier,
  ) {}

  static async start(device: GPUDevice, config: SlowFastConfig, weights: WeightSource, options: WebcamOptions): Promise<WebcamSession> {
    const camera = await openCamera();
    let live: LiveClassifier;
    try {
      live = await LiveClassifier.start(device, config, weights, camera.frames, options);
    } catch (e) {
      camera.stop();
      throw e;
    }
    camera.track.addEventListener('ended', () => void cameraEnded().then((e) => live.fail(e)));
    return new WebcamSession(camera, live);
  }

  stop(): void {
    this.live.stop();
    this.camera.stop();
  }
}
