// Live labels from cameras: one session per id, each with the settings it started with, carried onto a new
// head or a new device as they come.
import type { Gpu } from '../../kernels/device.ts';
import { cameraFrameStream } from '../video/elementCamera.ts';
import { LiveClassifier } from '../video/liveClassifier.ts';
import { WebcamError, type CameraFrames, type WebcamErrorKind } from '../video/webcam.ts';
import type { EngineEvent, RunSettings } from './protocol.ts';
import type { Runtime } from './runtime.ts';
import { plainLabels } from './videoJobs.ts';

interface Session {
  classifier: LiveClassifier;
  settings: RunSettings;
}

export class CameraSessions {
  private readonly live = new Map<number, Session>();

  constructor(
    private readonly post: (e: EngineEvent) => void,
    private readonly runtime: Runtime,
  ) {
    runtime.heldFrames = () => [...this.live.values()].reduce((a, s) => a + s.classifier.openFrames, 0);
  }

  get busy(): boolean {
    return this.live.size > 0;
  }

  async start(id: number, source: CameraFrames, settings: RunSettings, intervalMs: number): Promise<void> {
    const { post, runtime } = this;
    const frames = cameraFrameStream(source);
    try {
      const { gpu, engine, model, tiles } = await runtime.setup(settings);
      let classifier: LiveClassifier | undefined = undefined;
      classifier = await LiveClassifier.start(engine, model, frames, {
        intervalMs,
        tiles,
        precision: settings.precision,
        onLabels: (l) => {
          post({
            type: 'webcamLabels', id, time: l.time, top: plainLabels(l.top), latencyMs: l.latencyMs, maps: l.maps, features: l.features,
            inputSize: classifier?.classifier.config.inputSize ?? model.config.inputSize,
            ...(l.baseTop ? { baseTop: plainLabels(l.baseTop) } : {}),
          });
          if (classifier) post({ type: 'perf', report: runtime.perf(classifier.classifier, l.inferenceMs, settings) });
        },
        onError: (e) => {
          this.live.delete(id);
          post({ type: 'error', scope: 'webcam', id, kind: e.kind, message: e.message });
          post({ type: 'webcamEnd', id });
        },
      });
      this.live.set(id, { classifier, settings });
      if (gpu) this.follow(id, gpu);
    } catch (e) {
      void frames.cancel().catch(() => {});
      post({ type: 'error', scope: 'webcam', id, kind: e instanceof WebcamError ? e.kind : undefined, message: (e as Error).message });
      post({ type: 'webcamEnd', id });
    }
  }

  /** When the device is lost, the same camera carries on on the next one. */
  private follow(id: number, gpu: Gpu): void {
    void gpu.lost.then(async () => {
      const next = await this.runtime.gpu.start();
      const session = this.live.get(id);
      if (!next || !session) return;
      try {
        await session.classifier.moveTo(this.runtime.gpu.engineOf(next.device), await this.runtime.model(session.settings));
        this.follow(id, next);
      } catch (e) {
        session.classifier.fail(new WebcamError('unsupported', `The camera could not carry on after the GPU was lost: ${(e as Error).message}`));
      }
    });
  }

  /** A camera stopped before its session started: its frames are let go, and the page told it ended. */
  discard(id: number, source: CameraFrames): void {
    void cameraFrameStream(source).cancel().catch(() => {});
    this.post({ type: 'webcamEnd', id });
  }

  /** Stops a session; with `error`, as the camera's failure (reported, then its end). */
  stop(id: number, error?: { kind: WebcamErrorKind; message: string }): void {
    const session = this.live.get(id);
    this.live.delete(id);
    if (!session) return;
    // fail() reports the error and the end through onError.
    if (error) return session.classifier.fail(new WebcamError(error.kind, error.message));
    session.classifier.stop();
    this.post({ type: 'webcamEnd', id });
  }

  /** Sessions carry on with the head now in use (their rings refill). */
  async moveAll(): Promise<void> {
    for (const { classifier, settings } of this.live.values()) {
      try {
        const { engine, model } = await this.runtime.setup(settings);
        await classifier.moveTo(engine, model);
      } catch (e) {
        classifier.fail(new WebcamError('unsupported', `The camera could not switch heads: ${(e as Error).message}`));
      }
    }
  }
}
