// Byte mutations for property-based fuzzing of our readers (weights in model/, video containers in app/):
// flips, cuts, insertions and overwrites at relative positions, so one arbitrary serves files of any size.
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; at: number; bits: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

export const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);

/** Applies mutations; positions near the start (headers, pickle opcodes) are weighted by squaring. */
export function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = bytes.slice();
  for (const m of mutations) {
    const at = Math.min(out.length, Math.floor(m.at * m.at * out.length));
    if (m.kind === 'flip' && at < out.length) {
      out[at] ^= m.bits;
    } else if (m.kind === 'cut') {
      out = out.subarray(0, at);
    } else if (m.kind === 'insert') {
      const next = new Uint8Array(out.length + m.bytes.length);
      next.set(out.subarray(0, at));
      next.set(m.bytes, at);
      next.set(out.subarray(at), at + m.bytes.length);
      out = next;
    } else if (m.kind === 'overwrite') {
      out.set(m.bytes.subarray(0, Math.max(0, out.length - at)), at);
    }
  }
  return out;
}

