// How many threads onnxruntime-web's WebAssembly runs on here, and how the CPU engine names itself with them:
// the page and the engine worker (and the CLI's page) agree because they read the same two facts.

/**
 * Threads share the wasm heap, which only a cross-origin isolated page may do (SharedArrayBuffer); elsewhere one,
 * whatever was asked. Unasked, at most four: past that a clip of this network gains little and the page and the
 * decoder starve.
 */
export function wasmThreads(asked?: number): number {
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  return isolated ? (asked ?? Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

/** The CPU engine as the page's status line, the CLI and the widget name it. */
export function cpuEngineName(threads = wasmThreads()): string {
  return `CPU (WebAssembly, onnxruntime-web, ${threads} ${threads === 1 ? 'thread' : 'threads'})`;
}
