// What the page shows from an analysis, as plain functions: labels at a playback time, the classes worth
// plotting, the whole video's verdict, and the JSON / CSV / WebVTT exports (built from exactly what the page
// shows).
import type { ClipLabels, Label } from './engine/library.ts';
import { DEFAULT_TOP_K } from '../model/classifier.ts';
import { combineProbabilities, topIndices, type Segment, type SegmentOptions } from '../model/segments.ts';
import type { Analysis } from './store.ts';

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

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
const CSV_HEADER = 'start_s,end_s,rank,class_index,label,probability';
const csvRows = (record: AnalysisExport) =>
  record.clips.flatMap((c) => c.top.map((l, rank) => [c.start, c.end, rank + 1, l.index, quote(l.label), l.probability].join(',')));

/** One row per clip and rank; labels are quoted (some Kinetics names hold commas or quotes). */
export function toCsv(record: AnalysisExport): string {
  return [CSV_HEADER, ...csvRows(record)].join('\n') + '\n';
}

/** Many files' clips in one CSV: toCsv's rows, each led by the file's path. */
export function queueToCsv(records: readonly AnalysisExport[]): string {
  return [`file,${CSV_HEADER}`, ...records.flatMap((r) => csvRows(r).map((row) => `${quote(r.file)},${row}`))].join('\n') + '\n';
}

/** hh:mm:ss.mmm, as WebVTT writes times. */
function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/** The segments as WebVTT subtitles: one cue per segment, its label and peak probability (cues may overlap). */
export function segmentsToVtt(segments: readonly Segment[]): string {
  const cues = segments.map((s, i) => `${i + 1}\n${vttTime(s.start)} --> ${vttTime(s.end)}\n${s.label.replaceAll('-->', '→')} (${(s.peak * 100).toFixed(0)}%)`);
  return ['WEBVTT', ...cues].join('\n\n') + '\n';
}

export interface SegmentsExport {
  file: string;
  model: string;
  thresholds: Required<SegmentOptions>;
  /** The whole video's top classes (mean of the clips, or max for a multi-label head). */
  verdict: Label[];
  segments: { index: number; label: string; start: number; end: number; peak: number; mean: number }[];
}

export function segmentsRecord(meta: Omit<SegmentsExport, 'segments'>, segments: readonly Segment[]): SegmentsExport {
  return {
    ...meta,
    verdict: meta.verdict.map((l) => ({ ...l, probability: round(l.probability, 6) })),
    segments: segments.map((s) => ({ index: s.index, label: s.label, start: round(s.start, 3), end: round(s.end, 3), peak: round(s.peak, 6), mean: round(s.mean, 6) })),
  };
}

export function segmentsToCsv(record: SegmentsExport): string {
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return ['start_s,end_s,class_index,label,peak,mean', ...record.segments.map((s) => [s.start, s.end, s.index, quote(s.label), s.peak, s.mean].join(','))].join('\n') + '\n';
}

/** The whole video's top `k` classes from its clips (see combineProbabilities). */
export function verdictOf(clips: readonly Pick<ClipLabels, 'probabilities'>[], classNames: readonly string[], multiLabel: boolean, k: number): Label[] {
  if (clips.length === 0) return [];
  const combined = combineProbabilities(clips.map((c) => c.probabilities), clips[0].probabilities.length, multiLabel);
  return topIndices(combined, k).map((index) => ({ index, label: classNames[index] ?? `class ${index}`, probability: combined[index] }));
}

/** A model's side of a comparison: its name and clips. */
export interface ComparisonSide {
  model: string;
  clips: readonly ClipLabels[];
}

/** The comparison's record, for its JSON and CSV: both models' clips and verdicts, and the gains by class. */
export function comparisonRecord(file: string, sides: readonly ComparisonSide[], classNames: readonly string[], multiLabel: boolean, gainsOf: 0 | 1) {
  // Gains: the mean probability over each model's clips, the one's minus the other's, largest first.
  const means = sides.map((s) => combineProbabilities(s.clips.map((c) => c.probabilities), classNames.length, false));
  const [of, over] = [means[gainsOf], means[1 - gainsOf]];
  const gains = classNames.map((label, index) => ({ index, label, delta: of[index] - over[index] })).sort((a, b) => b.delta - a.delta);
  return {
    file,
    models: sides.map((s) => ({
      model: s.model,
      verdict: verdictOf(s.clips, classNames, multiLabel, DEFAULT_TOP_K),
      clips: s.clips.map((c) => ({ start: c.start, end: c.end, top: c.top.map(({ index, label, probability }) => ({ index, label, probability })) })),
    })),
    gainsOf: sides[gainsOf].model,
    gains,
    means,
  };
}

/** The comparison an analysis that compares holds: its two models in order, and the gains as the engine said. */
export function analysisComparison(a: Pick<Analysis, 'source' | 'model' | 'results' | 'classNames' | 'multiLabel'> & { compare: NonNullable<Analysis['compare']> }) {
  const sides = [{ model: a.model, clips: a.results }, { model: a.compare.model, clips: a.compare.results }];
  return comparisonRecord(a.source.name, sides, a.classNames, a.multiLabel, a.compare.gainsOf === 'current' ? 0 : 1);
}

/** The comparison as CSV: a row per class, each model's mean probability and the gain, largest gain first. */
export function comparisonCsv(r: ReturnType<typeof comparisonRecord>): string {
  const rows = [['index', 'label', ...r.models.map((m) => quote(`mean probability: ${m.model}`)), quote(`gain of ${r.gainsOf}`)].join(',')];
  for (const g of r.gains) rows.push([String(g.index), quote(g.label), ...r.means.map((m) => m[g.index].toFixed(6)), g.delta.toFixed(6)].join(','));
  return `${rows.join('\n')}\n`;
}
