/**
 * A KMZ file, as Google My Maps exports a map: a ZIP archive holding the map as `doc.kml`. Stored (not
 * deflated): the files are small and the archive around them is compressed anyway.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A ZIP holding one stored file `name` with `content`, dated `ms` (UTC, DOS time). */
export function kmz(kml: string, ms: number, name = 'doc.kml'): Uint8Array {
  const content = new TextEncoder().encode(kml);
  const fileName = new TextEncoder().encode(name);
  const d = new Date(ms);
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2);
  const dosDate = ((Math.max(1980, d.getUTCFullYear()) - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const crc = crc32(content);

  const local = new Uint8Array(30 + fileName.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true); // version needed
  lv.setUint16(10, dosTime, true);
  lv.setUint16(12, dosDate, true);
  lv.setUint32(14, crc, true);
  lv.setUint32(18, content.length, true);
  lv.setUint32(22, content.length, true);
  lv.setUint16(26, fileName.length, true);
  local.set(fileName, 30);

  const central = new Uint8Array(46 + fileName.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 20, true); // version made by
  cv.setUint16(6, 20, true); // version needed
  cv.setUint16(12, dosTime, true);
  cv.setUint16(14, dosDate, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, content.length, true);
  cv.setUint32(24, content.length, true);
  cv.setUint16(28, fileName.length, true);
  central.set(fileName, 46);

  const centralOffset = local.length + content.length;
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, centralOffset, true);

  const out = new Uint8Array(centralOffset + central.length + end.length);
  out.set(local, 0);
  out.set(content, local.length);
  out.set(central, centralOffset);
  out.set(end, centralOffset + central.length);
  return out;
}
