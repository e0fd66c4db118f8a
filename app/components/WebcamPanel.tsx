import { useEffect, useRef, useState } from 'react';
import { runsOnCpu, useStore } from '../store.ts';
import { ClassMapControls, ClassMapOverlay, MapsNeedWebGpu } from './ClassMapOverlay.tsx';
import { TopLabels } from './TopLabels.tsx';

/** Live labels from the camera: a preview, the smoothed top-5, and how often and how late they come. */
export function WebcamPanel() {
  const webcam = useStore((s) => s.webcam);
  const weightsReady = useStore((s) => s.weights.status === 'ready');
  const intervalMs = useStore((s) => s.settings.intervalMs);
  const showModelLabels = useStore((s) => s.settings.showModelLabels);
  const onCpu = useStore(runsOnCpu);
  const { startWebcam, stopWebcam, setSettings } = useStore.getState();
  const preview = useRef<HTMLVideoElement>(null);
  const [mapSlot, setMapSlot] = useState(0);
  const mapClasses = webcam.maps?.classes.map((index) => ({ index, label: webcam.labels?.find((l) => l.index === index)?.label ?? `class ${index}` }));
  const slot = Math.min(mapSlot, (mapClasses?.length ?? 1) - 1);
  // The latest clip ends now: its last time step is what the camera shows.
  const shown = webcam.maps && webcam.inputSize !== undefined ? { maps: webcam.maps, slot, phase: 1, inputSize: webcam.inputSize } : undefined;
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
          <div className="media" hidden={!webcam.stream}>
            <video ref={preview} autoPlay muted playsInline />
            <ClassMapOverlay media={preview} shown={shown} />
          </div>
          {webcam.stream && (onCpu ? <MapsNeedWebGpu /> : <ClassMapControls classes={mapClasses} slot={slot} onSlot={setMapSlot} />)}
          {webcam.status === 'starting' && <p className="detail">Starting: building the model and filling the first 2 s clip…</p>}
          {webcam.stream && webcam.frameSource === 'video-element' && (
            <p className="detail" data-testid="webcam-frame-source">
              Frames are read from a video element: this browser cannot read the camera track directly (no MediaStreamTrackProcessor).
            </p>
          )}
        </div>
        <div className="labels">
          <TopLabels labels={webcam.labels} caption="Last ~2 s, smoothed" />
          {showModelLabels && webcam.baseTop && <TopLabels labels={webcam.baseTop} caption="The model's own labels (latest clip)" />}
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
