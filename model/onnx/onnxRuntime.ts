// Runs an exported model in onnxruntime-web, the general in-browser runtime we compare ourselves with: its
// webgpu and wasm backends, for the benchmark and the export tests. The app's CPU engine loads only the wasm
// backend (ortWasm.ts).
import * as ort from 'onnxruntime-web/webgpu';
import { createOrtModel, type OrtBackend, type OrtModel } from './ortSession.ts';

export type { OrtBackend, OrtInput, OrtModel } from './ortSession.ts';

// Its .wasm files, served from node_modules by the dev server (Vite's pre-bundling would lose their path).
ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
ort.env.logLevel = 'error';

export function loadOrtModel(bytes: Uint8Array, backend: OrtBackend, { threads }: { threads?: number } = {}): Promise<OrtModel> {
  return createOrtModel(ort, bytes, backend, threads);
}
