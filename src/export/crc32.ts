import zlib from 'node:zlib';

/** CRC-32 (zlib's polynomial): `zlib.crc32` where Node has it (20.15 and later), a table otherwise. */
export const crc32: (data: Uint8Array, value?: number) => number =
  (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32 ?? jsCrc32;

/**
 * The CRC-32 of `A + B` from `crc32(A)`, `crc32(B)` and B's length: zlib's `crc32_combine`, which Node does
 * not expose. Worker threads checksum the ranges of a file they compress; the entry's CRC is their combination,
 * in order, without the bytes passing through this thread. Costs about 2 log2(length) 32x32 GF(2) products.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0; // B is empty: its CRC is 0
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  // The operator for one zero bit: the CRC polynomial, then shifts.
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  gf2Square(even, odd); // two zero bits
  gf2Square(odd, even); // four zero bits
  let crc = crcA >>> 0;
  let length = lengthB;
  // Apply length zero bytes to crcA, squaring the operator for each bit of the length.
  for (;;) {
    gf2Square(even, odd);
    if (length % 2 === 1) crc = gf2Times(even, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
    gf2Square(odd, even);
    if (length % 2 === 1) crc = gf2Times(odd, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
  }
  return (crc ^ crcB) >>> 0;
}

function gf2Times(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0, v = vector >>> 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= matrix[i]!;
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(matrix, matrix[n]!);
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
