import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { auth as googleAuth } from 'googleapis/build/src/apis/dataportability/index.js';
import { download, readZip } from '../helpers/archive.js';
import { startDataport, waitForState, googleClient, type TestDataport } from '../helpers/dataport.js';
import { runCli } from '../helpers/process.js';

// `google.discoverAPI` is only on the package root, whose types cover all ~300 of Google's APIs (~1.5 GB and
// ~50 s for every type-aware tool): load it untyped.
const { google } = createRequire(import.meta.url)('googleapis') as { google: { discoverAPI(url: string, options?: object): Promise<unknown> } };

describe('discovery document and the token command', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '10000', DATAPORT_PART_SIZE: '64KiB' });
  });
  afterAll(async () => dp.close());

  it('google.discoverAPI() loads the live discovery document and its client runs a whole export', async () => {
    const { token } = await dp.client({ user: 'disco', resources: ['myactivity.maps', 'chrome.history'] });
    const api = (await google.discoverAPI(`${dp.url}/$discovery/rest?version=v1`, { auth: bearer(token) })) as any;
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.maps', 'chrome.history'] } });
    expect(data.accessType).toBe('ACCESS_TYPE_ONE_TIME');
    let state;
    for (let i = 0; i < 300; i++) {
      state = (await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${data.archiveJobId}/portabilityArchiveState` })).data;
      if (state.state !== 'IN_PROGRESS') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state.state).toBe('COMPLETE');
    expect((await api.accessType.check({})).data.oneTimeResources).toEqual(['chrome.history', 'myactivity.maps']);
  });

  it('a large export rolls over into several parts, one URL each; counts across parts add up', async () => {
    const { api } = await dp.client({ user: 'parts', resources: ['myactivity.search'] });
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    const state = await waitForState(api, data.archiveJobId!);
    expect(state.urls!.length).toBeGreaterThan(1);
    let records = 0;
    let index: any;
    for (const [n, url] of state.urls!.entries()) {
      const res = await download(url);
      expect(res.headers.get('content-disposition')).toContain(`-${String(n + 1).padStart(3, '0')}.zip`);
      for (const entry of await readZip(res.body)) {
        if (entry.name.endsWith('archive_browser.json')) index = JSON.parse(entry.content.toString());
        else records += (JSON.parse(entry.content.toString()) as unknown[]).length;
      }
    }
    expect(records).toBe(10_000);
    expect(index.parts).toBe(state.urls!.length);
    expect(index.totals.records).toBe(10_000);
  });

  it('`dataport token` prints the token alone on the last line of stdout; the running server accepts it', async () => {
    const out = await runCli(['token', '--user', 'cli-user', '--resources', 'play.library,maps.reviews', '--access', '180d', '--client', 'my-app'], dp.env);
    expect(out.code).toBe(0);
    expect(out.lastLine).toMatch(/^dpa_[A-Za-z0-9_-]{43}$/);
    const api = googleClient(dp.url, out.lastLine);
    expect((await api.accessType.check({})).data).toEqual({ timeBasedResources: ['maps.reviews', 'play.library'] });
  });

  it('`dataport token` refuses unknown groups and access modes with a clear message and exit code 2', async () => {
    const unknown = await runCli(['token', '--user', 'u', '--resources', 'maps.nope'], { DATAPORT_DATA_DIR: dp.dataDir });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('maps.nope');
    const mode = await runCli(['token', '--user', 'u', '--resources', 'maps.reviews', '--access', 'forever'], { DATAPORT_DATA_DIR: dp.dataDir });
    expect(mode.code).not.toBe(0);
    expect(mode.stderr).toContain('forever');
  });

  it('a bad configuration value stops start-up naming the variable', async () => {
    const out = await runCli(['start'], { DATAPORT_DATA_DIR: dp.dataDir, DATAPORT_WORKER_CONCURRENCY: 'many', PORT: '0' });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('DATAPORT_WORKER_CONCURRENCY');
    const faults = await runCli(['start'], { DATAPORT_DATA_DIR: dp.dataDir, DATAPORT_DEMO_FAULTS: 'maps.nope=fail:1', PORT: '0' });
    expect(faults.code).toBe(2);
    expect(faults.stderr).toContain('DATAPORT_DEMO_FAULTS: "maps.nope=fail:1": unknown resource group "maps.nope"');
  });
});

function bearer(token: string) {
  const auth = new googleAuth.OAuth2();
  auth.setCredentials({ access_token: token });
  return auth;
}
