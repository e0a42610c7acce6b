import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/api/downloads.js';

const stat = { sizeBytes: 1000, etag: '"e"' };

describe('Range header', () => {
  it('reads bytes=a-b, bytes=a- and bytes=-n', () => {
    expect(parseRange('bytes=0-99', undefined, stat)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', undefined, stat)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', undefined, stat)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=990-5000', undefined, stat)).toEqual({ start: 990, end: 999 });
  });
  it('past the end is unsatisfiable; malformed or multiple ranges are served whole', () => {
    expect(parseRange('bytes=1000-', undefined, stat)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', undefined, stat)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', undefined, stat)).toBeUndefined();
    expect(parseRange('items=0-1', undefined, stat)).toBeUndefined();
  });
  it('If-Range with another ETag serves the whole object', () => {
    expect(parseRange('bytes=0-99', '"other"', stat)).toBeUndefined();
    expect(parseRange('bytes=0-99', '"e"', stat)).toEqual({ start: 0, end: 99 });
  });
});
