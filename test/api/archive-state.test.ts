import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, readZip } from '../helpers/archive.js';
import { googleErrorOf, startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

interface IndexFile {
  path: string;
  part: number;
  format: string;
  sizeBytes: number;
  records?: number;
  listKey?: string;
}

describe('archiveJobs.getPortabilityArchiveState and downloads', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '150' });
  });
  afterAll(async () => dp.close());

  it('a COMPLETE job has signed URLs to a valid archive whose index matches its files', async () => {
    const groups = [
      'myactivity.search',
      'chrome.history',
      'maps.starred_places',
      'youtube.subscriptions',
      'youtube.comments',
      'play.installs',
      'chrome.settings',
      'chrome.bookmarks',
      'chrome.reading_list',
    ];
    const { api } = await dp.client({ user: 'alice', resources: groups });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: groups } });
    const state = await waitForState(api, job.archiveJobId!);
    expect(state).toMatchObject({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState`, state: 'COMPLETE' });
    expect(state.startTime).toBeUndefined();
    expect(Date.parse(state.exportTime!)).toBeLessThanOrEqual(dp.clock.now());
    expect(state.urls).toHaveLength(1);

    const res = await download(state.urls![0]!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(Number(res.headers.get('content-length'))).toBe(res.body.length);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="dataport-[0-9a-f]{12}\.zip"$/);
    expect(res.headers.get('etag')).toBeTruthy();

    const entries = await readZip(res.body); // verifies every CRC
    const names = entries.map((e) => e.name);
    expect(names.every((n) => n.startsWith('Portability/'))).toBe(true);
    expect(names).toContain('Portability/archive_browser.json');
    const index = JSON.parse(entries.find((e) => e.name === 'Portability/archive_browser.json')!.content.toString());
    expect(index.archiveJobId).toBe(job.archiveJobId);
    expect(index.services.map((s: { resourceGroup: string }) => s.resourceGroup).sort()).toEqual([...groups].sort());

    for (const service of index.services as { resourceGroup: string; files: IndexFile[]; records: number }[]) {
      for (const file of service.files) {
        const entry = entries.find((e) => e.name === file.path);
        expect(entry, file.path).toBeDefined();
        expect(entry!.content.length).toBe(file.sizeBytes);
        if (file.format === 'bytes' && !file.path.endsWith('.html')) expect(file.records).toBeUndefined();
        else expect(countRecords(file, entry!.content), file.path).toBe(file.records);
      }
    }
    const search = index.services.find((s: { resourceGroup: string }) => s.resourceGroup === 'myactivity.search');
    expect(search.records).toBe(150);
    // A bookmark file is a list too: the index counts its bookmarks.
    for (const group of ['chrome.bookmarks', 'chrome.reading_list']) {
      expect(index.services.find((s: { resourceGroup: string }) => s.resourceGroup === group).records, group).toBe(150);
    }
    // A file that is a JSON object says so, and where its list is.
    const historyFile = index.services.find((s: { resourceGroup: string }) => s.resourceGroup === 'chrome.history').files[0] as IndexFile;
    expect(historyFile).toMatchObject({ format: 'json-object', listKey: 'Browser History', records: 150 });
    const history = JSON.parse(
      entries.find((e) => e.name.includes('Chrome') && e.name.endsWith('.json') && e.content.includes('Browser History'))!.content.toString(),
    );
    expect(history['Browser History']).toHaveLength(150);
    const places = entries.find((e) => e.name.startsWith('Portability/Maps'))!;
    expect(JSON.parse(places.content.toString()).type).toBe('FeatureCollection');
    expect(names.some((n) => n.endsWith('.csv'))).toBe(true);
  });

  it('the time window is respected in the archive', async () => {
    const { api } = await dp.client({ user: 'winnie', resources: ['myactivity.search'], access: '30d' });
    const end = new Date(dp.clock.now() - 10 * 86_400_000);
    const start = new Date(end.getTime() - 60 * 86_400_000);
    const { data: job } = await api.portabilityArchive.initiate({
      requestBody: { resources: ['myactivity.search'], startTime: start.toISOString(), endTime: end.toISOString() },
    });
    const state = await waitForState(api, job.archiveJobId!);
    expect(state.state).toBe('COMPLETE');
    const entries = await readZip((await download(state.urls![0]!)).body);
    const activity = JSON.parse(entries.find((e) => e.name.endsWith('MyActivity.json'))!.content.toString()) as { time: string }[];
    expect(activity.length).toBeGreaterThan(0);
    for (const record of activity) {
      const t = Date.parse(record.time);
      expect(t).toBeGreaterThanOrEqual(start.getTime());
      expect(t).toBeLessThanOrEqual(end.getTime());
    }
    const index = JSON.parse(entries.find((e) => e.name.endsWith('archive_browser.json'))!.content.toString());
    expect(index.services[0].records).toBe(activity.length);
  });

  it('downloads resume with Range; a tampered or expired URL → 403', async () => {
    const { api } = await dp.client({ user: 'rita', resources: ['myactivity.youtube'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.youtube'] } });
    const state = await waitForState(api, job.archiveJobId!);
    const url = state.urls![0]!;
    const whole = await download(url);
    const head = await download(url, { range: 'bytes=0-99' });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-99/${whole.body.length}`);
    const rest = await download(url, { range: 'bytes=100-', 'if-range': whole.headers.get('etag')! });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([head.body, rest.body]).equals(whole.body)).toBe(true);
    expect((await download(url, { range: `bytes=${whole.body.length + 10}-` })).status).toBe(416);

    // The signature parameter is `signature` on the local store's URLs, `X-Amz-Signature` on S3's.
    const u = new URL(url);
    const signatureParam = u.searchParams.has('signature') ? 'signature' : 'X-Amz-Signature';
    const signature = u.searchParams.get(signatureParam)!;
    u.searchParams.set(signatureParam, `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`);
    expect((await download(u.toString())).status).toBe(403);
    const renamed = new URL(url);
    if (renamed.searchParams.has('name')) renamed.searchParams.set('name', 'other.zip');
    else renamed.searchParams.set('response-content-disposition', 'attachment; filename="other.zip"');
    expect((await download(renamed.toString())).status).toBe(403);
    const otherObject = new URL(url);
    otherObject.pathname = otherObject.pathname.replace(/archives\/.+$/, 'archives/x/1/y.zip');
    expect(otherObject.toString()).not.toBe(url);
    expect((await download(otherObject.toString())).status).toBe(403);

    // S3 checks expiry against its own clock, which the test clock cannot move; the BlobStore contract
    // covers expired S3 URLs by signing in the past instead.
    if (dp.stack !== 'embedded') return;
    dp.clock.advance(6 * 3_600_000 + 1000);
    try {
      expect((await download(url)).status).toBe(403);
      // Polling again (with a new token: the first one expired too) signs a fresh URL.
      const { api: later } = await dp.client({ user: 'rita', resources: ['myactivity.youtube'] });
      const fresh = await later.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState` });
      expect((await download(fresh.data.urls![0]!)).status).toBe(200);
    } finally {
      dp.clock.advance(-(6 * 3_600_000 + 1000));
    }
  });

  it("another user's or another client's job, and a missing one, are all 404 NOT_FOUND", async () => {
    const { api } = await dp.client({ user: 'owner', resources: ['play.library'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.library'] } });
    const name = `archiveJobs/${job.archiveJobId}/portabilityArchiveState`;
    const stranger = await dp.client({ user: 'stranger', resources: ['play.library'] });
    const otherApp = await dp.client({ user: 'owner', resources: ['play.library'], clientId: 'other-app' });
    const missing = await googleErrorOf(
      api.archiveJobs.getPortabilityArchiveState({ name: 'archiveJobs/0123456789abcdef0123456789abcdef/portabilityArchiveState' }),
    );
    for (const client of [stranger.api, otherApp.api]) {
      const e = await googleErrorOf(client.archiveJobs.getPortabilityArchiveState({ name }));
      expect(e.status).toBe(404);
      expect(e.error).toEqual(missing.error);
      expect((await googleErrorOf(client.archiveJobs.cancel({ name: `archiveJobs/${job.archiveJobId}` }))).status).toBe(404);
      expect((await googleErrorOf(client.archiveJobs.retry({ name: `archiveJobs/${job.archiveJobId}` }))).status).toBe(404);
    }
    expect(missing.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
  });

  it('archives are deleted after their retention', async () => {
    const { api } = await dp.client({ user: 'olga', resources: ['play.devices'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.devices'] } });
    const state = await waitForState(api, job.archiveJobId!);
    expect(state.urls).toHaveLength(1);
    const prefix = `archives/${job.archiveJobId}/`;
    expect((await dp.dataport.blobs.list(prefix)).length).toBeGreaterThan(0);
    dp.clock.advance(15 * 86_400_000);
    try {
      const { collectExpiredArchives } = await import('../../src/export/index.js');
      await collectExpiredArchives({ db: dp.dataport.db, blobs: dp.dataport.blobs, now: dp.clock.now });
      expect(await dp.dataport.blobs.list(prefix)).toEqual([]);
      // Expired (local store) or deleted (S3: its clock did not move, but the object is gone).
      expect((await download(state.urls![0]!)).status).toBeOneOf([403, 404]);
      // The first token expired with the clock; a fresh one for the same user and client sees the job, without URLs.
      const again = await dp.client({ user: 'olga', resources: ['play.devices'] });
      const after = await again.api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState` });
      expect(after.data.state).toBe('COMPLETE');
      expect(after.data.urls ?? []).toEqual([]);
    } finally {
      dp.clock.advance(-15 * 86_400_000);
    }
  });

  it('system parameters: fields, prettyPrint=false, access_token in the query, alt=json', async () => {
    const { api, token } = await dp.client({ user: 'sys', resources: ['play.grouping'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['play.grouping'] } });
    await waitForState(api, job.archiveJobId!);
    const base = `${dp.url}/v1/archiveJobs/${job.archiveJobId}/portabilityArchiveState`;
    const partial = await fetch(`${base}?fields=state&access_token=${token}&alt=json`);
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({ state: 'COMPLETE' });
    const compact = await fetch(`${base}?prettyPrint=false&fields=name,state`, { headers: { authorization: `Bearer ${token}` } });
    const text = await compact.text();
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({ name: `archiveJobs/${job.archiveJobId}/portabilityArchiveState`, state: 'COMPLETE' });
    const pretty = await fetch(base, { headers: { authorization: `Bearer ${token}` } });
    expect(pretty.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(await pretty.text()).toContain('\n  "name"');
    expect((await fetch(`${base}?alt=proto`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(400);
    expect((await fetch(`${base}?fields=state(`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(400);
  });

  it('unknown routes → Google-shaped 404', async () => {
    const res = await fetch(`${dp.url}/v1/nothing/here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    for (const bad of ['/v1/archiveJobs/%ZZ/portabilityArchiveState', `/v1/archiveJobs/${'a'.repeat(600)}/portabilityArchiveState`]) {
      const res = await fetch(`${dp.url}${bad}`);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as any).error, bad).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    }
    const verb = await fetch(`${dp.url}/v1/archiveJobs/abc:explode`, { method: 'POST', headers: { authorization: 'Bearer x' } });
    expect([401, 404]).toContain(verb.status);
  });
});

/** Records in a file by its format: JSON arrays (also wrapped ones), CSV rows without the header, NDJSON lines. */
function countRecords(file: IndexFile, content: Buffer): number {
  const text = content.toString('utf8');
  if (file.format === 'bytes') return (text.match(/<DT><A /g) ?? []).length;
  if (file.format === 'csv') return parseCsvRows(text).length - 1;
  if (file.format === 'ndjson') return text.split('\n').filter(Boolean).length;
  const value = JSON.parse(text);
  if (file.format === 'json-object') return file.listKey ? (value[file.listKey] as unknown[]).length : 1;
  expect(Array.isArray(value)).toBe(true);
  return (value as unknown[]).length;
}

/** Minimal RFC 4180 row splitter (quoted fields may hold commas and line breaks). */
function parseCsvRows(text: string): string[] {
  const rows: string[] = [];
  let inQuotes = false;
  let row = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') inQuotes = !inQuotes;
    if (!inQuotes && (c === '\n' || c === '\r')) {
      if (c === '\r' && text[i + 1] === '\n') i++;
      rows.push(row);
      row = '';
      continue;
    }
    row += c;
  }
  if (row) rows.push(row);
  return rows;
}
