import { useStore } from '../store.ts';

/** One line that says whether WebGPU is ready and on which adapter, or what the user must change. */
export function GpuStatus() {
  const gpu = useStore((s) => s.gpu);
  switch (gpu.status) {
    case 'checking':
      return <p className="gpu-status" data-status="checking">Checking for WebGPU…</p>;
    case 'ready':
      return (
        <p className="gpu-status" data-status="ready">
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
    case 'unavailable':
    case 'lost':
      return (
        <p className="gpu-status error" data-status={gpu.status} role="alert">
          {gpu.message}
        </p>
      );
  }
}
