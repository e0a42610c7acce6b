import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../helpers/archive.js';
import { startDataport, waitForState } from '../helpers/dataport.js';
import { startOtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';

/** A pino logger whose JSON lines the test reads, at info like a production server. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const GROUPS = ['chrome.history', 'myactivity.search'];
const REQUEST_ID = 'trace-test-4f1c2b';

describe('one export, traced: request id on every log line, spans exported over OTLP/HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  const logs = capturedLogger();
  let jobId = '';
  let archiveBytes = 0;
  let initiateRequestId: string | null = null;
  let downloadRequestId: string | null = null;
  const byName = (name: string) => receiver.spans.filter((s) => s.name === name);
  const one = (name: string): ReceivedSpan => {
    const found = byName(name);
    expect(found, `one span named ${name} in ${receiver.spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const dp = await startDataport(
      {
        DATAPORT_DEMO_RECORDS: '30',
        DATAPORT_LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'dataport-under-test',
      },
      {},
      { logger: logs.logger },
    );
    try {
      const { api } = await dp.client({ user: 'tracy', resources: GROUPS });
      const initiated = await api.portabilityArchive.initiate({ requestBody: { resources: GROUPS } }, { headers: { 'X-Request-Id': REQUEST_ID } });
      initiateRequestId = (initiated.headers as unknown as Headers).get('x-request-id');
      jobId = initiated.data.archiveJobId!;
      const done = await waitForState(api, jobId);
      expect(done.state).toBe('COMPLETE');
      // No X-Request-Id: the server makes one (and says which).
      const got = await download(done.urls![0]!);
      expect(got.status).toBe(200);
      archiveBytes = got.body.length;
      downloadRequestId = got.headers.get('x-request-id');
    } finally {
      // Closing sends the spans still buffered.
      await dp.close();
    }
  });
  afterAll(async () => receiver?.close());

  it("answers with the caller's X-Request-Id, or one of its own", () => {
    expect(initiateRequestId).toBe(REQUEST_ID);
    expect(downloadRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("puts the initiating request id on the worker's log lines for the job, and both ids on the download's", () => {
    const published = logs.lines.find((l) => l.msg === 'archive published');
    expect(published).toMatchObject({ request_id: REQUEST_ID, jobId });
    const sent = logs.lines.find((l) => l.msg === 'archive part sent');
    expect(sent).toMatchObject({ request_id: downloadRequestId, jobId, job_request_id: REQUEST_ID, bytes: archiveBytes });
    // Every line that names the job says which request made it (the download's line: as job_request_id).
    for (const line of logs.lines.filter((l) => l.jobId === jobId)) expect([line.request_id, line.job_request_id]).toContain(REQUEST_ID);
  });

  it('exports the initiate → queue → worker path as one trace, and the download linked to it', () => {
    const http = one('POST /v1/portabilityArchive:initiate');
    const initiate = one('jobs.initiate');
    const dispatch = one('queue.dispatch');
    const run = one('export.run');
    const groups = byName('export.group');
    const publish = one('archive.publish');
    const downloaded = one('GET /downloads/*');
    expect(new Set(receiver.spans.map((s) => s.service))).toEqual(new Set(['dataport-under-test']));

    // Parent and child, all in the initiate's trace; the worker's run joins it through the job row's traceparent.
    expect(http.parentSpanId).toBeUndefined();
    expect(initiate.parentSpanId).toBe(http.spanId);
    expect(dispatch.parentSpanId).toBe(initiate.spanId);
    expect(run.parentSpanId).toBe(initiate.spanId);
    for (const g of groups) expect(g.parentSpanId).toBe(run.spanId);
    expect(publish.parentSpanId).toBe(run.spanId);
    for (const s of [initiate, dispatch, run, ...groups, publish]) expect(s.traceId).toBe(http.traceId);
    // The download is its own request (its own trace), linked to the one that made the job.
    expect(downloaded.traceId).not.toBe(http.traceId);
    expect(downloaded.links).toEqual([{ traceId: http.traceId, spanId: initiate.spanId }]);

    expect(http.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/portabilityArchive:initiate',
      'http.response.status_code': 200,
      'dataport.request_id': REQUEST_ID,
    });
    expect(initiate.attributes).toMatchObject({ 'dataport.job.id': jobId, 'dataport.resource_groups': GROUPS, 'dataport.access_type': 'ACCESS_TYPE_ONE_TIME' });
    expect(dispatch.attributes).toMatchObject({ 'dataport.job.id': jobId, 'messaging.operation.type': 'send' });
    expect(run.attributes).toMatchObject({
      'dataport.job.id': jobId,
      'dataport.request_id': REQUEST_ID,
      'dataport.resource_groups': GROUPS,
      'dataport.attempt': 1,
      'dataport.archive.parts': 1,
      'dataport.archive.bytes': archiveBytes,
      'dataport.outcome': 'published',
    });
    expect(groups.map((g) => g.attributes['dataport.resource_group'])).toEqual(GROUPS);
    for (const g of groups) expect(g.attributes['dataport.group.records']).toBeGreaterThan(0);
    expect(publish.attributes).toMatchObject({ 'dataport.job.id': jobId, 'dataport.archive.bytes': archiveBytes, 'dataport.published': true });
    expect(downloaded.attributes).toMatchObject({
      'dataport.job.id': jobId,
      'dataport.request_id': downloadRequestId,
      'dataport.download.bytes': archiveBytes,
      'http.response.status_code': 200,
    });
    // The captured spans, for the record (docs/operations.md shows one such trace).
    console.log(receiver.spans.map((s) => `${s.traceId.slice(0, 8)} ${s.spanId} <- ${s.parentSpanId ?? 'root'.padEnd(16)} ${s.name}`).join('\n'));
  });
});

describe('with no OTLP endpoint', () => {
  it("exports nothing, and request ids still reach the worker's log lines", async () => {
    const receiver = await startOtlpReceiver();
    const logs = capturedLogger();
    // The receiver listens, but nothing tells Dataport about it.
    const dp = await startDataport({ DATAPORT_DEMO_RECORDS: '10', DATAPORT_LOG_LEVEL: 'info' }, {}, { logger: logs.logger });
    try {
      const { api } = await dp.client({ user: 'quiet', resources: ['chrome.history'] });
      const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } }, { headers: { 'X-Request-Id': 'quiet-1' } });
      expect((await waitForState(api, data.archiveJobId!)).state).toBe('COMPLETE');
      expect(logs.lines.find((l) => l.msg === 'archive published')).toMatchObject({ request_id: 'quiet-1', jobId: data.archiveJobId });
    } finally {
      await dp.close();
      await receiver.close();
    }
    expect(receiver.exports).toEqual([]);
    expect(logs.lines.some((l) => String(l.msg).includes('OpenTelemetry'))).toBe(false);
  });

  it('replaces an X-Request-Id that is too long or holds unsafe characters', async () => {
    const dp = await startDataport();
    try {
      for (const bad of ['x'.repeat(129), 'two words', 'line\tbreak', 'quote"d']) {
        const res = await fetch(`${dp.url}/healthz`, { headers: { 'X-Request-Id': bad } });
        expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      }
      const fine = await fetch(`${dp.url}/healthz`, { headers: { 'X-Request-Id': 'Root=1-67891233-abcdef012345678912345678' } });
      expect(fine.headers.get('x-request-id')).toBe('Root=1-67891233-abcdef012345678912345678');
    } finally {
      await dp.close();
    }
  });
});
