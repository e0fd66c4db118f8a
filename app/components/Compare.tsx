import { useMemo } from 'react';
import { DEFAULT_TOP_K } from '../../model/classifier.ts';
import { analysisComparison, clipAt, comparisonCsv, type ComparisonSide } from '../results.ts';
import type { Analysis } from '../store.ts';
import { downloadText } from './download.ts';
import { Timeline } from './Timeline.tsx';
import { TopLabels } from './TopLabels.tsx';

/**
 * Two models on one video, side by side: each one's labels for the clip at the playhead, its timeline and its
 * verdict, and the classes where they differ most (the gains of one over the other, and the reverse).
 */
export function Compare({ analysis, time, onSeek }: { analysis: Analysis; time: number; onSeek: (t: number) => void }) {
  const compare = analysis.compare!;
  const sides: ComparisonSide[] = [{ model: analysis.model, clips: analysis.results }, { model: compare.model, clips: compare.results }];
  const gainsOf = compare.gainsOf === 'current' ? 0 : 1;
  const duration = analysis.info?.duration ?? 0;
  const done = analysis.status === 'done';
  // Once per change of the analysis, not per frame of playback (the view redraws as the playhead moves).
  const record = useMemo(() => analysisComparison({ ...analysis, compare }), [analysis, compare]);
  const base = analysis.source.name.replace(/\.[^.]*$/, '');
  const points = (d: number) => `${d >= 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} pts`;
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
      {done && (
        <div className="compare-gains">
          <div>
            <h4>What {sides[gainsOf].model} gains</h4>
            <ol data-testid="compare-gains">
              {record.gains.slice(0, DEFAULT_TOP_K).map((g) => (
                <li key={g.index} data-index={g.index} data-delta={g.delta}>
                  {g.label} {points(g.delta)}
                </li>
              ))}
            </ol>
          </div>
          <div>
            <h4>What it loses</h4>
            <ol data-testid="compare-losses">
              {record.gains.slice(-DEFAULT_TOP_K).reverse().map((g) => (
                <li key={g.index} data-index={g.index} data-delta={g.delta}>
                  {g.label} {points(g.delta)}
                </li>
              ))}
            </ol>
          </div>
          <p className="detail">
            Gains: the mean probability over {sides[gainsOf].model}'s clips minus that over {sides[1 - gainsOf].model}'s, by class.
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
