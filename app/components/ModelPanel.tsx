import { PRESETS, type PresetName } from '../../model/slowfast.ts';
import { PRESET_TITLES, type ModelKey, type WeightsState } from '../engine/protocol.ts';
import { useStore } from '../store.ts';
import { FileButton } from './FileButton.tsx';

const INPUT_SIZES = [224, 160, 128, 96, 64];
const LATERALS = { tconv: 'time-strided convolution', tsample: 'time-strided sampling', 'ttoc-concat': 'time-to-channel (concat)', 'ttoc-sum': 'time-to-channel (sum)' };
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

function WeightsLine({ weights }: { weights: WeightsState }) {
  switch (weights.status) {
    case 'none':
      return <p data-status="none">Looking for weights…</p>;
    case 'loading': {
      const pct = weights.total ? Math.round((weights.received / weights.total) * 100) : undefined;
      const verb = weights.phase === 'download' ? 'Downloading' : weights.phase === 'cache' ? 'Opening cached' : 'Reading';
      return (
        <p data-status="loading">
          {verb} {weights.name}… {weights.phase === 'download' && `${mib(weights.received)}${weights.total ? ` of ${mib(weights.total)} (${pct}%)` : ''}`}
          <progress max={weights.total || undefined} value={weights.total ? weights.received : undefined} />
        </p>
      );
    }
    case 'ready': {
      const { model } = weights;
      const from = { cache: 'cached in this browser', server: 'downloaded from this site (now cached)', file: 'from your file' }[model.source];
      return (
        <p data-status="ready" data-testid="weights-ready">
          <strong>{model.name}</strong> · {(model.parameters / 1e6).toFixed(2)} M parameters · {from}
          <br />
          <span className="detail">
            {model.config.slowOnly
              ? 'Slow pathway only'
              : `α = ${model.config.alpha}, β = 1/${model.config.betaInv}, lateral: ${LATERALS[model.config.lateral]}${model.config.lateral === 'tconv' ? ` ${model.config.fusionKernel}×1×1` : ''} (fixed by the weights)`}
            {' · '}stem widths {model.config.stemChannels.join('/')} · {model.config.numClasses} classes
          </span>
          {model.key === 'custom' && (
            <>
              <br />
              <span className="notice">Not an official Kinetics-400 architecture: treat its labels as a test of the engine, not as predictions.</span>
            </>
          )}
        </p>
      );
    }
    case 'missing':
      return (
        <p data-status="missing" className="notice" role="status">
          {weights.message}
        </p>
      );
    case 'error':
      return (
        <p data-status="error" className="error" role="alert">
          {weights.message}
        </p>
      );
  }
}

/** Which network runs, where its weights come from, and the input size (speed against accuracy). */
export function ModelPanel() {
  const weights = useStore((s) => s.weights);
  const cache = useStore((s) => s.cache);
  const settings = useStore((s) => s.settings);
  const weightsError = useStore((s) => s.weightsError);
  const cacheNotice = useStore((s) => s.cacheNotice);
  const { chooseModel, setSettings, loadWeightsFile, clearCache } = useStore.getState();
  const cachedCustom = cache.status === 'available' ? cache.models.find((m) => m.key === 'custom') : undefined;
  const current: ModelKey = weights.status === 'ready' ? weights.model.key : weights.status === 'loading' || weights.status === 'missing' ? weights.key : settings.model;
  const defaultSize = weights.status === 'ready' ? weights.model.config.inputSize : PRESETS.slowfast_r50_8x8.inputSize;
  return (
    <section className="panel model-panel" aria-labelledby="model-heading">
      <h2 id="model-heading">Model</h2>
      <div className="row">
        <label>
          Network{' '}
          <select value={current} onChange={(e) => chooseModel(e.target.value as ModelKey)} data-testid="preset">
            {(Object.keys(PRESET_TITLES) as PresetName[]).map((k) => (
              <option key={k} value={k}>
                {PRESET_TITLES[k]}
              </option>
            ))}
            {(cachedCustom || current === 'custom') && <option value="custom">{weights.status === 'ready' && weights.model.key === 'custom' ? weights.model.name : cachedCustom?.name ?? 'Custom'} (custom)</option>}
          </select>
        </label>
        <label>
          Input size{' '}
          <select value={settings.inputSize ?? ''} onChange={(e) => setSettings({ inputSize: e.target.value ? Number(e.target.value) : undefined })} data-testid="input-size">
            <option value="">as trained ({defaultSize} px)</option>
            {INPUT_SIZES.map((s) => (
              <option key={s} value={s}>
                {s} px{s < defaultSize ? ' (faster, less accurate)' : ''}
              </option>
            ))}
          </select>
        </label>
        <FileButton label="Load weights file…" accept=".pyth,.pth,.pt,.ckpt,.safetensors" testId="weights-input" onFile={(f) => loadWeightsFile(f, f.name)} />
      </div>
      <WeightsLine weights={weights} />
      {weightsError && (
        <p className="error" role="alert" data-testid="weights-error">
          {weightsError}
        </p>
      )}
      <p className="detail cache-line">
        {cache.status === 'available' && (
          <>
            {cache.models.length
              ? `Kept in this browser for offline use: ${cache.models.map((m) => `${m.name} (${mib(m.bytes)})`).join(', ')}. `
              : 'Nothing cached in this browser yet. '}
            <button type="button" onClick={clearCache} disabled={!cache.models.length}>
              Clear cache
            </button>
          </>
        )}
        {cache.status === 'unavailable' && <span className="notice" data-testid="cache-unavailable">{cache.message}</span>}
        {cache.status === 'available' && cacheNotice && <span className="notice"> {cacheNotice}</span>}
      </p>
    </section>
  );
}
