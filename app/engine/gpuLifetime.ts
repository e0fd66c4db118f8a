// The engine worker's GPU: the device it starts (once, on first need), the resident engine on it, and what
// happens when it is lost — a new device is started and whoever follows the loss carries on there, a few times
// a minute at most.
import { acquireGpu, GpuUnavailableError, type Gpu } from '../../kernels/device.ts';
import { Engine } from './engine.ts';
import type { EngineEvent } from './protocol.ts';

/** Past this many losses in a minute, no new device is started. */
export const MAX_LOSSES_PER_MINUTE = 3;

export class GpuLifetime {
  private gpu?: Promise<Gpu | undefined>;
  /** The resident engine of each device: the loaded model stays on it across videos and camera sessions. */
  private readonly engines = new WeakMap<GPUDevice, Engine>();
  /** When the device was lost in the last minute. */
  private readonly losses: number[] = [];

  constructor(private readonly post: (e: EngineEvent) => void) {}

  /** The resident engine of `device`. */
  engineOf(device: GPUDevice): Engine {
    let e = this.engines.get(device);
    if (!e) this.engines.set(device, (e = new Engine(device)));
    return e;
  }

  /** The device, started on first call (and again after a loss); undefined where there is no WebGPU. */
  start(): Promise<Gpu | undefined> {
    this.gpu ??= this.acquire();
    return this.gpu;
  }

  private async acquire(): Promise<Gpu | undefined> {
    const recovering = this.losses.length > 0;
    // (While recovering, the page keeps showing the loss until the new device is ready.)
    if (!recovering) this.post({ type: 'gpu', state: { status: 'checking' } });
    try {
      const g = await acquireGpu();
      this.post({
        type: 'gpu',
        state: {
          status: 'ready', adapter: g.adapter, features: [...g.features],
          ...(recovering ? { notice: 'The GPU device was lost and has been started again; work in progress carried on.' } : {}),
        },
      });
      // Nothing here destroys the device, so any loss is the GPU's (a driver reset, a crashed GPU process):
      // start a new device, and jobs that were running resume on it.
      void g.lost.then((info) => this.lost(g, info));
      return g;
    } catch (e) {
      const message = e instanceof GpuUnavailableError ? e.message : `WebGPU failed to start: ${(e as Error).message}`;
      // Without a GPU, video files still run: on the CPU engine, where WebAssembly is there.
      this.post({ type: 'gpu', state: typeof WebAssembly === 'object' ? { status: 'cpu', message } : { status: 'unavailable', message } });
      return undefined;
    }
  }

  private lost(g: Gpu, info: GPUDeviceLostInfo): void {
    this.gpu = undefined;
    this.engines.get(g.device)?.destroy();
    const now = performance.now();
    this.losses.push(now);
    while (this.losses.length && now - this.losses[0] > 60_000) this.losses.shift();
    const why = info.message || info.reason || 'no reason given';
    if (this.losses.length > MAX_LOSSES_PER_MINUTE) {
      this.post({ type: 'gpu', state: { status: 'lost', message: `The GPU device was lost again (${why}). Reload the page to start again.` } });
      return;
    }
    this.post({ type: 'gpu', state: { status: 'lost', message: `The GPU device was lost (${why}); starting it again…` } });
    void this.start();
  }
}
