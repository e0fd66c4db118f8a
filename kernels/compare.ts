// Random inputs and tolerance checks shared by the kernel tests and the model's fidelity tests.

/** A small deterministic PRNG (mulberry32), so a failing shape can be reproduced from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [lo, hi). */
export function randomArray(n: number, random: () => number, lo = -1, hi = 1): Float32Array<ArrayBuffer> {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * random();
  return a;
}

export function randInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

export interface Closeness {
  maxAbsDiff: number;
  maxAbsRef: number;
  worstIndex: number;
  /** max|ours − ref| ≤ rtol·max|ref| + atol */
  ok: boolean;
  summary: string;
}

/** Compares with a tolerance relative to the reference's largest magnitude, as the golden README advises. */
export function closeness(ours: ArrayLike<number>, ref: ArrayLike<number>, rtol = 1e-4, atol = 1e-6): Closeness {
  if (ours.length !== ref.length) {
    return { maxAbsDiff: Infinity, maxAbsRef: 0, worstIndex: -1, ok: false, summary: `length ${ours.length} ≠ ${ref.length}` };
  }
  let maxAbsDiff = 0;
  let maxAbsRef = 0;
  let worstIndex = -1;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i] - ref[i]);
    // NaN never compares greater, so treat it as infinitely wrong.
    if (!(d <= maxAbsDiff)) {
      maxAbsDiff = Number.isNaN(d) ? Infinity : d;
      worstIndex = i;
    }
    maxAbsRef = Math.max(maxAbsRef, Math.abs(ref[i]));
  }
  const bound = rtol * maxAbsRef + atol;
  const ok = maxAbsDiff <= bound;
  const summary =
    `max|Δ| ${maxAbsDiff.toExponential(3)} (bound ${bound.toExponential(3)}, max|ref| ${maxAbsRef.toExponential(3)})` +
    (worstIndex >= 0 ? ` at ${worstIndex}: ours ${ours[worstIndex]} ref ${ref[worstIndex]}` : '');
  return { maxAbsDiff, maxAbsRef, worstIndex, ok, summary };
}

/** A random 5-D activation shape (N, C, T, H, W) with small, often odd, dims. */
export function randomShape5(random: () => number, max: readonly number[] = [2, 9, 9, 11, 11]): number[] {
  return max.map((m) => randInt(random, 1, m));
}
