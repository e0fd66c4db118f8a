// What the page shows from an analysis, as plain functions: labels at a playback time, the classes worth
// plotting, and the JSON / CSV exports (which are built from exactly what the page shows).
import type { ClipLabels, Label } from './engine/protocol.ts';

/** The clip to show at playback time t: among the clips covering t, the one centred nearest it. */
export function clipAt(clips: readonly ClipLabels[], t: number): ClipLabels | undefined {
  let best: ClipLabels | undefined;
  let bestScore = Infinity;
  for (const c of clips) {
    const covers = t >= c.start && t <= c.end;
    // Clips that cover t always win over ones that do not.
    const score = Math.abs((c.start + c.end) / 2 - t) + (covers ? 0 : 1e6);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** The k classes with the highest probability anywhere in the video, most probable first. */
export function timelineClasses(clips: readonly ClipLabels[], k: number): { index: number; label: string; peak: number }[] {
  const peaks = new Map<number, { label: string; peak: number }>();
  for (const c of clips) {
    for (const l of c.top) {
      const p = peaks.get(l.index);
      if (!p || l.probability > p.peak) peaks.set(l.index, { label: l.label, peak: l.probability });
    }
  }
  return [...peaks].map(([index, p]) => ({ index, ...p })).sort((a, b) => b.peak - a.peak).slice(0, k);
}

export interface AnalysisExport {
  file: string;
  model: string;
  inputSize: number;
  stride: number;
  views: number;
  duration: number;
  clips: { start: number; end: number; top: Label[] }[];
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function exportRecord(meta: Omit<AnalysisExport, 'clips'>, clips: readonly ClipLabels[]): AnalysisExport {
  return {
    ...meta,
    duration: round(meta.duration, 3),
    clips: clips.map((c) => ({
      start: round(c.start, 3),
      end: round(c.end, 3),
      top: c.top.map((l) => ({ index: l.index, label: l.label, probability: round(l.probability, 6) })),
    })),
  };
}

export function toJson(record: AnalysisExport): string {
  return JSON.stringify(record, null, 2);
}

/** One row per clip and rank; labels are quoted (some Kinetics names hold commas or quotes). */
export function toCsv(record: AnalysisExport): string {
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const rows = ['start_s,end_s,rank,class_index,label,probability'];
  for (const c of record.clips) {
    c.top.forEach((l, rank) => rows.push([c.start, c.end, rank + 1, l.index, quote(l.label), l.probability].join(',')));
  }
  return rows.join('\n') + '\n';
}
