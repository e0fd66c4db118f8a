// onnxruntime-web's WebAssembly backend alone, for the app's CPU engine: its .wasm is an asset of our build
// (imported by URL), so the page works offline and on any host, not only under the dev server.
import * as ort from 'onnxruntime-web/wasm';
import wasmUrl from '../../node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm?url';
import { createOrtModel, type OrtModel } from './ortSession.ts';
import { wasmLocation } from './wasmLocation.ts';

ort.env.logLevel = 'error';

export function loadWasmModel(bytes: Uint8Array): Promise<OrtModel> {
  ort.env.wasm.wasmPaths = { wasm: wasmLocation() ?? wasmUrl };
  return createOrtModel(ort, bytes, 'wasm');
}
