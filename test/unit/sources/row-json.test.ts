import { describe, expect, it } from 'vitest';
import { jsonTextBatchesOf, jsonTextRecords } from '../../../src/sources/record-batches.js';
import { jsonValueText, rowJsonWriter } from '../../../src/sources/sql/row-json.js';

/** The object a driver builds from a row: each column set in turn, as better-sqlite3 and the drivers do. */
function rowObject(names: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  names.forEach((name, i) => (row[name] = values[i]));
  return row;
}

describe('rowJsonWriter and jsonValueText', () => {
  it("writes JSON.stringify of the row's object, for every kind of converted value", () => {
    const names = ['id', 'quo"te\\', 'é 中', 'toJSON', 'constructor', '', ' 1', '1a', 'n', 'doc'];
    const values: unknown[] = [
      'plain',
      'esc "q" \\ \n\t\u0000\u001f\u007f \u2028\u2029 😀 \ud800 lone \udc00',
      0.1 + 0.2,
      -0,
      Infinity,
      NaN,
      1e21,
      5e-324,
      true,
      null,
    ];
    const docs: unknown[] = [{ b: 1, 1: 2, nested: [1.5, 'x', null, { toJSON: 'not a function' }] }, [], 'text', 12, false, null, Buffer.from([1, 2])];
    const toJson = rowJsonWriter(names)!;
    for (let shift = 0; shift < values.length; shift++) {
      for (const doc of docs) {
        const row = [...values.slice(shift), ...values.slice(0, shift)].slice(0, names.length - 1).concat([doc]);
        expect(toJson(row.map(jsonValueText))).toBe(JSON.stringify(rowObject(names, row)));
      }
    }
  });

  it('writes every UTF-16 unit in a string as JSON.stringify does', () => {
    const toJson = rowJsonWriter(['s'])!;
    for (let unit = 0; unit <= 0xffff; unit++) {
      const s = `a${String.fromCharCode(unit)}b`;
      expect(toJson([jsonValueText(s)])).toBe(JSON.stringify({ s }));
    }
  });

  it('fails on a bigint as JSON.stringify of the row did', () => {
    expect(() => jsonValueText(1n)).toThrow(TypeError);
  });

  it('has no writer for names an object would not key in column order: repeated, numeric, __proto__, none', () => {
    for (const names of [['a', 'a'], ['a', '1'], ['0'], ['__proto__'], ['007'], []]) expect(rowJsonWriter(names), names.join()).toBeUndefined();
  });
});

describe('jsonTextRecords', () => {
  async function* batches() {
    yield ['{"a":1}', '{"b":"x"}'];
    yield ['{"c":[1,{"d":null}]}'];
  }

  it('hands a JSON writer the text, and anyone else the records it stands for', async () => {
    const texts = jsonTextBatchesOf(jsonTextRecords(batches()));
    const seen: string[] = [];
    for await (const batch of texts!) seen.push(...batch);
    expect(seen).toEqual(['{"a":1}', '{"b":"x"}', '{"c":[1,{"d":null}]}']);

    const records: unknown[] = [];
    for await (const record of jsonTextRecords(batches())) records.push(record);
    expect(records).toEqual([{ a: 1 }, { b: 'x' }, { c: [1, { d: null }] }]);
    expect(jsonTextBatchesOf([{ a: 1 }])).toBeUndefined();
  });
});
