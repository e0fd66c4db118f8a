import { useEffect, useRef } from 'react';
import { useStore } from '../store.ts';
import { TopLabels } from './TopLabels.tsx';

/** Live labels from the camera: a preview, the smoothed top-5, and how often and how late they come. */
export function WebcamPanel() {
  const webcam = useStore((s) => s.webcam);
  const weightsReady = useStore((s) => s.weights.status === 'ready');
  const intervalMs = useStore((s) => s.settings.intervalMs);
  const { startWebcam, stopWebcam, setSettings } = useStore.getState();
  const preview = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (preview.current) preview.current.srcObject = webcam.stream ?? null;
  }, [webcam.stream]);
  useEffect(() => () => useStore.getState().stopWebcam(), []);
  return (
    <section className="panel webcam-panel" aria-label="Live webcam labels" data-testid="webcam" data-status={webcam.status} data-updates={webcam.updates}>
      <div className="row">
        {webcam.status === 'off' ? (
          <button type="button" onClick={() => void startWebcam()} disabled={!weightsReady}>
            Start camera
          </button>
        ) : (
          <button type="button" onClick={stopWebcam}>
            Stop camera
          </button>
        )}
        <label>
          Update every{' '}
          <select value={intervalMs} onChange={(e) => setSettings({ intervalMs: Number(e.target.value) })} disabled={webcam.status !== 'off'}>
            {[250, 500, 1000, 2000].map((ms) => (
              <option key={ms} value={ms}>
                {ms} ms
              </option>
            ))}
          </select>
        </label>
        {!weightsReady && <span className="detail">Weights are needed first: see the model panel.</span>}
      </div>
      {webcam.error && (
        <p className="error" role="alert" data-testid="webcam-error">
          {webcam.error}
        </p>
      )}
      <div className="results">
        <div className="player">
          <video ref={preview} autoPlay muted playsInline hidden={!webcam.stream} />
          {webcam.status === 'starting' && <p className="detail">Starting: building the model and filling the first 2 s clip…</p>}
        </div>
        <div className="labels">
          <TopLabels labels={webcam.labels} caption="Last ~2 s, smoothed" />
          {webcam.updates > 0 && (
            <p className="detail" data-testid="webcam-stats">
              {webcam.updates} updates · {webcam.rateHz ? `${webcam.rateHz.toFixed(1)} per second` : '…'} · latency{' '}
              {webcam.latencyMs !== undefined ? `${Math.round(webcam.latencyMs)} ms` : '…'}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
