import { useStore } from '../store.ts';

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** How the network stores and multiplies on the GPU: f16 (half the memory) where it has shader-f16, or f32. */
function PrecisionChoice() {
  const precision = useStore((s) => s.settings.precision);
  const gpu = useStore((s) => s.gpu);
  const hasF16 = gpu.status === 'ready' && gpu.features.includes('shader-f16');
  return (
    <label>
      Precision on the GPU{' '}
      <select value={precision} onChange={(e) => useStore.getState().setSettings({ precision: e.target.value as typeof precision })} data-testid="precision">
        <option value="auto">auto: {hasF16 ? 'f16 on this GPU' : 'f32 on this GPU (it has no shader-f16)'}</option>
        <option value="f32">f32</option>
        <option value="f16" disabled={!hasF16}>f16 (half the memory, sums in f32){hasF16 ? '' : ': this GPU has no shader-f16'}</option>
      </select>{' '}
      (applies to the next video or camera start)
    </label>
  );
}

/** The limits a user may set on the models' GPU memory (WebGPU says nothing of how much a GPU has). */
const GPU_MEMORY_LIMITS = [128, 256, 512, 1024, 2048, 4096].map((mb) => mb * 2 ** 20);

/** The GPU memory a video's models may take: one planned over it (or two compared) runs on the CPU engine instead. */
function GpuMemoryLimit() {
  const limit = useStore((s) => s.settings.gpuMemoryLimit);
  return (
    <label>
      GPU memory for models{' '}
      <select value={limit ?? ''} onChange={(e) => useStore.getState().setSettings({ gpuMemoryLimit: e.target.value ? Number(e.target.value) : undefined })} data-testid="gpu-memory-limit">
        <option value="">as much as the GPU gives</option>
        {GPU_MEMORY_LIMITS.map((b) => (
          <option key={b} value={b}>
            at most {b >= 2 ** 30 ? `${b / 2 ** 30} GB` : `${b / 2 ** 20} MB`}
          </option>
        ))}
      </select>{' '}
      (a video whose model, or two models compared, would take more runs on the CPU engine)
    </label>
  );
}

/** The last inference's latency, GPU memory, and (with timestamp queries) the slowest layers. */
export function PerfPanel() {
  const perf = useStore((s) => s.perf);
  const profile = useStore((s) => s.settings.profile);
  const gpu = useStore((s) => s.gpu);
  const canProfile = gpu.status === 'ready' && gpu.features.includes('timestamp-query');
  const layers = perf?.layers ? [...perf.layers].sort((a, b) => b.ms - a.ms) : [];
  const layerTotal = layers.reduce((a, l) => a + l.ms, 0);
  return (
    <details className="panel perf-panel" data-testid="perf">
      <summary>Performance</summary>
      <label>
        <input type="checkbox" checked={profile} disabled={!canProfile} onChange={(e) => useStore.getState().setSettings({ profile: e.target.checked })} /> Time
        every layer on the GPU {canProfile ? '(applies to the next video or camera start)' : '(this adapter has no timestamp-query)'}
      </label>
      <PrecisionChoice />
      <GpuMemoryLimit />
      <TileTuning />
      {perf ? (
        <>
          <table>
            <tbody>
              <tr><th>Last clip (upload to labels)</th><td data-testid="latency">{perf.inferenceMs.toFixed(0)} ms</td></tr>
              <tr><th>Input</th><td>{perf.inputSize} × {perf.inputSize} px</td></tr>
              <tr><th>Precision</th><td data-testid="perf-precision">{perf.precision === 'f16' ? 'f16 (sums in f32)' : 'f32'}</td></tr>
              <tr><th>Pipeline creation</th><td>{perf.pipelineMs.toFixed(0)} ms</td></tr>
              <tr>
                <th>Held now</th>
                <td data-testid="resources" data-buffers={perf.resources.gpuBuffers} data-textures={perf.resources.gpuTextures} data-frames={perf.resources.openVideoFrames}>
                  {perf.resources.gpuBuffers} GPU buffers, {perf.resources.gpuTextures} textures, {perf.resources.openVideoFrames} camera frames open
                </td>
              </tr>
              <tr>
                <th>Made since the GPU started</th>
                <td data-testid="made" data-buffers={perf.made.buffers} data-pipelines={perf.made.pipelines} data-uploaded={perf.made.bytesUploaded} data-builds={perf.made.modelBuilds}>
                  model built {perf.made.modelBuilds}×, {perf.made.pipelines} pipelines, {perf.made.buffers} buffers, {mib(perf.made.bytesUploaded)} uploaded
                </td>
              </tr>
              <tr><th>GPU memory</th><td data-testid="gpu-memory" data-weight-bytes={perf.memory.weightBytes}>{mib(perf.memory.totalBytes)} (weights {mib(perf.memory.weightBytes)}, activations and inputs {mib(perf.memory.activationBytes)}, shared from {mib(perf.memory.activationBytesUnshared + perf.memory.inputBytes)})</td></tr>
            </tbody>
          </table>
          {layers.length > 0 && (
            <table className="layers">
              <caption>Slowest layers (GPU time, {layerTotal.toFixed(1)} ms in all)</caption>
              <tbody>
                {layers.slice(0, 15).map((l) => (
                  <tr key={l.name}><th>{l.name}</th><td>{l.ms.toFixed(2)} ms</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : (
        <p className="detail">Figures appear after the first clip.</p>
      )}
    </details>
  );
}

/** Conv tiles: the default heuristic, or tuned on this GPU (once; kept in browser storage). */
function TileTuning() {
  const tiles = useStore((s) => s.tiles);
  const error = useStore((s) => s.tilesError);
  const ready = useStore((s) => s.gpu.status === 'ready' && s.weights.status === 'ready');
  const status =
    tiles.status === 'tuning'
      ? `${tiles.automatic ? 'Tuning for this GPU while idle' : 'Tuning'}… ${tiles.total ? `${tiles.done} of ${tiles.total} layer shapes` : 'compiling'}`
      : tiles.status === 'paused'
        ? `Tuning paused for the current job at ${tiles.done} of ${tiles.total} layer shapes (kept); it resumes after the next video`
        : tiles.status === 'tuned'
          ? `Tuned for this GPU in ${tiles.precision}: ${tiles.shapes} layer shapes${tiles.ms !== undefined ? ` (${(tiles.ms / 1000).toFixed(1)} s)` : ''}; used from the next video or camera start`
          : tiles.automatic
            ? 'Default tiles for this kind of GPU; tuned by itself after the first video'
            : 'Default tiles for this kind of GPU (on a software adapter tuning takes minutes for a few per cent: only on request)';
  return (
    <div className="tile-tuning">
      <p data-testid="tiles" data-status={tiles.status}>
        <strong>Conv tiles:</strong> {status}
      </p>
      <button type="button" disabled={!ready || (tiles.status === 'tuning' && !tiles.automatic)} onClick={() => useStore.getState().tuneTiles()}>
        Tune for this GPU
      </button>
      <p className="detail">
        Times each candidate tile on every conv layer shape of this model on your GPU and keeps the fastest (a few
        seconds on a GPU, where it also happens by itself after the first video, between jobs; a minute or more
        on a software adapter, where only this button starts it).
      </p>
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
