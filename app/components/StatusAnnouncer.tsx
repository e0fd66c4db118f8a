import { verdictOf } from '../results.ts';
import { useStore, type StoreState, type Analysis } from '../store.ts';

/**
 * The whole video's top label, once per finished results list: the store's selector runs on every change (the
 * webcam's updates among them) and the verdict reads every clip's probabilities.
 */
const topLabels = new WeakMap<Analysis['results'], { classNames: readonly string[]; multiLabel: boolean; label: string }>();
function topLabelOf(a: Pick<Analysis, 'results' | 'classNames' | 'multiLabel'>): string {
  const known = topLabels.get(a.results);
  // The same clips under new names (a label file loaded afterwards) are named again.
  if (known && known.classNames === a.classNames && known.multiLabel === a.multiLabel) return known.label;
  const label = verdictOf(a.results, a.classNames, a.multiLabel, 1)[0]?.label ?? 'none';
  topLabels.set(a.results, { classNames: a.classNames, multiLabel: a.multiLabel, label });
  return label;
}

/**
 * What the page is doing, in one sentence, for screen readers: a polite live region that speaks when the
 * sentence changes (weights being read or ready, a video opening, being classified and done, the camera on or
 * off). Progress within an analysis is not spoken clip by clip: only its start and end.
 */
export function statusSentence(s: Pick<StoreState, 'weights' | 'pending' | 'analysis' | 'webcam'>): string {
  if (s.webcam.status === 'starting') return 'Starting the camera.';
  if (s.webcam.status === 'on') return 'Camera on: live labels.';
  if (s.pending) return `Opening ${s.pending.source.name}.`;
  const a = s.analysis;
  if (a?.status === 'running') return `Classifying ${a.source.name}.`;
  if (a?.status === 'done') return `${a.source.name} done: ${a.results.length} ${a.results.length === 1 ? 'clip' : 'clips'}, top label ${topLabelOf(a)}.`;
  if (a?.status === 'cancelled') return `${a.source.name}: stopped.`;
  if (s.weights.status === 'loading') return `Loading ${s.weights.name}.`;
  if (s.weights.status === 'ready') return `${s.weights.model.name} ready.`;
  return '';
}

export function StatusAnnouncer() {
  const sentence = useStore(statusSentence);
  return (
    <p className="visually-hidden" role="status" data-testid="status-announcer">
      {sentence}
    </p>
  );
}
