/**
 * The ZIP file's records, byte for byte (APPNOTE.TXT 6.3): local headers, data descriptors, central directory
 * records and the end of central directory, with their ZIP64 forms where sizes or offsets need them. Kept apart
 * from zip-writer.ts, which decides when each is written; nothing here streams or compresses.
 */

export interface EntryRecord {
  name: string;
  utf8Name: Buffer;
  dosTime: number;
  dosDate: number;
  unixSeconds: number;
  method: 0 | 8;
  /** Sizes and CRC are in the local header (buffers); otherwise a data descriptor follows the data. */
  sizesKnown: boolean;
  offset: number;
  crc32: number;
  uncompressedSize: number;
  compressedSize: number;
}

const VERSION_NEEDED_UTF8 = 20;
const VERSION_NEEDED_ZIP64 = 45;
/** Unix, spec 6.3. */
const VERSION_MADE_BY = (3 << 8) | 63;
const FLAG_UTF8 = 1 << 11;
const FLAG_DATA_DESCRIPTOR = 1 << 3;
/** -rw-rw-r--, a regular file. */
const FILE_MODE = 0o100664;
const ZIP32_LIMIT = 0xfffffffe;

export function newRecord(name: string, mtime: Date, level: number, offset: number, sizesKnown: boolean): EntryRecord {
  const utf8Name = Buffer.from(validatePath(name), 'utf8');
  if (utf8Name.length > 0xffff) throw new Error(`zip: file name too long: ${name}`);
  const { date, time } = dosDateTime(mtime);
  return {
    name,
    utf8Name,
    dosDate: date,
    dosTime: time,
    unixSeconds: Math.max(-0x80000000, Math.min(0x7fffffff, Math.floor(mtime.getTime() / 1000))),
    method: level > 0 ? 8 : 0,
    sizesKnown,
    offset,
    crc32: 0,
    uncompressedSize: 0,
    compressedSize: 0,
  };
}

function validatePath(name: string): string {
  const p = name.replace(/\\/g, '/');
  if (p === '' || /^[a-zA-Z]:/.test(p) || p.startsWith('/') || p.split('/').includes('..') || p.endsWith('/')) {
    throw new Error(`zip: invalid entry path: ${name}`);
  }
  return p;
}

function useZip64(r: EntryRecord): boolean {
  return r.uncompressedSize > ZIP32_LIMIT || r.compressedSize > ZIP32_LIMIT || r.offset > ZIP32_LIMIT;
}

function flagsOf(r: EntryRecord): number {
  return FLAG_UTF8 | (r.sizesKnown ? 0 : FLAG_DATA_DESCRIPTOR);
}

export function localHeader(r: EntryRecord): Buffer {
  const b = Buffer.alloc(30 + r.utf8Name.length);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(VERSION_NEEDED_UTF8, 4);
  b.writeUInt16LE(flagsOf(r), 6);
  b.writeUInt16LE(r.method, 8);
  b.writeUInt16LE(r.dosTime, 10);
  b.writeUInt16LE(r.dosDate, 12);
  if (r.sizesKnown) {
    b.writeUInt32LE(r.crc32, 14);
    b.writeUInt32LE(r.compressedSize, 18);
    b.writeUInt32LE(r.uncompressedSize, 22);
  }
  b.writeUInt16LE(r.utf8Name.length, 26);
  b.writeUInt16LE(0, 28);
  r.utf8Name.copy(b, 30);
  return b;
}

export function dataDescriptor(r: EntryRecord): Buffer {
  if (!useZip64(r)) {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(0x08074b50, 0);
    b.writeUInt32LE(r.crc32, 4);
    b.writeUInt32LE(r.compressedSize, 8);
    b.writeUInt32LE(r.uncompressedSize, 12);
    return b;
  }
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(r.crc32, 4);
  b.writeBigUInt64LE(BigInt(r.compressedSize), 8);
  b.writeBigUInt64LE(BigInt(r.uncompressedSize), 16);
  return b;
}

export function centralDirectoryRecord(r: EntryRecord): Buffer {
  const zip64 = useZip64(r);
  // Info-ZIP universal time ("UT"): mtime, with the atime flag set as Info-ZIP itself does.
  const ut = Buffer.alloc(9);
  ut.writeUInt16LE(0x5455, 0);
  ut.writeUInt16LE(5, 2);
  ut.writeUInt8(0b11, 4);
  ut.writeInt32LE(r.unixSeconds, 5);
  let z64 = Buffer.alloc(0);
  if (zip64) {
    z64 = Buffer.alloc(28);
    z64.writeUInt16LE(0x0001, 0);
    z64.writeUInt16LE(24, 2);
    z64.writeBigUInt64LE(BigInt(r.uncompressedSize), 4);
    z64.writeBigUInt64LE(BigInt(r.compressedSize), 12);
    z64.writeBigUInt64LE(BigInt(r.offset), 20);
  }
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(VERSION_MADE_BY, 4);
  b.writeUInt16LE(zip64 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED_UTF8, 6);
  b.writeUInt16LE(flagsOf(r), 8);
  b.writeUInt16LE(r.method, 10);
  b.writeUInt16LE(r.dosTime, 12);
  b.writeUInt16LE(r.dosDate, 14);
  b.writeUInt32LE(r.crc32, 16);
  b.writeUInt32LE(zip64 ? 0xffffffff : r.compressedSize, 20);
  b.writeUInt32LE(zip64 ? 0xffffffff : r.uncompressedSize, 24);
  b.writeUInt16LE(r.utf8Name.length, 28);
  b.writeUInt16LE(ut.length + z64.length, 30);
  b.writeUInt16LE(0, 32);
  b.writeUInt16LE(0, 34);
  b.writeUInt16LE(0, 36);
  b.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
  b.writeUInt32LE(zip64 ? 0xffffffff : r.offset, 42);
  return Buffer.concat([b, r.utf8Name, ut, z64]);
}

export function endOfCentralDirectory(count: number, cdOffset: number, cdSize: number, zip64RecordOffset: number): Buffer {
  const zip64 = count >= 0xffff || cdSize >= 0xffffffff || cdOffset >= 0xffffffff;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 && count >= 0xffff ? 0xffff : count, 8);
  eocd.writeUInt16LE(zip64 && count >= 0xffff ? 0xffff : count, 10);
  eocd.writeUInt32LE(cdSize >= 0xffffffff ? 0xffffffff : cdSize, 12);
  eocd.writeUInt32LE(cdOffset >= 0xffffffff ? 0xffffffff : cdOffset, 16);
  if (!zip64) return eocd;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(VERSION_MADE_BY, 12);
  record.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(cdSize), 40);
  record.writeBigUInt64LE(BigInt(cdOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(zip64RecordOffset), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, eocd]);
}

/** MS-DOS date and time, in local time as other ZIP tools write it, clamped to the years DOS can hold. */
function dosDateTime(d: Date): { date: number; time: number } {
  const min = new Date(1980, 0, 1);
  const max = new Date(2107, 11, 31, 23, 59, 58);
  const t = d < min ? min : d > max ? max : d;
  return {
    date: (t.getDate() & 0x1f) | (((t.getMonth() + 1) & 0xf) << 5) | (((t.getFullYear() - 1980) & 0x7f) << 9),
    time: Math.floor(t.getSeconds() / 2) | ((t.getMinutes() & 0x3f) << 5) | ((t.getHours() & 0x1f) << 11),
  };
}
