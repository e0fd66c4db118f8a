// A session of onnxruntime-web, whichever of its builds loaded it (the webgpu build for the benchmark and
// tests, the wasm-only build for the app's CPU engine), and its runs.
import type * as ort from 'onnxruntime-web';
import { wasmThreads } from './wasmThreads.ts';

type Runtime = typeof ort;

export type OrtBackend = 'webgpu' | 'wasm';

/** A float input, or a gather's int32 indices. */
export interface OrtInput {
  data: Float32Array | Int32Array;
  shape: readonly number[];
}

export interface OrtModel {
  backend: OrtBackend;
  /** Wasm threads in use (1 unless the page is cross-origin isolated). */
  threads: number;
  /** Session creation (compilation, weight upload), ms. */
  createMs: number;
  run(inputs: Record<string, OrtInput>): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

/** The session and its runs, for whichever onnxruntime-web build the caller loaded. */
export async function createOrtModel(runtime: Runtime, bytes: Uint8Array, backend: OrtBackend, threads?: number): Promise<OrtModel> {
  runtime.env.wasm.numThreads = wasmThreads(threads);
  const started = performance.now();
  const session = await runtime.InferenceSession.create(bytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    // The outputs come back to the CPU, where we compare and time them.
    preferredOutputLocation: 'cpu',
  });
  const createMs = performance.now() - started;
  return {
    backend,
    threads: runtime.env.wasm.numThreads ?? 1,
    createMs,
    async run(inputs) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, { data, shape }] of Object.entries(inputs)) {
        feeds[name] = data instanceof Int32Array ? new runtime.Tensor('int32', data, [...shape]) : new runtime.Tensor('float32', data, [...shape]);
      }
      const results = await session.run(feeds);
      const out: Record<string, Float32Array> = {};
      // Our graphs' outputs are all float32 (indices go in, never out).
      for (const name of session.outputNames) out[name] = (await results[name].getData()) as Float32Array;
      return out;
    },
    release: () => session.release(),
  };
}
