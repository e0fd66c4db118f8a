import { useEffect, useState } from 'react';
import { approximateBytes, comparisonPartner, findZooModel, ZOO, type ZooModel } from '../../model/zoo.ts';
import type { EngineEvent, LoadProgress, ModelInfo, ModelKey, WeightsState } from '../engine/library.ts';
import { KEPT_BACKEND_NAMES } from '../storage/keptFolder.ts';
import { useStore } from '../store.ts';
import { FileButton } from './FileButton.tsx';

const INPUT_SIZES = [224, 160, 128, 96, 64];
const LATERALS = { tconv: 'time-strided convolution', tsample: 'time-strided sampling', 'ttoc-concat': 'time-to-channel (concat)', 'ttoc-sum': 'time-to-channel (sum)' };
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
/** A download's time left, as a person says it. */
const timeLeft = (s: number) => (s < 60 ? `about ${s} s left` : `about ${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s ` : ''}left`);
const DATASETS = [...new Set(ZOO.map((m) => m.dataset))];
const zooOption = (m: ZooModel) => `${m.title.replace(/ \(.*\)$/, '')} · ${m.score.toFixed(1)}% ${m.metric} · ≈ ${mib(approximateBytes(m))}`;

/** Which taught head labels instead of the checkpoint's classes, if any (see the Teach tab). */
function HeadLine() {
  const head = useStore((s) => s.head);
  const headError = useStore((s) => s.headError);
  const showModelLabels = useStore((s) => s.settings.showModelLabels);
  return (
    <>
      {head.status === 'ready' && (
        <p className="notice" data-testid="head-line">
          Labelling with your taught head <strong>{head.name}</strong> ({head.classNames.length} classes: {head.classNames.join(', ')}) instead of the model's own classes.{' '}
          <button type="button" onClick={useStore.getState().useModelClasses}>
            Use the model's own classes
          </button>{' '}
          <label>
            <input type="checkbox" checked={showModelLabels} onChange={(e) => useStore.getState().setSettings({ showModelLabels: e.target.checked })} /> Show the
            model's own labels too
          </label>
        </p>
      )}
      {headError && (
        <p className="error" role="alert" data-testid="head-error">
          {headError}
        </p>
      )}
    </>
  );
}

/** A load's progress: reading, or downloading (how much, the time left, a cancel button where it can be cancelled). */
function LoadingLine({ name, progress, onCancel, testId, cancelTestId }: { name: string; progress: LoadProgress; onCancel: () => void; testId: string; cancelTestId: string }) {
  const pct = progress.total ? Math.round((progress.received / progress.total) * 100) : undefined;
  const verb = { download: 'Downloading', cache: 'Opening cached', read: 'Reading', waiting: 'Waiting for another tab, which is downloading' }[progress.phase];
  return (
    <p data-status="loading" data-testid={testId}>
      {verb} {name}… {progress.phase === 'download' && `${mib(progress.received)}${progress.total ? ` of ${mib(progress.total)} (${pct}%)` : ''}`}
      {progress.secondsLeft !== undefined && ` · ${timeLeft(progress.secondsLeft)}`}
      {progress.wholeFile && ' · this server answers no Range requests, so the whole checkpoint comes, optimizer state and all'}
      <progress max={progress.total || undefined} value={progress.total ? progress.received : undefined} aria-label={`${verb} ${name}`} />
      {progress.cancellable && (
        <button type="button" onClick={onCancel} data-testid={cancelTestId}>
          Cancel
        </button>
      )}
    </p>
  );
}

function WeightsLine({ weights }: { weights: WeightsState }) {
  const { downloadModel, cancelDownload } = useStore.getState();
  switch (weights.status) {
    case 'none':
      return <p data-status="none">Looking for weights…</p>;
    case 'loading':
      return <LoadingLine name={weights.name} progress={weights} onCancel={cancelDownload} testId="weights-loading" cancelTestId="cancel-download" />;
    case 'ready': {
      const { model } = weights;
      const from = { cache: 'cached in this browser', server: 'downloaded from this site (now cached)', zoo: 'downloaded from the model zoo (now cached)', file: 'from your file' }[model.source];
      const labels = model.labelsName ? `labels from ${model.labelsName}` : model.dataset ? `${model.dataset} labels` : 'classes numbered (give a label file to name them)';
      return (
        <p data-status="ready" data-testid="weights-ready">
          <strong>{model.name}</strong> · {(model.parameters / 1e6).toFixed(2)} M parameters · {from}
          <br />
          <span className="detail">
            {model.config.slowOnly
              ? 'Slow pathway only'
              : `α = ${model.config.alpha}, β = 1/${model.config.betaInv}, lateral: ${LATERALS[model.config.lateral]}${model.config.lateral === 'tconv' ? ` ${model.config.fusionKernel}×1×1` : ''} (fixed by the weights)`}
            {' · '}R{model.config.depth}, {model.config.fastFrames / model.config.alpha}×{model.config.tau}
            {' · '}stem widths {model.config.stemChannels.join('/')} · {model.config.numClasses} classes
          </span>
          <br />
          <span className="detail" data-testid="labels-line">
            {labels}
            {model.multiLabel && ' · multi-label: each class has its own probability (several actions can be true at once)'}
          </span>
          {model.key === 'custom' && (
            <>
              <br />
              <span className="notice">Not a model of the official zoo: treat its labels as a test of the engine, not as predictions.</span>
            </>
          )}
        </p>
      );
    }
    case 'missing':
      return (
        <p data-status="missing" className="notice" role="status" data-testid="weights-missing">
          {weights.message}
          {weights.download && (
            <>
              {' '}
              <button type="button" onClick={() => downloadModel(weights.key)} data-testid="download-model">
                {weights.download.kept
                  ? `Resume the download (≈ ${mib(Math.max(0, weights.download.bytes - weights.download.kept))} left; ${mib(weights.download.kept)} kept from before)`
                  : `Download (≈ ${mib(weights.download.bytes)})`}
              </button>
            </>
          )}
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

/** What two models take on the GPU together, before the second is loaded (and whether that is over the limit set). */
function CompareBudget({ budget }: { budget: Extract<EngineEvent, { type: 'compareBudget' }> }) {
  const [a, b] = budget.models;
  const total = (m: typeof a) => m.weightBytes + m.workingBytes;
  const both = total(a) + total(b);
  const share = (m: typeof a) => `${m.name} ${mib(total(m))} (weights ${mib(m.weightBytes)}, working memory ${mib(m.workingBytes)})`;
  return (
    <p className="detail" data-testid="compare-budget" data-bytes={both} data-first-weights={a.weightBytes}>
      On the GPU together at {budget.inputSize} px: about {mib(both)}: {share(a)} and {share(b)}, both kept there while you compare.
      {budget.download !== undefined && ` Comparing downloads ${b.name} first (≈ ${mib(budget.download)}).`}
      {budget.limit !== undefined && both > budget.limit && (
        <strong data-testid="compare-over-limit">
          {' '}That is over the {mib(budget.limit)} set under Performance, so the comparison will run on the CPU engine.
        </strong>
      )}
    </p>
  );
}

/** The zoo models that can be compared with `current` (its label set), the paper's partner first. */
function partnerChoices(current: ModelInfo): { choices: ZooModel[]; preferred?: ZooModel } {
  const choices = ZOO.filter((m) => m.classes === current.config.numClasses && m.name !== current.key);
  const zoo = findZooModel(current.key);
  const preferred = (zoo && comparisonPartner(zoo)) ?? choices.find((m) => m.preset.startsWith('slow_') !== !!current.config.slowOnly) ?? choices[0];
  return { choices, preferred };
}

/** A second model for the next videos, run on the same clips beside the first (the paper's Slow beside SlowFast). */
function PartnerLine({ current }: { current: ModelInfo }) {
  const partner = useStore((s) => s.partner);
  const partnerError = useStore((s) => s.partnerError);
  const budget = useStore((s) => s.compareBudget);
  const cache = useStore((s) => s.cache);
  const inputSize = useStore((s) => s.settings.inputSize);
  const limit = useStore((s) => s.settings.gpuMemoryLimit);
  const { loadPartner, loadPartnerModel, cancelPartnerDownload, dropPartner, budgetCompare } = useStore.getState();
  const { choices, preferred } = partnerChoices(current);
  const [chosen, choose] = useState<ModelKey | undefined>(preferred?.name);
  const choice = choices.find((m) => m.name === chosen) ?? preferred;
  const cached = new Set(cache.status === 'available' ? cache.models.map((m) => m.key) : []);
  // The budget of the pair shown: the loaded partner, else the one chosen in the list.
  const shown: ModelKey | null | undefined = partner.status === 'ready' ? null : choice?.name;
  const cachedNow = choice ? cached.has(choice.name) : false;
  useEffect(() => {
    if (shown !== undefined) budgetCompare(shown);
  }, [shown, current.loadId, inputSize, limit, cachedNow, partner.status === 'ready' ? partner.model.loadId : 0]);
  return (
    <div className="row" data-testid="partner-line">
      {partner.status === 'ready' ? (
        <p className="notice" role="status">
          Comparing with <strong>{partner.model.name}</strong> ({partner.model.config.slowOnly ? 'Slow pathway only' : `SlowFast R${partner.model.config.depth}`},{' '}
          {(partner.model.parameters / 1e6).toFixed(2)} M parameters) on the next videos: each clip is decoded once and run through both.{' '}
          <button type="button" onClick={dropPartner}>Stop comparing</button>
        </p>
      ) : partner.status === 'loading' ? (
        partner.progress ? (
          <LoadingLine name={partner.name} progress={partner.progress} onCancel={cancelPartnerDownload} testId="partner-loading" cancelTestId="cancel-partner-download" />
        ) : (
          <p role="status">Reading {partner.name}…</p>
        )
      ) : (
        <>
          {choice && (
            <>
              <label>
                Compare with{' '}
                <select value={choice.name} onChange={(e) => choose(e.target.value)} data-testid="partner-choice">
                  {choices.map((m) => (
                    <option key={m.name} value={m.name}>
                      {zooOption(m)}
                      {cached.has(m.name) ? ' · in this browser' : ''}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <button type="button" onClick={() => loadPartnerModel(choice.name)} data-testid="compare-model">
                Compare
              </button>{' '}
            </>
          )}
          <FileButton label={choice ? 'or a checkpoint file…' : 'Compare with a second model…'} accept=".pyth,.pth,.pt,.ckpt,.safetensors" testId="partner-input" onFile={(f) => loadPartner(f, f.name)} />
        </>
      )}
      {budget && shown !== undefined && budget.partner === shown && <CompareBudget budget={budget} />}
      {partnerError && (
        <p className="error" role="alert" data-testid="partner-error">
          {partnerError}
        </p>
      )}
    </div>
  );
}

/** Which network runs, where its weights come from, and the input size (speed against accuracy). */
export function ModelPanel() {
  const weights = useStore((s) => s.weights);
  const cache = useStore((s) => s.cache);
  const settings = useStore((s) => s.settings);
  const weightsError = useStore((s) => s.weightsError);
  const labelsError = useStore((s) => s.labelsError);
  const cacheNotice = useStore((s) => s.cacheNotice);
  const { chooseModel, setSettings, loadWeightsFile, loadLabels, clearCache } = useStore.getState();
  const cached = new Set(cache.status === 'available' ? cache.models.map((m) => m.key) : []);
  const cachedCustom = cache.status === 'available' ? cache.models.find((m) => m.key === 'custom') : undefined;
  const current: ModelKey = weights.status === 'ready' ? weights.model.key : weights.status === 'loading' || weights.status === 'missing' ? weights.key : settings.model;
  // The model's own input size, once the engine has said which model it is.
  const defaultSize = weights.status === 'ready' ? weights.model.config.inputSize : undefined;
  return (
    <section className="panel model-panel" aria-labelledby="model-heading">
      <h2 id="model-heading">Model</h2>
      <div className="row">
        <label>
          Network{' '}
          <select value={current} onChange={(e) => chooseModel(e.target.value)} data-testid="preset">
            {DATASETS.map((dataset) => (
              <optgroup key={dataset} label={dataset}>
                {ZOO.filter((m) => m.dataset === dataset).map((m) => (
                  <option key={m.name} value={m.name}>
                    {zooOption(m)}
                    {cached.has(m.name) ? ' · in this browser' : ''}
                  </option>
                ))}
              </optgroup>
            ))}
            {(cachedCustom || current === 'custom') && <option value="custom">{weights.status === 'ready' && weights.model.key === 'custom' ? weights.model.name : cachedCustom?.name ?? 'Custom'} (custom)</option>}
          </select>
        </label>
        <label>
          Input size{' '}
          <select value={settings.inputSize ?? ''} onChange={(e) => setSettings({ inputSize: e.target.value ? Number(e.target.value) : undefined })} data-testid="input-size">
            <option value="">{defaultSize ? `as trained (${defaultSize} px)` : 'as trained'}</option>
            {INPUT_SIZES.map((s) => (
              <option key={s} value={s}>
                {s} px{defaultSize && s < defaultSize ? ' (faster, less accurate)' : ''}
              </option>
            ))}
          </select>
        </label>
        <FileButton label="Load weights file…" accept=".pyth,.pth,.pt,.ckpt,.safetensors" testId="weights-input" onFile={(f) => loadWeightsFile(f, f.name)} />
        <FileButton label="Label file…" accept=".txt,.json,text/plain,application/json" testId="labels-input" onFile={(f) => loadLabels(f, f.name)} />
      </div>
      <WeightsLine weights={weights} />
      <HeadLine />
      {weights.status === 'ready' && <PartnerLine current={weights.model} />}
      {weightsError && (
        <p className="error" role="alert" data-testid="weights-error">
          {weightsError}
        </p>
      )}
      {labelsError && (
        <p className="error" role="alert" data-testid="labels-error">
          {labelsError}
        </p>
      )}
      <p className="detail cache-line">
        {cache.status === 'available' && (
          <>
            <span data-testid="cache-storage" data-storage={cache.storage}>
              {cache.models.length
                ? `Kept in ${KEPT_BACKEND_NAMES[cache.storage]} for offline use: ${cache.models.map((m) => `${m.name} (${mib(m.bytes)})`).join(', ')}. `
                : `Nothing kept in ${KEPT_BACKEND_NAMES[cache.storage]} yet. `}
            </span>
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
