import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';

describe('crc32', () => {
  it('gives the check value of the standard and what zlib computes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31 + (i >> 7)) & 0xff);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });
});
