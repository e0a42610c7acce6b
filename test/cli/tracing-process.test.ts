import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { download } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { runCli, startServerProcess } from '../helpers/process.js';

const REPORT_IMPORTS = fileURLToPath(new URL('../helpers/report-opentelemetry-imports.mjs', import.meta.url));
const OTEL_UNSET = { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_SDK_DISABLED: '', OTEL_TRACES_EXPORTER: '' };

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

const loadedModules = (logs: string) => [...logs.matchAll(/^opentelemetry module loaded: (\S+)$/gm)].map((m) => m[1]);

/** `dataport start` as operators run it: what it loads with and without an OTLP endpoint, and what its worker logs. */
describe('a dataport process', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dataport-tracing-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT loads no OpenTelemetry SDK or exporter (only the no-op API)', async () => {
    const env = { ...OTEL_UNSET, DATAPORT_DATA_DIR: dataDir(), NODE_OPTIONS: `--import=${REPORT_IMPORTS}` };
    const server = await startServerProcess(env);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await stop(server.child)).toBe(0);
    expect(loadedModules(server.logs())).toEqual(['@opentelemetry/api']);
  });

  it('with it, exports spans over OTLP/HTTP protobuf (the default protocol), and its worker logs the request id', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const env = {
        ...OTEL_UNSET,
        DATAPORT_DATA_DIR: dataDir(),
        DATAPORT_DEMO_RECORDS: '10',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        NODE_OPTIONS: `--import=${REPORT_IMPORTS}`,
      };
      const server = await startServerProcess(env);
      const token = (await runCli(['token', '--user', 'proc', '--resources', 'chrome.history'], { DATAPORT_DATA_DIR: env.DATAPORT_DATA_DIR })).lastLine;
      const api = googleClient(server.url, token);
      const { data } = await api.portabilityArchive.initiate(
        { requestBody: { resources: ['chrome.history'] } },
        { headers: { 'X-Request-Id': 'from-the-client-7' } },
      );
      const done = await waitForState(api, data.archiveJobId!);
      expect(done.state).toBe('COMPLETE');
      expect((await download(done.urls![0]!)).status).toBe(200);
      // SIGTERM drains and sends the spans still buffered before the process exits.
      expect(await stop(server.child)).toBe(0);

      const lines = server
        .logs()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.msg === 'archive published')).toMatchObject({ request_id: 'from-the-client-7', jobId: data.archiveJobId });
      expect(lines.find((l) => l.msg === 'archive part sent')).toMatchObject({ jobId: data.archiveJobId, job_request_id: 'from-the-client-7' });
      expect(loadedModules(server.logs())).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace', '@opentelemetry/exporter-trace-otlp-proto']));
      expect(loadedModules(server.logs())).not.toContain('@opentelemetry/exporter-trace-otlp-http');
      const traces = receiver.exports.filter((e) => e.path === '/v1/traces');
      expect(traces.length).toBeGreaterThan(0);
      for (const e of traces) {
        expect(e.contentType).toBe('application/x-protobuf');
        expect(e.bytes).toBeGreaterThan(0);
      }
    } finally {
      await receiver.close();
    }
  });
});
