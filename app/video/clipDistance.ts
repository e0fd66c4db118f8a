import type { ClipResult } from './analyze.ts';

/**
 * The largest |Δ log p| over the classes of every clip of two analyses of the same clips (tests compare videos by
 * it). Probabilities are floored at 1e-9: classes below it in both count as equal.
 */
export function maxLogProbDelta(a: ClipResult[], b: ClipResult[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} clips against ${b.length}`);
  const log = (p: number) => Math.log(Math.max(p, 1e-9));
  let worst = 0;
  a.forEach((clip, i) => clip.probabilities.forEach((p, k) => (worst = Math.max(worst, Math.abs(log(p) - log(b[i].probabilities[k]))))));
  return worst;
}
