import { describe, expect, it } from 'vitest';
import { createJsonRecordSerializer } from '../../../src/export/json-record.js';

const frozen = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const v of Object.values(value)) frozen(v);
  }
  return value;
};

describe('createJsonRecordSerializer', () => {
  it('writes what JSON.stringify writes for every kind of value, shared frozen parts included', () => {
    const json = createJsonRecordSerializer();
    const shared = frozen({ name: 'At this general area', tags: ['a', 'b"c', '\u2028'], n: 1.5, deep: { x: null, y: [undefined, () => 1] } });
    const records: unknown[] = [
      { a: 'x', b: 1, c: true, d: null, e: undefined, f: () => 1, g: Symbol('s'), h: NaN, i: -0, j: Infinity, k: shared, l: [shared, undefined] },
      { 'quoted "key"': 1, '\n': 'line', 10: 'numeric keys first', z: shared },
      { date: new Date(0), nested: { date: new Date(1) } },
      { boxed: Object(1), map: new Map([[1, 2]]), set: new Set([1]) },
      Object.assign(Object.create(null) as object, { a: 1 }),
      ['an', 'array', shared],
      'a string',
      42,
      null,
      { toJSON: (key: string) => `key=${key}` },
      { inner: { toJSON: (key: string) => `key=${key}` } },
      {},
    ];
    for (let round = 0; round < 2; round++) {
      for (const record of records) expect(json(record)).toBe(JSON.stringify(record));
    }
  });

  it('writes top-level strings as JSON.stringify does: every UTF-16 unit alone, surrogate pairs, escapes', () => {
    const json = createJsonRecordSerializer();
    for (let unit = 0; unit <= 0xffff; unit++) {
      const s = `a${String.fromCharCode(unit)}b`;
      expect(json({ s })).toBe(JSON.stringify({ s }));
    }
    for (const s of ['😀 paired', '\ud83d lone high', 'lone low \ude00', 'quote " and \\ backslash', 'tab\tnew\nline', 'é ü ß', '\u2028\u2029', '\u007f', '']) {
      expect(json({ s, t: [s] })).toBe(JSON.stringify({ s, t: [s] }));
    }
  });

  it('a frozen value with a getter or a mutable inside is not cached: a later change shows', () => {
    const json = createJsonRecordSerializer();
    const inner = { count: 1 };
    const outer = Object.freeze({ inner });
    let calls = 0;
    const withGetter = Object.freeze(Object.defineProperty({}, 'n', { enumerable: true, get: () => ++calls }));
    expect(json({ outer, withGetter })).toBe('{"outer":{"inner":{"count":1}},"withGetter":{"n":1}}');
    inner.count = 2;
    expect(json({ outer, withGetter })).toBe('{"outer":{"inner":{"count":2}},"withGetter":{"n":2}}');
  });

  it('a source that mutates and re-yields one object gets each version written', () => {
    const json = createJsonRecordSerializer();
    const row = { id: 0, tags: ['x'] };
    const out: string[] = [];
    for (let i = 0; i < 3; i++) {
      row.id = i;
      row.tags[0] = `t${i}`;
      out.push(json(row));
    }
    expect(out).toEqual(['{"id":0,"tags":["t0"]}', '{"id":1,"tags":["t1"]}', '{"id":2,"tags":["t2"]}']);
  });

  it('a bigint throws as JSON.stringify does', () => {
    const json = createJsonRecordSerializer();
    expect(() => json({ n: 1n })).toThrow(TypeError);
  });
});
