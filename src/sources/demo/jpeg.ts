/**
 * A tiny baseline JPEG encoder for the demo's photos: the image is a grid of 8x8 blocks, each one flat
 * colour, so every block is only a DC coefficient and an end-of-block code — no DCT needed, and a 64x48
 * picture is about 400 bytes. Valid for any decoder (checked with libjpeg's djpeg).
 */
import { Rng, mix32 } from './timeline.js';

export type Rgb = readonly [number, number, number];

/** Standard luminance DC table (ITU T.81 K.3): code lengths, then symbols (categories 0-11). */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** Flat blocks have no AC coefficients: the AC table needs one symbol, end-of-block (0x00). */
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0];
/** With quantiser 8, a flat block of level v has quantised DC exactly v - 128. */
const QUANTISER = 8;

/** Canonical Huffman codes (T.81 Annex C): symbol -> [code, length]. */
function huffmanCodes(bits: readonly number[], values: readonly number[]): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let v = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]!; i++) codes.set(values[v++]!, [code++, length]);
    code <<= 1;
  }
  return codes;
}

const DC_CODES = huffmanCodes(DC_BITS, DC_VALUES);
const EOB = huffmanCodes(AC_BITS, AC_VALUES).get(0)!;

class BitWriter {
  readonly bytes: number[] = [];
  private acc = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.count === 8) this.flushByte();
    }
  }

  /** Pads the last byte with 1-bits, as T.81 requires. */
  finish(): number[] {
    while (this.count !== 0) this.write(1, 1);
    return this.bytes;
  }

  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing
    this.acc = 0;
    this.count = 0;
  }
}

function segment(marker: number, body: readonly number[]): number[] {
  const length = body.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...body];
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

function toYCbCr([r, g, b]: Rgb): [number, number, number] {
  return [
    clampByte(0.299 * r + 0.587 * g + 0.114 * b),
    clampByte(128 - 0.168736 * r - 0.331264 * g + 0.5 * b),
    clampByte(128 + 0.5 * r - 0.418688 * g - 0.081312 * b),
  ];
}

/** Encodes a `blocksWide*8` x `blocksHigh*8` image whose block (x, y) is the flat colour `colourAt(x, y)`. */
function encodeBlockJpeg(blocksWide: number, blocksHigh: number, colourAt: (x: number, y: number) => Rgb): Uint8Array {
  const width = blocksWide * 8;
  const height = blocksHigh * 8;
  const huffmanTable = (tableClass: number, bits: readonly number[], values: readonly number[]): number[] => [tableClass << 4, ...bits, ...values];
  const header = [
    0xff,
    0xd8, // SOI
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // APP0 JFIF 1.1, aspect 1:1
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(QUANTISER)]), // DQT 0
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]), // SOF0, 4:4:4
    ...segment(0xc4, [...huffmanTable(0, DC_BITS, DC_VALUES), ...huffmanTable(1, AC_BITS, AC_VALUES)]), // DHT
    ...segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]), // SOS: all components use tables 0/0
  ];
  const bits = new BitWriter();
  const previousDc = [0, 0, 0];
  for (let y = 0; y < blocksHigh; y++) {
    for (let x = 0; x < blocksWide; x++) {
      const ycc = toYCbCr(colourAt(x, y));
      for (let c = 0; c < 3; c++) {
        const dc = ycc[c]! - 128;
        const diff = dc - previousDc[c]!;
        previousDc[c] = dc;
        const magnitude = Math.abs(diff);
        const category = magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
        const [code, length] = DC_CODES.get(category)!;
        bits.write(code, length);
        if (category > 0) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
        bits.write(EOB[0], EOB[1]);
      }
    }
  }
  return Uint8Array.from([...header, ...bits.finish(), 0xff, 0xd9]);
}

const SKIES: readonly Rgb[] = [
  [120, 170, 230],
  [90, 140, 210],
  [250, 170, 120],
  [180, 190, 200],
];
const GROUNDS: readonly Rgb[] = [
  [70, 130, 60],
  [120, 120, 125],
  [200, 180, 130],
  [60, 90, 140],
];

/** A 64x48 "photo": sky over ground with a horizon, sometimes a sun; the same Rng state gives the same image. */
function sceneJpeg(rng: Rng): Uint8Array {
  const sky = rng.pick(SKIES);
  const ground = rng.pick(GROUNDS);
  const horizon = rng.between(2, 4);
  const sunX = rng.chance(0.5) ? rng.int(8) : -1;
  const noise = Array.from({ length: 48 }, () => rng.between(-12, 12));
  return encodeBlockJpeg(8, 6, (x, y) => {
    if (x === sunX && y === 0) return [255, 230, 120];
    const base = y < horizon ? sky : ground;
    const shade = (y < horizon ? y * 8 : -(y - horizon) * 6) + noise[y * 8 + x]!;
    return [base[0] + shade, base[1] + shade, base[2] + shade];
  });
}

/** The photo of record `k` of a group (a Maps photo, a video thumbnail): the same for the same seed and k. */
export function recordJpeg(groupSeed: number, k: number): Uint8Array {
  return sceneJpeg(new Rng(mix32(groupSeed ^ 0x6a706567, k)));
}
