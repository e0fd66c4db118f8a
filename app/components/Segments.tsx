import { useEffect, useMemo, useState } from 'react';
import { segmentsOf } from '../../model/segments.ts';
import { segmentsRecord, segmentsToCsv, segmentsToVtt, verdictOf } from '../results.ts';
import { useStore, type Analysis } from '../store.ts';

/** The segments of an analysis under the user's thresholds, and their WebVTT as a blob: URL (for the player's track). */
export function useSegments(analysis: Analysis) {
  const options = useStore((s) => s.settings.segments);
  const segments = useMemo(() => segmentsOf(analysis.results, analysis.classNames, options), [analysis.results, analysis.classNames, options]);
  const vtt = useMemo(() => segmentsToVtt(segments), [segments]);
  const [vttUrl, setVttUrl] = useState<string>();
  useEffect(() => {
    const url = URL.createObjectURL(new Blob([vtt], { type: 'text/vtt' }));
    setVttUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [vtt]);
  return { segments, vtt, vttUrl };
}

const fmt = (s: number) => `${s.toFixed(1)} s`;

/** Up and down arrows in the segment list go to the previous or next segment: focus and seek together. */
const moveBetweenSegments = (onSeek: (t: number) => void) => (e: React.KeyboardEvent<HTMLOListElement>) => {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('li > button')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next = buttons[at + (e.key === 'ArrowDown' ? 1 : -1)];
  if (at < 0 || !next) return;
  e.preventDefault();
  next.focus();
  onSeek(Number(next.closest('li')!.dataset.start));
};

/**
 * What the video is about as a whole (the verdict), and when each action happens (segments from the clip
 * probabilities, with adjustable thresholds); a segment seeks the player; exports as WebVTT, JSON and CSV.
 */
export function Segments({ analysis, segments, vtt, onSeek, download }: {
  analysis: Analysis;
  segments: ReturnType<typeof segmentsOf>;
  vtt: string;
  onSeek: (t: number) => void;
  download: (name: string, type: string, text: string) => void;
}) {
  const options = useStore((s) => s.settings.segments);
  const { setSettings } = useStore.getState();
  const verdict = useMemo(() => verdictOf(analysis.results, analysis.classNames, analysis.multiLabel, 3), [analysis.results, analysis.classNames, analysis.multiLabel]);
  const base = analysis.source.name.replace(/\.[^.]*$/, '');
  const record = () => segmentsRecord({ file: analysis.source.name, model: analysis.model, thresholds: options, verdict }, segments);
  const set = (patch: Partial<typeof options>) => setSettings({ segments: { ...options, ...patch } });
  if (analysis.results.length === 0) return null;
  return (
    <section className="segments" aria-label="The whole video and its segments">
      <p data-testid="verdict">
        <strong>Whole video{analysis.status === 'running' ? ' so far' : ''}:</strong>{' '}
        {verdict.map((l, i) => (
          <span key={l.index} data-index={l.index} data-probability={l.probability}>
            {i > 0 && ' · '}
            {l.label} ({(l.probability * 100).toFixed(0)}%)
          </span>
        ))}
        <span className="detail"> — {analysis.multiLabel ? 'the most probable in any clip' : 'the mean over its clips'}</span>
      </p>
      <div className="row">
        <label>
          A segment starts at{' '}
          <input type="number" min={0.05} max={0.95} step={0.05} value={options.enter} data-testid="segment-enter"
            onChange={(e) => {
              const enter = Number(e.target.value);
              set({ enter, exit: Math.min(options.exit, enter) });
            }} />
        </label>
        <label>
          and ends below{' '}
          <input type="number" min={0.05} max={options.enter} step={0.05} value={options.exit} data-testid="segment-exit"
            onChange={(e) => set({ exit: Math.min(Number(e.target.value), options.enter) })} />
        </label>
        <label>
          lasting at least{' '}
          <input type="number" min={0} max={30} step={0.5} value={options.minDuration} data-testid="segment-min"
            onChange={(e) => set({ minDuration: Number(e.target.value) })} /> s
        </label>
      </div>
      {segments.length === 0 ? (
        <p className="detail" data-testid="no-segments">No class reaches {(options.enter * 100).toFixed(0)}% for {options.minDuration} s.</p>
      ) : (
        <ol className="segment-list" data-testid="segments" onKeyDown={moveBetweenSegments(onSeek)}>
          {segments.map((s) => (
            <li key={`${s.index}-${s.start}`} data-index={s.index} data-start={s.start} data-end={s.end}>
              <button type="button" onClick={() => onSeek(s.start)}>
                {fmt(s.start)}–{fmt(s.end)}
              </button>{' '}
              {s.label} <span className="detail">(peak {(s.peak * 100).toFixed(0)}%, mean {(s.mean * 100).toFixed(0)}%)</span>
            </li>
          ))}
        </ol>
      )}
      <div className="row">
        <button type="button" disabled={!segments.length} onClick={() => download(`${base}.segments.vtt`, 'text/vtt', vtt)}>Export WebVTT</button>
        <button type="button" disabled={!segments.length} onClick={() => download(`${base}.segments.json`, 'application/json', JSON.stringify(record(), null, 2))}>Export segments JSON</button>
        <button type="button" disabled={!segments.length} onClick={() => download(`${base}.segments.csv`, 'text/csv', segmentsToCsv(record()))}>Export segments CSV</button>
      </div>
    </section>
  );
}
