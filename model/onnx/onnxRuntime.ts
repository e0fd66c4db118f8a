// Runs an exported model in onnxruntime-web, the general in-browser runtime we compare ourselves with. Used
// by the benchmark and the export tests only (onnxruntime-web is a dev dependency); the app never loads it.
import * as ort from 'onnxruntime-web/webgpu';

export type OrtBackend = 'webgpu' | 'wasm';

// Its .wasm files, served from node_modules by the dev server (Vite's pre-bundling would lose their path).
ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
ort.env.logLevel = 'error';

export interface OrtModel {
  backend: OrtBackend;
  /** Wasm threads in use (1 unless the page is cross-origin isolated). */
  threads: number;
  /** Session creation (compilation, weight upload), ms. */
  createMs: number;
  run(inputs: Record<string, { data: Float32Array; shape: readonly number[] }>): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

export async function loadOrtModel(bytes: Uint8Array, backend: OrtBackend, { threads }: { threads?: number } = {}): Promise<OrtModel> {
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  ort.env.wasm.numThreads = isolated ? (threads ?? Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  const started = performance.now();
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    // The outputs come back to the CPU, where we compare and time them.
    preferredOutputLocation: 'cpu',
  });
  const createMs = performance.now() - started;
  return {
    backend,
    threads: ort.env.wasm.numThreads ?? 1,
    createMs,
    async run(inputs) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, { data, shape }] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', data, [...shape]);
      const results = await session.run(feeds);
      const out: Record<string, Float32Array> = {};
      for (const name of session.outputNames) out[name] = (await results[name].getData()) as Float32Array;
      return out;
    },
    release: () => session.release(),
  };
}
