import { useMemo } from 'react';
import { DEFAULT_TOP_K } from '../../model/classifier.ts';
import { analysisComparison, clipAt, comparisonCsv, type ComparisonSide } from '../results.ts';
import type { Analysis } from '../store.ts';
import { ClassMapThumb, MapsNeedWebGpu, type MapShown } from './ClassMapOverlay.tsx';
import { downloadText } from './download.ts';
import { Timeline } from './Timeline.tsx';
import { TopLabels } from './TopLabels.tsx';

/** A class chosen to compare the two models on: each one's map of it at this moment (none yet: being made). */
export interface CompareFocus {
  classIndex: number;
  media: React.RefObject<HTMLVideoElement | HTMLImageElement | null>;
  shown: [MapShown | undefined, MapShown | undefined];
  /** A map being made, or why it could not be. */
  status?: string;
}

/**
 * Two models on one video, side by side: each one's labels for the clip at the playhead, its timeline and its
 * verdict, and the classes where they differ most (the gains of one over the other, and the reverse). A class
 * chosen (from those lists, or the maps' class list) shows both models' timelines of it and both maps.
 */
export function Compare({ analysis, time, onSeek, focus, onChooseClass }: {
  analysis: Analysis;
  time: number;
  onSeek: (t: number) => void;
  focus?: CompareFocus;
  /** Chooses a class to see on both models (undefined: back to each clip's top classes). */
  onChooseClass: (classIndex: number | undefined) => void;
}) {
  const compare = analysis.compare!;
  const sides: ComparisonSide[] = [{ model: analysis.model, clips: analysis.results }, { model: compare.model, clips: compare.results }];
  const gainsOf = compare.gainsOf === 'current' ? 0 : 1;
  const duration = analysis.info?.duration ?? 0;
  const done = analysis.status === 'done';
  // Once per change of the analysis, not per frame of playback (the view redraws as the playhead moves).
  const record = useMemo(() => analysisComparison({ ...analysis, compare }), [analysis, compare]);
  const base = analysis.source.name.replace(/\.[^.]*$/, '');
  const points = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} pts`;
  const focusLabel = focus && (analysis.classNames[focus.classIndex] ?? `class ${focus.classIndex}`);
  /** A gain or loss: a button that shows the class on both models. */
  const gainItem = (g: { index: number; label: string; delta: number }) => (
    <li key={g.index} data-index={g.index} data-delta={g.delta}>
      <button type="button" aria-pressed={focus?.classIndex === g.index} onClick={() => onChooseClass(g.index)}>
        {g.label} {points(g.delta)}
      </button>
    </li>
  );
  return (
    <section className="compare" aria-labelledby="compare-heading" data-testid="compare">
      <h3 id="compare-heading">
        {sides[0].model} beside {sides[1].model}
      </h3>
      <div className="compare-sides">
        {sides.map((side, m) => {
          const clip = clipAt(side.clips, time);
          return (
            <div key={m} className="compare-side" data-testid={`compare-model-${m}`} aria-label={side.model} role="group">
              <h4>{side.model}</h4>
              <TopLabels labels={clip?.top} caption={clip ? `Clip ${clip.start.toFixed(1)}–${clip.end.toFixed(1)} s` : 'No clip yet'} />
              <Timeline clips={side.clips} duration={duration} time={time} onSeek={onSeek} />
              {done && (
                <>
                  <p className="detail">Verdict over its {side.clips.length} clips:</p>
                  <ol className="compare-verdict" data-testid={`compare-verdict-${m}`}>
                    {record.models[m].verdict.map((v) => (
                      <li key={v.index} data-index={v.index} data-probability={v.probability}>
                        {v.label} · {(v.probability * 100).toFixed(1)}%
                      </li>
                    ))}
                  </ol>
                </>
              )}
            </div>
          );
        })}
      </div>
      {focus && (
        <div className="compare-focus" data-testid="compare-focus" data-class-index={focus.classIndex} role="group" aria-labelledby="compare-focus-heading">
          <h4 id="compare-focus-heading">
            {focusLabel} on both models{' '}
            <button type="button" onClick={() => onChooseClass(undefined)}>
              Back to each clip's top classes
            </button>
          </h4>
          <div className="compare-sides">
            {sides.map((side, m) => (
              <div key={m} className="compare-side" data-testid={`compare-focus-${m}`}>
                <h5>{side.model}</h5>
                <Timeline clips={side.clips} duration={duration} time={time} onSeek={onSeek} only={{ index: focus.classIndex, label: focusLabel! }} />
                {analysis.engine === 'wasm' ? (
                  <MapsNeedWebGpu />
                ) : (
                  <ClassMapThumb media={focus.media} shown={focus.shown[m]} label={`Where ${side.model} looked for ${focusLabel}`} testId={`compare-map-${m}`} />
                )}
              </div>
            ))}
          </div>
          {focus.status && <p className="detail" role="status">{focus.status}</p>}
        </div>
      )}
      {done && (
        <div className="compare-gains">
          <div>
            <h4>What {sides[gainsOf].model} gains</h4>
            <ol data-testid="compare-gains">{record.gains.slice(0, DEFAULT_TOP_K).map(gainItem)}</ol>
          </div>
          <div>
            <h4>What it loses</h4>
            <ol data-testid="compare-losses">{record.gains.slice(-DEFAULT_TOP_K).reverse().map(gainItem)}</ol>
          </div>
          <p className="detail">
            Gains: the mean probability over {sides[gainsOf].model}'s clips minus that over {sides[1 - gainsOf].model}'s, by class. Choose one to see it on
            both models.
          </p>
          <div className="row">
            <button type="button" onClick={() => downloadText(`${base}.compare.json`, 'application/json', JSON.stringify({ ...record, means: undefined }, null, 2))}>
              Export the comparison as JSON
            </button>
            <button type="button" onClick={() => downloadText(`${base}.compare.csv`, 'text/csv', comparisonCsv(record))}>
              Export the comparison as CSV
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
