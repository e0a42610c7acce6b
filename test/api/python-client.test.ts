import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';

// Debian's python3-googleapi (.ci/run installs it); the system interpreter, not a pyenv one that lacks it.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../python/export_with_python_client.py', import.meta.url));
const hasClient = spawnSync(PYTHON, ['-c', 'import googleapiclient, google_auth_httplib2'], { stdio: 'ignore' }).status === 0;
if (!hasClient) console.warn(`[vitest] Python client test skipped: ${PYTHON} cannot import googleapiclient (apt-get install python3-googleapi)`);

function runPython(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

describe.skipIf(!hasClient)("Google's Python client (googleapiclient), built from Dataport's discovery document", () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '10' });
  });
  afterAll(async () => dp.close());

  it('exports, downloads and opens the ZIP; reports errors as HttpError; a batch answers each call', async () => {
    const { token } = await dp.client({ user: 'alice', resources: ['myactivity.maps', 'chrome.bookmarks', 'play.purchases'] });
    const { token: other } = await dp.client({ user: 'bob', resources: ['myactivity.maps'] });
    const run = await runPython([dp.url, token, other]);
    expect(run.stderr.replace(/.*oidc-provider WARNING.*\n/g, ''), run.stderr).not.toMatch(/Traceback/);
    expect(run.code, run.stderr).toBe(0);
    const seen = JSON.parse(run.stdout);

    expect(seen.zipEntries).toContain('Portability/archive_browser.json');
    expect(seen.zipEntries.some((e: string) => e.startsWith('Portability/My Activity/'))).toBe(true);

    expect(seen.retryComplete).toMatchObject({ httpStatus: 400, status: 'FAILED_PRECONDITION' });
    expect(seen.retryComplete.message).toContain('COMPLETE');
    // HttpError's reason is the message of Google's error body.
    expect(seen.retryComplete.reason).toBe(seen.retryComplete.message);
    expect(seen.initiateAgain).toMatchObject({ httpStatus: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(seen.initiateAgain.reasons).toContain('RESOURCE_EXHAUSTED_ONE_TIME');
    expect(seen.otherUsersJob).toEqual({ httpStatus: 404, status: 'NOT_FOUND' });
    expect(seen.badToken).toEqual({ httpStatus: 401, status: 'UNAUTHENTICATED' });

    const { batch } = seen;
    expect(Object.keys(batch).sort()).toEqual(['check', 'initiate', 'missing', 'retry', 'state']);
    expect(batch.check.response.oneTimeResources).toEqual(['chrome.bookmarks', 'myactivity.maps', 'play.purchases']);
    expect(batch.state.response.state).toBe('COMPLETE');
    expect(batch.state.response.urls).toHaveLength(1);
    expect(batch.initiate.response.archiveJobId).toMatch(/^[0-9a-f]{32}$/);
    expect(batch.retry).toMatchObject({ httpStatus: 400, error: { status: 'FAILED_PRECONDITION' } });
    expect(batch.missing).toMatchObject({ httpStatus: 404, error: { status: 'NOT_FOUND' } });
    expect(seen.batchJobState).toBe('COMPLETE');
  });
});
