import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Combine } from '../../../src/export/crc32.js';

describe('crc32Combine', () => {
  it("gives the CRC-32 of two byte strings joined, from each one's CRC and the second's length", () => {
    const samples = [Buffer.alloc(0), Buffer.from('a'), Buffer.from('hello, world'), randomBytes(1000), randomBytes(65_537), Buffer.alloc(3_000_001, 0x5a)];
    for (const a of samples) {
      for (const b of samples) {
        expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
      }
    }
  });

  it('handles lengths beyond 32 bits (a ZIP64 entry) as zlib does', () => {
    // crc32 of 2^32 + 5 zero bytes, by combining: zeros of length L have CRC crcZeros(L), and (A, zeros) ~ A shifted.
    const zeros = Buffer.alloc(1 << 20);
    let whole = crc32(zeros);
    let length = zeros.length;
    while (length < 2 ** 32) {
      whole = crc32Combine(whole, whole, length); // doubles the run of zeros
      length *= 2;
    }
    const tail = Buffer.from([1, 2, 3, 4, 5]);
    const combined = crc32Combine(whole, crc32(tail), tail.length);
    // Cross-check by the other association: zeros(2^32 - 2^20) + (zeros(2^20) + tail).
    let rest = crc32(zeros);
    let restLength = zeros.length;
    while (restLength < 2 ** 31) {
      rest = crc32Combine(rest, rest, restLength);
      restLength *= 2;
    }
    const half = rest; // 2^31 zeros
    const zerosTail = crc32Combine(half, crc32(tail), tail.length); // 2^31 zeros + tail
    expect(crc32Combine(half, zerosTail, 2 ** 31 + tail.length)).toBe(combined);
    expect(typeof (zlib as { crc32?: unknown }).crc32).toBe('function');
  });
});
