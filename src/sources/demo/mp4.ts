/**
 * A minimal ISO base media (MP4) file for demo videos: an `ftyp` box and a `moov` box whose `mvhd` carries the
 * clip's duration, so tools that read a video's container (ffprobe, file(1), mp4box) see a well-formed MP4 of
 * the right length. It holds no samples: demo archives stay small.
 */

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  let at = 8;
  for (const p of payload) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Seconds from 1904-01-01 (the MP4 epoch) to `ms`. */
function mp4Time(ms: number): number {
  return Math.floor(ms / 1000) + 2_082_844_800;
}

/** An MP4 of `durationMs`, created at `createdMs`. */
export function demoMp4(createdMs: number, durationMs: number): Uint8Array {
  const ftyp = box('ftyp', ascii('isom'), new Uint8Array([0, 0, 2, 0]), ascii('isomiso2mp41'));
  const mvhd = new Uint8Array(100);
  const v = new DataView(mvhd.buffer);
  // version 0, flags 0; creation and modification time; timescale 1000; duration in ms
  v.setUint32(4, mp4Time(createdMs) >>> 0);
  v.setUint32(8, mp4Time(createdMs) >>> 0);
  v.setUint32(12, 1000);
  v.setUint32(16, Math.max(0, Math.round(durationMs)) >>> 0);
  v.setUint32(20, 0x00010000); // rate 1.0
  v.setUint16(24, 0x0100); // volume 1.0
  // unity matrix
  const matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
  matrix.forEach((m, i) => v.setUint32(36 + i * 4, m));
  v.setUint32(96, 1); // next track id
  return concat(ftyp, box('moov', box('mvhd', mvhd)));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
