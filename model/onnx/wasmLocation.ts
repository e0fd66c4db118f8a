// Where onnxruntime-web's .wasm is fetched from, when whoever started the engine says (the library's `assetsUrl`,
// for bundlers that do not place files referenced by `new URL(…, import.meta.url)`). Kept apart from ortWasm.ts,
// which loads lazily with onnxruntime-web itself.
let chosen: string | undefined;

export function setWasmLocation(url: string | undefined): void {
  chosen = url;
}

export const wasmLocation = (): string | undefined => chosen;
