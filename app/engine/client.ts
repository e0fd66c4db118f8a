// The UI thread's handle on the engine worker: typed requests out, typed events in.
import type { EngineEvent, EngineRequest } from './protocol.ts';

type Listener = (e: EngineEvent) => void;

export class Engine {
  private readonly worker: Worker;
  private readonly listeners = new Set<Listener>();
  private nextId = 1;
  private readonly ended = new AbortController();
  /** Aborted once the worker is terminated: whoever waits on its events stops waiting. */
  readonly closed: AbortSignal = this.ended.signal;

  /** `workerUrl`: where the worker is served, for bundlers that do not follow `new URL(…, import.meta.url)`. */
  constructor(workerUrl?: string | URL) {
    // The literal form is what bundlers recognise (Vite, webpack 5): they bundle the worker from it.
    this.worker = workerUrl
      ? new Worker(workerUrl, { type: 'module', name: 'slowfast-engine' })
      : new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'slowfast-engine' });
    this.worker.addEventListener('message', (e: MessageEvent<EngineEvent>) => {
      for (const l of this.listeners) l(e.data);
    });
    this.worker.addEventListener('error', (e) => {
      const message = `The engine stopped unexpectedly${e.message ? `: ${e.message}` : ''}. Reload the page to start again.`;
      for (const l of this.listeners) l({ type: 'error', scope: 'gpu', message });
    });
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(request: EngineRequest): void {
    // Streams and ports move to the worker; everything else is copied.
    const transfer: Transferable[] =
      request.type === 'webcamStart' ? [request.frames as unknown as Transferable] : request.type === 'analyze' && request.frames ? [request.frames.port] : [];
    this.worker.postMessage(request, transfer);
  }

  /** A fresh id for an analysis or a webcam session. */
  id(): number {
    return this.nextId++;
  }

  terminate(): void {
    this.worker.terminate();
    this.ended.abort();
  }
}
