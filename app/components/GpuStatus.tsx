import { cpuEngineName } from '../../model/onnx/wasmThreads.ts';
import { useStore } from '../store.ts';

/** One line that says which engine runs: WebGPU on which adapter, or the CPU engine and why, or what to change. */
export function GpuStatus() {
  const gpu = useStore((s) => s.gpu);
  const engine = useStore((s) => s.settings.engine);
  const { setSettings } = useStore.getState();
  switch (gpu.status) {
    case 'checking':
      return <p className="gpu-status" data-status="checking">Checking for WebGPU…</p>;
    case 'ready':
      return (
        <p className="gpu-status" data-status="ready" data-engine={engine}>
          {engine === 'wasm' && (
            <>
              Engine: <strong data-testid="engine">{cpuEngineName()}</strong>, chosen.{' '}
              <button type="button" onClick={() => setSettings({ engine: 'webgpu' })}>Use WebGPU</button>{' '}
            </>
          )}
          WebGPU ready on <strong data-testid="adapter">{gpu.adapter.description}</strong>
          {gpu.adapter.software ? ' (a software adapter: expect several seconds per clip)' : ''}
          {gpu.features.length > 0 ? ` · ${gpu.features.join(', ')}` : ''}
          {engine === 'webgpu' && gpu.adapter.software && (
            <>
              <br />
              <span data-testid="engine-offer">
                On a software adapter the CPU engine (WebAssembly) is usually several times faster.{' '}
                <button type="button" onClick={() => setSettings({ engine: 'wasm' })}>Use the CPU engine</button>
              </span>
            </>
          )}
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
          Engine: <strong data-testid="engine">{cpuEngineName()}</strong>. {gpu.message} Video files, the webcam and teaching
          run on the CPU instead, more slowly; where-it-looks maps need WebGPU.
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
