import type { RecordFormat } from '../sources/index.js';
import { createJsonRecordSerializer } from './json-record.js';

/** How one record format opens, separates, writes and closes a file. */
export interface RecordSerializer {
  readonly header: string;
  readonly footer: string;
  /** The text of one record, `first` telling whether it opens the file's list. */
  record(value: unknown, first: boolean): string;
  /** Whether a long file may be cut into several (a single JSON object may not). */
  readonly splittable: boolean;
  /**
   * `record(v, false)` is always `separator + record(v, true)`: what joins two ranges of records that were
   * serialized apart, each as if it opened the list (see shard-worker.ts).
   */
  readonly separator: string;
}

export function serializerFor(format: RecordFormat): RecordSerializer {
  switch (format.type) {
    case 'json-array': {
      let header = '[';
      let footer = ']';
      if (format.wrapper) {
        const fields = JSON.stringify(format.wrapper.fields ?? {});
        const open = fields === '{}' ? '{' : `${fields.slice(0, -1)},`;
        header = `${open}${JSON.stringify(format.wrapper.key)}:[`;
        footer = ']}';
      }
      const json = createJsonRecordSerializer();
      return {
        header,
        footer,
        splittable: true,
        separator: ',',
        record: (value, first) => json(value, first ? '\n' : ',\n'),
      };
    }
    case 'ndjson': {
      const json = createJsonRecordSerializer();
      return { header: '', footer: '', splittable: true, separator: '', record: (value) => `${json(value)}\n` };
    }
    case 'csv': {
      const columns = format.columns;
      return {
        header: format.header === false ? '' : `${columns.map(csvField).join(',')}\r\n`,
        footer: '',
        splittable: true,
        separator: '',
        record(value) {
          const cells = Array.isArray(value) ? value : columns.map((c) => (value as Record<string, unknown>)[c]);
          return `${cells.map(csvField).join(',')}\r\n`;
        },
      };
    }
    case 'json-object':
      return {
        header: '',
        footer: '\n',
        splittable: false,
        separator: '',
        record: (value, first) => {
          if (!first) throw new Error('a json-object file holds exactly one record');
          return JSON.stringify(value, null, 2);
        },
      };
  }
}

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `My Activity/Search/MyActivity.json`, 2 -> `My Activity/Search/MyActivity-2.json`. */
export function continuationPath(path: string, n: number): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash ? `${path.slice(0, dot)}-${n}${path.slice(dot)}` : `${path}-${n}`;
}
