import { describe, expect, it } from 'vitest';
import { Rng, makePool } from '../../../src/sources/demo/timeline.js';

describe('demo pools', () => {
  it('build an entry only when it is used, the same whatever the order of use, frozen', () => {
    const built: number[] = [];
    const make = (rng: Rng, i: number) => {
      built.push(i);
      return { i, word: rng.chars('abcdef', 8) };
    };
    const forwards = makePool(42, 1024, make);
    expect(built).toEqual([]);
    const all = Array.from({ length: forwards.length }, (_, i) => forwards.at(i));
    expect(built).toHaveLength(1024);
    built.length = 0;
    const backwards = makePool(42, 1024, make);
    for (let i = 1023; i >= 0; i--) expect(backwards.at(i)).toEqual(all[i]);
    expect(backwards.at(7)).toBe(backwards.at(7));
    expect(Object.isFrozen(backwards.at(7))).toBe(true);
    expect(() => backwards.at(1024)).toThrow(RangeError);
  });

  it('pick draws from the Rng as picking from an array does', () => {
    const pool = makePool(7, 100, (_rng, i) => i);
    const array = Array.from({ length: pool.length }, (_, i) => pool.at(i));
    const a = new Rng(99);
    const b = new Rng(99);
    for (let n = 0; n < 1000; n++) expect(pool.pick(a)).toBe(b.pick(array));
  });
});
