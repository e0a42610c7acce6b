import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { download } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { runCli, startServerProcess, startWorkerProcess } from '../helpers/process.js';
import { createTestBucket, createTestDatabase, scaledStackUnavailable } from '../helpers/scaled-stack.js';

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/**
 * `dataport serve` and `dataport worker` as two processes on PostgreSQL + S3: the request id and the trace
 * cross from the API process to the worker process through the job row (pg-boss carries only the job id).
 */
describe.skipIf(scaledStackUnavailable !== undefined)(
  `request id and trace across serve and worker processes${scaledStackUnavailable ? ` (skipped: ${scaledStackUnavailable})` : ''}`,
  () => {
    const children: ChildProcess[] = [];
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-tracing-scale-'));
    let cleanup: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const step of cleanup) await step();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("the worker process logs the initiating request id, and its export.run span is a child of the API process's initiate", async () => {
      const receiver = await startOtlpReceiver();
      const database = await createTestDatabase();
      const bucket = await createTestBucket();
      cleanup = [() => receiver.close(), () => bucket.drop(), () => database.drop()];
      const env = {
        DATAPORT_DATABASE_URL: database.url,
        ...bucket.env,
        DATAPORT_DATA_DIR: dataDir,
        DATAPORT_DEMO_RECORDS: '10',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      };
      const server = await startServerProcess({ ...env, OTEL_SERVICE_NAME: 'dataport-api' }, 'serve');
      children.push(server.child);
      const worker = await startWorkerProcess({ ...env, OTEL_SERVICE_NAME: 'dataport-worker' });
      children.push(worker.child);

      const token = (await runCli(['token', '--user', 'split', '--resources', 'chrome.history'], env)).lastLine;
      const api = googleClient(server.url, token);
      const { data } = await api.portabilityArchive.initiate(
        { requestBody: { resources: ['chrome.history'] } },
        { headers: { 'X-Request-Id': 'split-processes-1' } },
      );
      const jobId = data.archiveJobId!;
      const done = await waitForState(api, jobId);
      expect(done.state).toBe('COMPLETE');
      expect((await download(done.urls![0]!)).status).toBe(200);
      await Promise.all([stop(server.child), stop(worker.child)]);

      const workerLines = worker
        .logs()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(workerLines.find((l) => l.msg === 'archive published')).toMatchObject({ request_id: 'split-processes-1', jobId });

      const initiate = receiver.spans.find((s) => s.name === 'jobs.initiate' && s.attributes['dataport.job.id'] === jobId);
      const run = receiver.spans.find((s) => s.name === 'export.run' && s.attributes['dataport.job.id'] === jobId);
      expect(initiate?.service).toBe('dataport-api');
      expect(run?.service).toBe('dataport-worker');
      expect(run).toMatchObject({ traceId: initiate!.traceId, parentSpanId: initiate!.spanId });
      expect(receiver.spans.find((s) => s.name === 'queue.dispatch')?.attributes['messaging.system']).toBe('pg-boss');
    });
  },
);
