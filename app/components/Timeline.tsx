import type { ClipLabels } from '../engine/protocol.ts';
import { timelineClasses } from '../results.ts';

const WIDTH = 1000;
const HEIGHT = 160;
const COLORS = ['#3b7dd8', '#e0832f', '#2a9d50', '#c6453f', '#8c5bd6'];

/** A class's probability at each clip centre, held flat out to the first clip's start and the last one's end. */
function points(clips: readonly ClipLabels[], index: number, x: (t: number) => number, y: (p: number) => number): string {
  if (!clips.length) return '';
  const p = (c: ClipLabels) => y(c.probabilities[index] ?? 0);
  const first = clips[0];
  const last = clips[clips.length - 1];
  const inner = clips.map((c) => `${x((c.start + c.end) / 2)},${p(c)}`);
  return [`${x(first.start)},${p(first)}`, ...inner, `${x(last.end)},${p(last)}`].join(' ');
}

/** The top classes' probabilities across the video, clip by clip; a click seeks to that time. */
export function Timeline({ clips, duration, time, onSeek }: { clips: readonly ClipLabels[]; duration: number; time: number; onSeek: (t: number) => void }) {
  const classes = timelineClasses(clips, COLORS.length);
  const x = (t: number) => (duration > 0 ? (t / duration) * WIDTH : 0);
  const y = (p: number) => HEIGHT - 8 - p * (HEIGHT - 16);
  const seek = (e: React.MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    onSeek(Math.min(Math.max(((e.clientX - box.left) / box.width) * duration, 0), duration));
  };
  const covered = clips.length ? [Math.min(...clips.map((c) => c.start)), Math.max(...clips.map((c) => c.end))] : [0, 0];
  return (
    <figure className="timeline">
      <figcaption>Timeline: each class's probability per clip (click to seek)</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        onClick={seek}
        role="img"
        aria-label="probability of the top classes over time"
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
            <span className="swatch" style={{ background: COLORS[ci] }} />
            {k.label} (peak {(k.peak * 100).toFixed(0)}%)
          </li>
        ))}
      </ul>
    </figure>
  );
}
