import { StringDecoder } from 'node:string_decoder';

/** Splits a byte stream into NDJSON values, one per non-empty line; `onBadLine` explains a line that is not JSON. */
export async function* ndjsonValues(body: AsyncIterable<Buffer>, onBadLine: (lineNumber: number, line: string) => Error): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNumber = 0;
  const parse = (line: string) => {
    lineNumber++;
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw onBadLine(lineNumber, line);
    }
  };
  for await (const chunk of body) {
    pending += decoder.write(chunk);
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield parse(line);
      else lineNumber++;
    }
  }
  const last = (pending + decoder.end()).trim();
  if (last) yield parse(last);
}
