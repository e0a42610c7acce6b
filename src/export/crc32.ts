import zlib from 'node:zlib';

/** CRC-32 (zlib's polynomial): `zlib.crc32` where Node has it (20.15 and later), a table otherwise. */
export const crc32: (data: Uint8Array, value?: number) => number =
  (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32 ?? jsCrc32;

/**
 * The CRC-32 of `A + B` from `crc32(A)`, `crc32(B)` and B's length: zlib's `crc32_combine`, which Node does
 * not expose. Worker threads checksum the ranges of a file they compress; the entry's CRC is their combination,
 * in order, without the bytes passing through this thread.
 *
 * zlib 1.2.12's method: appending `n` zero bytes to A multiplies its CRC by x^(8n) modulo the CRC polynomial,
 * and x^(8n) is the product of the table's powers x^(2^k) for the bits of 8n. About one 32-step product per
 * bit of the length (the older matrix-squaring method cost ~60 matrix squarings, 0.13 ms a call).
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0; // B is empty: its CRC is 0
  return (multiplyModP(xToThe8nModP(lengthB), crcA >>> 0) ^ crcB) >>> 0;
}

/** The CRC polynomial, reflected (bit 31 is x^0). */
const POLY = 0xedb88320;

/** a × b modulo the polynomial, both reflected. */
function multiplyModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo the polynomial. */
const X2N = (() => {
  const table = new Uint32Array(32);
  let p = 0x40000000; // x^1
  table[0] = p;
  for (let k = 1; k < 32; k++) table[k] = p = multiplyModP(p, p);
  return table;
})();

/** x^(8 × n) modulo the polynomial: n zero bytes' worth of shifting. */
function xToThe8nModP(n: number): number {
  let p = 0x80000000; // x^0
  let k = 3; // 8n = n × 2^3
  // Math.floor rather than >>>: ZIP64 lengths pass 2^32.
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2), k++) {
    if (rest % 2 === 1) p = multiplyModP(X2N[k & 31]!, p);
  }
  return p;
}

let crcTable: Int32Array | undefined;
/** CRC-32 for Node versions before zlib.crc32 (20.15): table-driven, slower but correct. */
function jsCrc32(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
