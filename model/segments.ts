// When each action happens, and what a video is about as a whole, from its clips' probabilities. Clips
// overlap (2.13 s long, 1 s apart), so each clip speaks for the time nearest its centre: from halfway to the
// previous clip's centre to halfway to the next one's (the first from its start, the last to its end). A
// class's segment opens where a clip reaches `enter`, stays open while clips stay at `exit` or above
// (hysteresis: a dip just below `enter` does not split it), and segments of a class closer than `minDuration`
// merge; segments shorter than it are dropped.

export interface ClipProbabilities {
  /** Seconds. */
  start: number;
  end: number;
  probabilities: ArrayLike<number>;
}

export interface SegmentOptions {
  /** A segment opens at a clip with at least this probability (default 0.5). */
  enter?: number;
  /** …and closes at the first clip below this (default 0.3; at most `enter`). */
  exit?: number;
  /** Shorter segments are dropped, and closer ones of a class merged (seconds; default 1). */
  minDuration?: number;
}

export interface Segment {
  /** The class. */
  index: number;
  label: string;
  /** Seconds. */
  start: number;
  end: number;
  /** The highest and the mean probability of the clips inside it. */
  peak: number;
  mean: number;
}

export const DEFAULT_SEGMENT_OPTIONS: Required<SegmentOptions> = { enter: 0.5, exit: 0.3, minDuration: 1 };

/** The time each clip speaks for: [from, to) around its centre, together covering the clips' span once. */
export function clipSpans(clips: readonly Pick<ClipProbabilities, 'start' | 'end'>[]): { from: number; to: number }[] {
  const centres = clips.map((c) => (c.start + c.end) / 2);
  return clips.map((c, i) => ({
    from: i === 0 ? c.start : (centres[i - 1] + centres[i]) / 2,
    to: i === clips.length - 1 ? c.end : (centres[i] + centres[i + 1]) / 2,
  }));
}

/** Every class's segments, in time order (ties by class), from clips in time order. */
export function segmentsOf(clips: readonly ClipProbabilities[], labels: readonly string[], options: SegmentOptions = {}): Segment[] {
  const { enter, exit, minDuration } = { ...DEFAULT_SEGMENT_OPTIONS, ...options };
  if (!(exit <= enter)) throw new RangeError(`the exit threshold (${exit}) must not exceed the enter threshold (${enter})`);
  if (clips.length === 0) return [];
  const spans = clipSpans(clips);
  const classes = clips[0].probabilities.length;
  const segments: Segment[] = [];
  for (let k = 0; k < classes; k++) {
    const runs: { first: number; last: number }[] = [];
    let open = -1;
    clips.forEach((c, i) => {
      const p = c.probabilities[k];
      if (open < 0 && p >= enter) open = i;
      else if (open >= 0 && p < exit) {
        runs.push({ first: open, last: i - 1 });
        open = -1;
      }
    });
    if (open >= 0) runs.push({ first: open, last: clips.length - 1 });
    // Runs of this class closer than minDuration are one action with a short break.
    const merged: { first: number; last: number }[] = [];
    for (const r of runs) {
      const prev = merged[merged.length - 1];
      if (prev && spans[r.first].from - spans[prev.last].to < minDuration) prev.last = r.last;
      else merged.push({ ...r });
    }
    for (const r of merged) {
      const start = spans[r.first].from;
      const end = spans[r.last].to;
      if (end - start < minDuration) continue;
      const ps = clips.slice(r.first, r.last + 1).map((c) => c.probabilities[k]);
      segments.push({ index: k, label: labels[k] ?? `class ${k}`, start, end, peak: Math.max(...ps), mean: ps.reduce((a, b) => a + b, 0) / ps.length });
    }
  }
  return segments.sort((a, b) => a.start - b.start || a.index - b.index);
}

/** The indices of the k largest values, largest first (equal ones by index: a stable sort). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b] - values[a]).slice(0, k);
}

/**
 * One probability vector from several (views of a clip, clips of a video): their mean for a softmax head, as
 * the paper's multi-view testing does; their maximum for a multi-label head, as PySlowFast's Charades testing
 * does (an action seen in any clip happened).
 */
export function combineProbabilities(vectors: readonly ArrayLike<number>[], classes: number, multiLabel: boolean): Float32Array {
  const out = new Float32Array(classes);
  if (multiLabel) for (const v of vectors) for (let i = 0; i < classes; i++) out[i] = Math.max(out[i], v[i]);
  else for (const v of vectors) for (let i = 0; i < classes; i++) out[i] += v[i] / vectors.length;
  return out;
}
