import { describe, expect, it } from 'vitest';
import { isCanonicalJson } from '../../../src/sources/sql/canonical-json.js';

/** What isCanonicalJson promises: the text is JSON, and JSON.stringify of its value writes it back unchanged. */
function roundTrips(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** A small deterministic generator (the same texts on every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const PIECES = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  'a',
  'é',
  '😀',
  '\ud800',
  '\u2028',
  '\u0001',
  ' ',
  '0',
  '1',
  '-',
  '.',
  'e',
  'E',
  '+',
  'true',
  'null',
  'false',
  '"k"',
  '"1"',
  '"__proto__"',
  '\\n',
  '\\u00',
  '\\u0041',
  '\\/',
  '1e21',
  '5e-324',
  '0.1',
  '\t',
];

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 3 || r < 0.4) {
    const leaves = [0, -0, 1.5, -1e-7, 1e21, 2 ** 53 + 2, 0.1 + 0.2, 'text', 'q"\\\n\t\u0000\u001f\u007f\u2028😀', '', true, false, null, '1', 'é'];
    return leaves[Math.floor(next() * leaves.length)];
  }
  if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 4); i > 0; i--) object[['a', 'b', 'sku', 'qty', 'é k', 'q"k', 'x1'][Math.floor(next() * 7)]!] = randomValue(next, depth + 1);
  return object;
}

describe('isCanonicalJson', () => {
  it('accepts what JSON.stringify writes, as json_object() writes it, in the common forms', () => {
    for (const text of [
      '{"sku":"SKU-1","qty":2}',
      '[]',
      '{}',
      '"text"',
      'null',
      'true',
      '1.5',
      '-1e-7',
      '1e+21',
      '"\\u001f\\n\\"\\\\"',
      '"😀 \u2028 é"',
      '{"a":[1,{"b":null}],"c":"d"}',
      '{"x1":0}',
      '[[[]]]',
    ]) {
      expect(isCanonicalJson(text), text).toBe(true);
      expect(roundTrips(text), text).toBe(true);
    }
  });

  it('refuses what JSON.parse and JSON.stringify would change, or what is not JSON', () => {
    for (const text of [
      ' {}',
      '{} ',
      '{"a": 1}',
      '{"a":1,"a":2}',
      '{"b":1,"1":2}',
      '{"0":0}',
      '{"__proto__":1}',
      '1.0',
      '-0',
      '1E2',
      '1e2',
      '01',
      '+1',
      '.5',
      '1e999',
      'NaN',
      '"\\/"',
      '"\\u0041"',
      '"\\u000a"',
      '"\\u001F"',
      '"\\ud83d\\ude00"',
      '"\ud800"',
      '"\udc00x"',
      '"a\tb"',
      '"unterminated',
      '',
      'nul',
      '[1,]',
      '{"a":1,}',
      '{"a"}',
      '[1 ,2]',
      `${'['.repeat(40)}${']'.repeat(40)}`,
      `{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
    ]) {
      expect(isCanonicalJson(text), text).toBe(false);
    }
  });

  it('never accepts a text that does not come back unchanged: JSON.stringify of random values, and random texts', () => {
    const next = random(18);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = JSON.stringify(randomValue(next, 0));
      const canonical = isCanonicalJson(text);
      if (canonical) accepted++;
      expect(!canonical || roundTrips(text), text).toBe(true);
      // The same text with a piece put in somewhere: mostly not JSON, sometimes JSON in another form.
      const at = Math.floor(next() * (text.length + 1));
      const mutated = text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + text.slice(at + Math.floor(next() * 2));
      expect(!isCanonicalJson(mutated) || roundTrips(mutated), mutated).toBe(true);
    }
    expect(accepted).toBeGreaterThan(10_000); // the fast path is the common one
  });
});
