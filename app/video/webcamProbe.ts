// Runs a webcam session in a page and collects its first label events: the browser half of the fake-camera
// test (app/video/webcam.node.test.ts), which launches Chromium with a .y4m as the camera.
import { acquireGpu } from '../../kernels/device.ts';
import { GOLDEN_FIXTURES } from '../../model/goldenFixtures.ts';
import { readWeights } from '../../model/weights/load.ts';
import { StateDictSource } from '../../model/weights/weightSource.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import type { WeightSource } from '../../model/weights/weightSource.ts';
import { Engine } from '../engine/engine.ts';
import { cameraFrameStream } from './elementCamera.ts';
import { LiveClassifier, type WebcamOptions } from './liveClassifier.ts';
import { cameraEnded, openCamera, WebcamError, type Camera } from './webcam.ts';

export async function collectWebcamLabels({ checkpointUrl, count, timeoutMs }: { checkpointUrl: string; count: number; timeoutMs: number }) {
  const bytes = new Uint8Array(await (await fetch(checkpointUrl)).arrayBuffer());
  const { device } = await acquireGpu();
  const labels: { time: number; top: string; sum: number; latencyMs: number }[] = [];
  try {
    const session = await WebcamSession.start(device, GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px, new StateDictSource((await readWeights(bytes)).dict), {
      intervalMs: 500,
      onLabels: (l) => labels.push({ time: l.time, top: l.top[0].label, sum: l.probabilities.reduce((a, b) => a + b, 0), latencyMs: l.latencyMs }),
    });
    const t0 = performance.now();
    while (labels.length < count && performance.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 200));
    session.stop();
    return { labels };
  } catch (e) {
    return { error: (e as Error).message, kind: e instanceof WebcamError ? e.kind : undefined, labels };
  }
}

/** Camera and classifier on one thread, for this probe; the app splits them across a worker. */
class WebcamSession {
  private constructor(
    private readonly camera: Camera,
    private readonly live: LiveClassifier,
  ) {}

  static async start(device: GPUDevice, config: SlowFastConfig, weights: WeightSource, options: WebcamOptions): Promise<WebcamSession> {
    const camera = await openCamera();
    let live: LiveClassifier;
    try {
      live = await LiveClassifier.start(new Engine(device), { id: 1, config, weights: () => weights }, cameraFrameStream(camera.frames), options);
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
