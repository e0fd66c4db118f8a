import { useStore } from '../store.ts';

/** One line that says whether WebGPU is ready and on which adapter, or what the user must change. */
export function GpuStatus() {
  const gpu = useStore((s) => s.gpu);
  switch (gpu.status) {
    case 'checking':
      return <p className="gpu-status" data-status="checking">Checking for WebGPU…</p>;
    case 'ready':
      return (
        <p className="gpu-status" data-status="ready" data-engine="webgpu">
          WebGPU ready on <strong data-testid="adapter">{gpu.adapter.description}</strong>
          {gpu.adapter.isFallback || /swiftshader/i.test(gpu.adapter.description) ? ' (software adapter: expect several seconds per clip)' : ''}
          {gpu.features.length > 0 ? ` · ${gpu.features.join(', ')}` : ''}
          {gpu.notice && (
            <>
              <br />
              <span className="notice" data-testid="gpu-notice">
                {gpu.notice}
              </span>
            </>
          )}
        </p>
      );
    case 'cpu':
      return (
        <p className="gpu-status" data-status="cpu" data-engine="wasm">
          Engine: <strong data-testid="engine">CPU (WebAssembly, onnxruntime-web)</strong>. {gpu.message} Video files are classified on the CPU
          instead, more slowly; the webcam and teaching need WebGPU.
        </p>
      );
    case 'unavailable':
    case 'lost':
      return (
        <p className="gpu-status error" data-status={gpu.status} role="alert">
          {gpu.message}
        </p>
      );
  }
}
