import type { Label } from '../engine/library.ts';

/** The top labels as bars with probabilities. */
export function TopLabels({ labels, caption }: { labels: readonly Label[] | undefined; caption?: string }) {
  return (
    <figure className="top-labels">
      {caption && <figcaption>{caption}</figcaption>}
      {/* Screen readers hear the top label when it changes, not every bar. */}
      <p className="visually-hidden" aria-live="polite">
        {labels?.[0]?.label}
      </p>
      <ol data-testid="top-labels">
        {(labels ?? []).map((l) => (
          <li key={l.index} data-index={l.index} data-label={l.label} data-probability={l.probability}>
            <span className="label">{l.label}</span>
            <span className="bar" style={{ width: `${Math.max(l.probability * 100, 0.5)}%` }} />
            <span className="value">{(l.probability * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
