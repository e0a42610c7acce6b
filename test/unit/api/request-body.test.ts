import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonPayloadError, parseJsonPayload } from '../../../src/api/json-payload.js';
import { parseInitiateBody, parseTimestamp } from '../../../src/api/request-body.js';

describe('request bodies', () => {
  it('any JSON text reads as JSON.parse reads it; `__proto__` is a key like any other', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(parseJsonPayload(text)).toEqual(JSON.parse(text));
      }),
    );
    const read = parseJsonPayload('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__']);
  });

  it('text that is not JSON is refused with the place marked', () => {
    for (const text of ['{', '{"a" 1}', '{"a": 1,}', '[1 2]', "{'a': 1}", '{"a": 01}', '{"a": "\\x"}', 'nul']) {
      expect(() => parseJsonPayload(text), text).toThrow(JsonPayloadError);
    }
    expect(() => parseJsonPayload('{"a": 1,}')).toThrow('Invalid JSON payload received. Expected an object key or }.\n{"a": 1,}\n        ^');
  });

  it('timestamps: RFC 3339 with upper-case T and Z or an offset, within 0001–9999, up to nanoseconds', () => {
    expect(parseTimestamp('2024-02-29T23:59:59.123456789+01:00')).toEqual(new Date('2024-02-29T22:59:59.123Z'));
    expect(parseTimestamp('0050-01-01T00:00:00Z')).toEqual(new Date('0050-01-01T00:00:00Z'));
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:00',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00+25:00',
    ]) {
      expect(parseTimestamp(bad), bad).toBe("Illegal timestamp format; timestamps must end with 'Z' or have a valid timezone offset.");
    }
    expect(parseTimestamp('0000-01-01T00:00:00Z')).toBe('Timestamp value exceeds limits');
    expect(parseTimestamp('10000-01-01T00:00:00Z')).toBe('Timestamp value exceeds limits');
  });

  it('a Timestamp may be given as its message; a list nested in `resources` adds to it; null leaves a field unset', () => {
    expect(parseInitiateBody({ resources: ['a', ['b', null]], start_time: { seconds: '86400', nanos: 5_000_000 }, endTime: null })).toEqual({
      resources: ['a', 'b'],
      startTime: new Date(86_400_005),
    });
    expect(parseInitiateBody(undefined)).toEqual({ resources: [] });
  });
});
