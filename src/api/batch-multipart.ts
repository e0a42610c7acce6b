import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/**
 * The wire format of Google's batch protocol (https://developers.google.com/discovery/v1/batch): a
 * multipart/mixed body (RFC 2046) whose parts are `Content-Type: application/http` holding one HTTP request
 * each, answered by a multipart/mixed body whose parts hold one HTTP response each, `Content-ID:
 * <response-ID>` for a request part's `<ID>`. Google's Python client writes LF line endings (its MIME
 * generator) and reads the response with CRLF (it splits headers from body on CRLF CRLF), so we read both
 * and write CRLF.
 */

export class BatchFormatError extends Error {
  override readonly name = 'BatchFormatError';
}

export interface BatchPart {
  /** Header names lowercased. */
  headers: Record<string, string>;
  /** The part's content, as bytes (latin1 keeps a byte per character). */
  body: string;
}

export interface EmbeddedRequest {
  method: string;
  /** The request target as written: a path (`/v1/...?alt=json`) or an absolute URL. */
  target: string;
  /** Header names lowercased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface EmbeddedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

/** The `boundary` parameter of a multipart Content-Type, or undefined when there is none. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * Splits a multipart body into its parts. Stops with an error at the `maxParts + 1`-th part, so a body of a
 * million empty parts costs no more than the limit.
 */
export function parseMultipart(body: Buffer, boundary: string, maxParts: number): BatchPart[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  // The first delimiter may open the body; every later one starts a line.
  let at = text.startsWith(delimiter) ? 0 : lineStartIndex(text, delimiter, 0);
  if (at < 0) throw new BatchFormatError(`The batch body has no part delimited by the boundary "${boundary}".`);
  const parts: BatchPart[] = [];
  for (;;) {
    let cursor = at + delimiter.length;
    if (text.startsWith('--', cursor)) return parts;
    // Transport padding (RFC 2046 §5.1.1), then the line break that ends the delimiter line.
    while (text[cursor] === ' ' || text[cursor] === '\t') cursor++;
    if (text.startsWith('\r\n', cursor)) cursor += 2;
    else if (text[cursor] === '\n') cursor += 1;
    else throw new BatchFormatError('Malformed multipart body: a boundary line has trailing characters.');
    const next = lineStartIndex(text, delimiter, cursor);
    if (next < 0) throw new BatchFormatError('Malformed multipart body: the closing boundary is missing.');
    // The line break before a delimiter belongs to the delimiter.
    const end = text[next - 2] === '\r' ? next - 2 : next - 1;
    if (parts.length === maxParts) throw new TooManyPartsError(maxParts);
    parts.push(splitHeaders(text.slice(cursor, Math.max(cursor, end))));
    at = next;
  }
}

class TooManyPartsError extends BatchFormatError {
  constructor(readonly maxParts: number) {
    super(`A batch request may contain at most ${maxParts} calls.`);
  }
}

/** Reads the HTTP request held by an `application/http` part. */
export function parseEmbeddedRequest(content: string): EmbeddedRequest {
  const { headers, body, firstLine } = splitHeaders(content, true);
  // `GET /path HTTP/1.1`; some hand-written clients leave the version out.
  const m = /^([A-Za-z]+) (\S+)(?: HTTP\/\d(?:\.\d)?)?$/.exec(firstLine ?? '');
  if (!m) throw new BatchFormatError(`Malformed request line in a batch part: ${JSON.stringify((firstLine ?? '').slice(0, 200))}`);
  let bytes = Buffer.from(body, 'latin1');
  const declared = headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) <= bytes.length) {
    bytes = bytes.subarray(0, Number(declared));
  }
  return { method: m[1]!.toUpperCase(), target: m[2]!, headers, body: bytes };
}

/** Headers a batched response does not carry over: they describe the outer connection, not the call. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

/** Writes the batch response body; `contentIds[i]` is the request part's Content-ID, if it had one. */
export function serializeBatchResponse(responses: readonly { contentId: string | undefined; response: EmbeddedResponse }[]): {
  boundary: string;
  body: Buffer;
} {
  // Google's boundaries look like `batch_pK7JBAk73-E=_AA5eFwv4m2Q=`; base64url keeps ours free of `=` so no
  // reader needs the parameter quoted.
  const boundary = `batch_${randomBytes(18).toString('base64url')}`;
  const chunks: Buffer[] = [];
  for (const { contentId, response } of responses) {
    const lines = [
      `--${boundary}`,
      'Content-Type: application/http',
      `Content-ID: ${responseContentId(contentId)}`,
      '',
      `HTTP/1.1 ${response.statusCode} ${STATUS_CODES[response.statusCode] ?? ''}`.trimEnd(),
    ];
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || CONNECTION_HEADERS.has(name.toLowerCase())) continue;
      for (const v of Array.isArray(value) ? value : [value]) lines.push(`${headerCase(name)}: ${v}`);
    }
    lines.push(`Content-Length: ${response.body.length}`, '', '');
    chunks.push(Buffer.from(lines.join('\r\n'), 'latin1'), response.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { boundary, body: Buffer.concat(chunks) };
}

/** `<item1>` → `<response-item1>`; a part without a Content-ID gets Google's bare `response-`. */
function responseContentId(contentId: string | undefined): string {
  if (contentId === undefined) return 'response-';
  const m = /^<(.*)>$/.exec(contentId.trim());
  return m ? `<response-${m[1]}>` : `response-${contentId.trim()}`;
}

function headerCase(name: string): string {
  return name.toLowerCase() === 'www-authenticate' ? 'WWW-Authenticate' : name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** Index of `delimiter` at the start of a line at or after `from` (itself a line start), or -1. */
function lineStartIndex(text: string, delimiter: string, from: number): number {
  const found = text.indexOf(`\n${delimiter}`, Math.max(0, from - 1));
  return found < 0 ? -1 : found + 1;
}

/** Splits MIME/HTTP headers (folded lines joined) from the content after the first empty line. */
function splitHeaders(content: string, withFirstLine = false): BatchPart & { firstLine?: string } {
  const blank = /\r?\n\r?\n/.exec(content);
  // A part that opens with an empty line has no headers.
  const startsBlank = /^\r?\n/.exec(content);
  const head = startsBlank ? '' : blank ? content.slice(0, blank.index) : content;
  const body = startsBlank ? content.slice(startsBlank[0].length) : blank ? content.slice(blank.index + blank[0].length) : '';
  const lines = head === '' ? [] : head.split(/\r?\n/);
  const firstLine = withFirstLine ? lines.shift() : undefined;
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BatchFormatError(`Malformed header line in a batch part: ${JSON.stringify(line.slice(0, 200))}`);
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return withFirstLine ? { headers, body, firstLine } : { headers, body };
}
