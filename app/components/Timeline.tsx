import type { ClipLabels } from '../engine/library.ts';
import { clipAt, timelineClasses } from '../results.ts';

const WIDTH = 1000;
const HEIGHT = 160;
const COLORS = ['#3b7dd8', '#e0832f', '#2a9d50', '#c6453f', '#8c5bd6'];
/** Each class's line has its own dash too, so colour is never the only thing that tells them apart. */
const DASHES = ['none', '9 4', '2 4', '12 4 3 4', '5 6'];

/** A class's probability at each clip centre, held flat out to the first clip's start and the last one's end. */
function points(clips: readonly ClipLabels[], index: number, x: (t: number) => number, y: (p: number) => number): string {
  if (!clips.length) return '';
  const p = (c: ClipLabels) => y(c.probabilities[index] ?? 0);
  const first = clips[0];
  const last = clips[clips.length - 1];
  const inner = clips.map((c) => `${x((c.start + c.end) / 2)},${p(c)}`);
  return [`${x(first.start)},${p(first)}`, ...inner, `${x(last.end)},${p(last)}`].join(' ');
}

/**
 * Where the key `key` moves the timeline from `time`: the centre of the next or previous clip (a centre, not a
 * start, since clips overlap and the page shows the clip nearest in centre), or of the first or last.
 */
export function clipCentreFrom(centres: readonly number[], time: number, key: string): number | undefined {
  const eps = 1e-3;
  if (!centres.length) return undefined;
  if (key === 'ArrowRight' || key === 'ArrowUp' || key === 'PageDown') return centres.find((c) => c > time + eps);
  if (key === 'ArrowLeft' || key === 'ArrowDown' || key === 'PageUp') return [...centres].reverse().find((c) => c < time - eps);
  if (key === 'Home') return centres[0];
  if (key === 'End') return centres[centres.length - 1];
  return undefined;
}

/**
 * The top classes' probabilities across the video, clip by clip; a click seeks to that time, and the arrow
 * keys (it is a slider) move between clips.
 */
export function Timeline({ clips, duration, time, onSeek, only }: {
  clips: readonly ClipLabels[];
  duration: number;
  time: number;
  onSeek: (t: number) => void;
  /** One class's probability instead of the top classes'. */
  only?: { index: number; label: string };
}) {
  const classes = only ? [{ ...only, peak: Math.max(0, ...clips.map((c) => c.probabilities[only.index] ?? 0)) }] : timelineClasses(clips, COLORS.length);
  const x = (t: number) => (duration > 0 ? (t / duration) * WIDTH : 0);
  const y = (p: number) => HEIGHT - 8 - p * (HEIGHT - 16);
  const seek = (e: React.MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    onSeek(Math.min(Math.max(((e.clientX - box.left) / box.width) * duration, 0), duration));
  };
  const centres = [...new Set(clips.map((c) => (c.start + c.end) / 2))].sort((a, b) => a - b);
  const onKey = (e: React.KeyboardEvent<SVGSVGElement>) => {
    const to = clipCentreFrom(centres, time, e.key);
    if (to === undefined) return;
    e.preventDefault();
    onSeek(to);
  };
  // What a screen reader says at this time: the clip the page shows and that clip's top class.
  const current = clipAt(clips, time);
  const valueText = `${time.toFixed(1)} s${current ? `: clip ${clips.indexOf(current) + 1} of ${clips.length}, ${current.top[0]?.label ?? ''} ${((current.top[0]?.probability ?? 0) * 100).toFixed(0)}%` : ''}`;
  const covered = clips.length ? [Math.min(...clips.map((c) => c.start)), Math.max(...clips.map((c) => c.end))] : [0, 0];
  return (
    <figure className="timeline">
      <figcaption>{only ? `${only.label}: its probability per clip (click, or arrow keys, to seek)` : 'Timeline: each class\'s probability per clip (click, or arrow keys, to seek)'}</figcaption>
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        onClick={seek}
        onKeyDown={onKey}
        tabIndex={0}
        role="slider"
        aria-label="Timeline: seek between clips with the arrow keys"
        aria-valuemin={0}
        aria-valuemax={Number(duration.toFixed(2))}
        aria-valuenow={Number(time.toFixed(2))}
        aria-valuetext={valueText}
        data-testid="timeline"
        data-clips={clips.length}
        data-covered-start={covered[0]}
        data-covered-end={covered[1]}
        data-duration={duration}
      >
        {[0.5, 1].map((p) => (
          <line key={p} className="grid" x1={0} x2={WIDTH} y1={y(p)} y2={y(p)} vectorEffect="non-scaling-stroke" />
        ))}
        {clips.map((c, i) => (
          <rect key={i} className="clip-span" x={x(c.start)} width={Math.max(x(c.end) - x(c.start), 1)} y={HEIGHT - 4} height={4} />
        ))}
        {classes.map((k, ci) => (
          <polyline
            key={k.index}
            fill="none"
            stroke={COLORS[ci]}
            strokeDasharray={DASHES[ci]}
            strokeWidth={2.5}
            vectorEffect="non-scaling-stroke"
            points={points(clips, k.index, x, y)}
          />
        ))}
        <line className="playhead" x1={x(time)} x2={x(time)} y1={0} y2={HEIGHT} vectorEffect="non-scaling-stroke" />
      </svg>
      <div className="axis detail">
        <span>0 s</span>
        <span>probability 0–100 %, gridlines at 50 % and 100 %</span>
        <span>{duration.toFixed(1)} s</span>
      </div>
      <ul className="legend">
        {classes.map((k, ci) => (
          <li key={k.index}>
            <svg className="line-swatch" viewBox="0 0 28 8" aria-hidden="true">
              <line x1={0} x2={28} y1={4} y2={4} stroke={COLORS[ci]} strokeWidth={2.5} strokeDasharray={DASHES[ci]} />
            </svg>
            {k.label} (peak {(k.peak * 100).toFixed(0)}%)
          </li>
        ))}
      </ul>
    </figure>
  );
}
