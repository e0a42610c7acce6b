import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';

/** One call of a batch, written as Google's Python client writes it (LF line endings, its MIME headers). */
interface Call {
  id?: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function batchBody(boundary: string, calls: readonly Call[]): string {
  const parts = calls.map((c) => {
    const head = ['Content-Type: application/http', 'MIME-Version: 1.0', 'Content-Transfer-Encoding: binary'];
    if (c.id !== undefined) head.push(`Content-ID: <8a09ca85-8d1d-4f45-9eb0-da8e8b07ec83 + ${c.id}>`);
    const inner = [`${c.method} ${c.path} HTTP/1.1`, 'Content-Type: application/json', 'MIME-Version: 1.0', 'accept: application/json'];
    for (const [k, v] of Object.entries(c.headers ?? {})) inner.push(`${k}: ${v}`);
    inner.push('Host: example.org');
    if (c.body !== undefined) inner.push(`content-length: ${Buffer.byteLength(c.body)}`);
    return `--${boundary}\n${head.join('\n')}\n\n${inner.join('\n')}\n\n${c.body ?? ''}`;
  });
  return `${parts.join('\n')}\n--${boundary}--`;
}

interface PartResponse {
  contentId: string | undefined;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads a multipart/mixed batch response the way Google's Python client does (CRLF between head and body). */
function parseBatchResponse(contentType: string, body: string): PartResponse[] {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)![2]!;
  const sections = body.split(`--${boundary}`);
  expect(sections.at(-1)!.startsWith('--')).toBe(true);
  return sections.slice(1, -1).map((section) => {
    const text = section.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const [mimeHead, rest] = splitOnce(text, '\r\n\r\n');
    const [httpHead, content] = splitOnce(rest, '\r\n\r\n');
    const mime = headersOf(mimeHead.split('\r\n'));
    expect(mime['content-type']).toBe('application/http');
    const [statusLine, ...headerLines] = httpHead.split('\r\n');
    const headers = headersOf(headerLines);
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(content));
    return { contentId: mime['content-id'], status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)![1]), headers, body: content };
  });
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  expect(at).toBeGreaterThanOrEqual(0);
  return [text.slice(0, at), text.slice(at + separator.length)];
}

function headersOf(lines: string[]): Record<string, string> {
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
}

describe('/batch: Google’s multipart/mixed batch protocol', () => {
  let dp: TestDataport;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
    alice = (await dp.client({ user: 'alice', resources: ['myactivity.maps', 'chrome.history'] })).token;
    bob = (await dp.client({ user: 'bob', resources: ['play.purchases'] })).token;
  });
  afterAll(async () => dp.close());

  async function postBatch(
    body: string,
    headers: Record<string, string> = {},
    contentType = 'multipart/mixed; boundary="===============7330845974216740156=="',
  ) {
    const res = await fetch(`${dp.url}/batch`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }
  const BOUNDARY = '===============7330845974216740156==';

  it('answers each call in a part of its own, Content-ID <response-ID>, in order; calls without Authorization use the batch’s', async () => {
    const res = await postBatch(
      batchBody(BOUNDARY, [
        { id: '1', method: 'POST', path: '/v1/accessType:check?alt=json', body: '{}' },
        { id: '2', method: 'POST', path: '/v1/accessType:check?alt=json', headers: { authorization: `Bearer ${bob}` }, body: '{}' },
        { method: 'GET', path: `${dp.url}/v1/archiveJobs/0123456789abcdef0123456789abcdef/portabilityArchiveState?alt=json` },
      ]),
      { authorization: `Bearer ${alice}` },
    );
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^multipart\/mixed; boundary=batch_[A-Za-z0-9_-]+$/);
    const parts = parseBatchResponse(res.contentType, res.text);
    expect(parts.map((p) => [p.contentId, p.status])).toEqual([
      ['<response-8a09ca85-8d1d-4f45-9eb0-da8e8b07ec83 + 1>', 200],
      ['<response-8a09ca85-8d1d-4f45-9eb0-da8e8b07ec83 + 2>', 200],
      // Google's answer to a part without a Content-ID.
      ['response-', 404],
    ]);
    expect(JSON.parse(parts[0]!.body).oneTimeResources).toEqual(['chrome.history', 'myactivity.maps']);
    expect(JSON.parse(parts[1]!.body).oneTimeResources).toEqual(['play.purchases']);
    expect(parts[0]!.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(JSON.parse(parts[2]!.body).error.status).toBe('NOT_FOUND');
  });

  it('a call gets exactly the answer it gets alone: validation, authentication and their headers', async () => {
    const badBody = '{"resources": "myactivity.maps"}';
    const alone = await fetch(`${dp.url}/v1/portabilityArchive:initiate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: badBody,
    });
    // fetch would label a string body text/plain, which a method refuses; the part below sends none.
    const unauthenticated = await fetch(`${dp.url}/v1/accessType:check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const res = await postBatch(
      batchBody(BOUNDARY, [
        { id: 'a', method: 'POST', path: '/v1/portabilityArchive:initiate', headers: { authorization: `Bearer ${alice}` }, body: badBody },
        { id: 'b', method: 'POST', path: '/v1/accessType:check', body: '{}' },
      ]),
    );
    const [invalid, anonymous] = parseBatchResponse(res.contentType, res.text);
    expect(invalid!.status).toBe(alone.status);
    expect(JSON.parse(invalid!.body)).toEqual(await alone.json());
    expect(anonymous!.status).toBe(401);
    expect(JSON.parse(anonymous!.body)).toEqual(await unauthenticated.json());
    expect(anonymous!.headers['www-authenticate']).toBe(unauthenticated.headers.get('www-authenticate'));
  });

  it('a batch call starts a real job: initiate in a batch, then poll it alone', async () => {
    const res = await postBatch(
      batchBody(BOUNDARY, [{ id: 'x', method: 'POST', path: '/v1/portabilityArchive:initiate', body: '{"resources":["myactivity.maps"]}' }]),
      { authorization: `Bearer ${alice}` },
    );
    const [part] = parseBatchResponse(res.contentType, res.text);
    expect(part!.status).toBe(200);
    const { archiveJobId } = JSON.parse(part!.body);
    const state = await fetch(`${dp.url}/v1/archiveJobs/${archiveJobId}/portabilityArchiveState`, { headers: { authorization: `Bearer ${alice}` } });
    expect(state.status).toBe(200);
  });

  it('CRLF bodies, unquoted boundaries and a preamble are read too; the response is gzipped when asked', async () => {
    const body = `This is a preamble.\r\n${batchBody('b0undary', [{ id: '1', method: 'POST', path: '/v1/accessType:check', body: '{}' }]).replace(/\n/g, '\r\n')}\r\n`;
    const res = await fetch(`${dp.url}/batch`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/mixed; boundary=b0undary', authorization: `Bearer ${alice}`, 'accept-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(200);
    // fetch inflates a gzipped body itself: the parts within were never compressed on their own.
    const parts = parseBatchResponse(res.headers.get('content-type')!, await res.text());
    expect(parts[0]!.status).toBe(200);
    expect(parts[0]!.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(parts[0]!.body).oneTimeResources).toHaveLength(2);
  });

  it('only the API’s methods: a nested batch, a download or a page is not found; a malformed call gets a 400 of its own', async () => {
    const res = await postBatch(
      [
        `--${BOUNDARY}`,
        'Content-Type: application/http',
        'Content-ID: <n>',
        '',
        'POST /batch HTTP/1.1',
        '',
        '',
        `--${BOUNDARY}`,
        'Content-Type: application/http',
        'Content-ID: <d>',
        '',
        'GET /downloads/archives/x/1/a.zip HTTP/1.1',
        '',
        '',
        `--${BOUNDARY}`,
        'Content-Type: application/http',
        'Content-ID: <h>',
        '',
        'GET /healthz',
        '',
        '',
        `--${BOUNDARY}`,
        'Content-Type: application/http',
        'Content-ID: <m>',
        '',
        'this is not a request line',
        '',
        '',
        `--${BOUNDARY}--`,
      ].join('\n'),
      { authorization: `Bearer ${alice}` },
    );
    expect(res.status).toBe(200);
    const parts = parseBatchResponse(res.contentType, res.text);
    expect(parts.map((p) => [p.contentId, p.status, JSON.parse(p.body).error.status])).toEqual([
      ['<response-n>', 404, 'NOT_FOUND'],
      ['<response-d>', 404, 'NOT_FOUND'],
      ['<response-h>', 404, 'NOT_FOUND'],
      ['<response-m>', 400, 'INVALID_ARGUMENT'],
    ]);
  });

  it('1000 calls are answered; 1001 → 400 INVALID_ARGUMENT and none is run', async () => {
    // Calls the batch answers itself (a path outside the API), so the limit costs no 1000 dispatches here.
    const calls = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i), method: 'GET', path: '/healthz' }));
    const ok = await postBatch(batchBody(BOUNDARY, calls(1000)), { authorization: `Bearer ${alice}` });
    expect(ok.status).toBe(200);
    const parts = parseBatchResponse(ok.contentType, ok.text);
    expect(parts).toHaveLength(1000);
    expect(parts.every((p, i) => p.status === 404 && p.contentId === `<response-8a09ca85-8d1d-4f45-9eb0-da8e8b07ec83 + ${i}>`)).toBe(true);

    const tooMany = await postBatch(
      batchBody(BOUNDARY, [{ id: 'first', method: 'POST', path: '/v1/portabilityArchive:initiate', body: '{"resources":["chrome.history"]}' }, ...calls(1000)]),
      { authorization: `Bearer ${alice}` },
    );
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.text).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: 'A batch request may contain at most 1000 calls.' });
    // The initiate in it never ran: chrome.history is still unexported under the one-time grant.
    expect(
      await dp.dataport.db.selectFrom('jobs').select('id').where('user_id', '=', 'alice').where('resources', 'like', '%chrome.history%').execute(),
    ).toEqual([]);
  });

  it('a body that is not a multipart batch → 400 INVALID_ARGUMENT in Google’s error shape', async () => {
    const cases = [
      await postBatch('{}', {}, 'application/json'),
      await postBatch('--x\n\n--x--', {}, 'multipart/mixed'),
      await postBatch('no delimiter here', {}),
      await postBatch(`--${BOUNDARY}\nContent-Type: text/plain\n\nhello\n--${BOUNDARY}--`, {}),
      await postBatch(`--${BOUNDARY}\nContent-Type: application/http\n\nGET /v1/x HTTP/1.1\n\n`, {}),
      await postBatch(`--${BOUNDARY}--`, {}),
    ];
    for (const res of cases) {
      expect(res.status, res.text).toBe(400);
      expect(JSON.parse(res.text).error.status).toBe('INVALID_ARGUMENT');
    }
    expect(JSON.parse(cases[0]!.text).error.message).toBe('Batch requests must be of type multipart/mixed, not application/json.');
  });

  it('a gzipped batch answer inflates to the same parts', async () => {
    const res = await fetch(`${dp.url}/batch`, {
      method: 'POST',
      headers: { 'content-type': `multipart/mixed; boundary=${BOUNDARY}`, authorization: `Bearer ${alice}`, 'accept-encoding': 'gzip' },
      body: batchBody(
        BOUNDARY,
        Array.from({ length: 20 }, (_, i) => ({ id: String(i), method: 'POST', path: '/v1/accessType:check', body: '{}' })),
      ),
    });
    // fetch inflates it; the header says how it travelled.
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const parts = parseBatchResponse(res.headers.get('content-type')!, await res.text());
    expect(parts).toHaveLength(20);
  });
});
