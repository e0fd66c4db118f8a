// Packed half-precision weights: two f16 per u32, low half first, read in WGSL with unpack2x16float so
// adapters without `shader-f16` (SwiftShader among them) still halve weight memory.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds an f32 to the nearest f16 (ties to even) and returns its bits. */
export function f16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to inf
  if (e <= 0) {
    // subnormal half
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && (half & 1)) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // Rounding may carry into the exponent, which is the right result (up to inf).
  return sign | (half + (rem > 0x1000 || (rem === 0x1000 && (half & 1)) ? 1 : 0));
}

export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Packs f32 values as f16 pairs; an odd count gets a zero in the last high half. */
export function packF16(values: ArrayLike<number>): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] |= f16Bits(values[i]) << ((i & 1) * 16);
  return out;
}

/** The `count` values packed by packF16, as f32 (the values the GPU reads with unpack2x16float). */
export function unpackF16(packed: Uint32Array, count: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = f16BitsToNumber((packed[i >> 1] >>> ((i & 1) * 16)) & 0xffff);
  return out;
}

/** The f32 values that packed f16 weights stand for: what a reference must use to match the GPU. */
export function roundToF16(values: ArrayLike<number>): Float32Array<ArrayBuffer> {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f16BitsToNumber(f16Bits(values[i]));
  return out;
}

/** f16 values (their bits, as a GPU buffer of f16 holds them) as f32. */
export function widenF16(bits: Uint16Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = f16BitsToNumber(bits[i]);
  return out;
}
