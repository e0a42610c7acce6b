import { request } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../helpers/archive.js';
import { startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

// `google.discoverAPI` is only on the package root, whose types cover all ~300 of Google's APIs (~1.5 GB and
// ~50 s for every type-aware tool): load it untyped.
const { google } = createRequire(import.meta.url)('googleapis') as { google: { discoverAPI(url: string, options?: object): Promise<unknown> } };

/** A GET whose body is read as sent (node:http does not inflate). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('gzip: responses compressed for clients that ask, archives never', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '200' });
  });
  afterAll(async () => dp.close());

  it('the discovery document is gzipped with Accept-Encoding: gzip, inflates to the same JSON, and googleapis reads it', async () => {
    const url = `${dp.url}/$discovery/rest?version=v1`;
    const plain = await rawGet(url, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gzipped = await rawGet(url, { 'accept-encoding': 'gzip' });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
    expect(JSON.parse(gunzipSync(gzipped.body).toString())).toEqual(JSON.parse(plain.body.toString()));
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 4);

    // Google's Node client asks for gzip and builds itself from the compressed document.
    const discovered = (await google.discoverAPI(url)) as { archiveJobs: { getPortabilityArchiveState: unknown } };
    expect(typeof discovered.archiveJobs.getPortabilityArchiveState).toBe('function');
  });

  it('an archive download is never compressed: whole and ranged, with Accept-Encoding: gzip', async () => {
    const { api } = await dp.client({ user: 'alice', resources: ['myactivity.search'] });
    const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
    const state = await waitForState(api, job.archiveJobId!);
    const archiveUrl = state.urls![0]!;

    const whole = await rawGet(archiveUrl, { 'accept-encoding': 'gzip, deflate' });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-encoding']).toBeUndefined();
    expect(whole.headers['content-type']).toBe('application/zip');
    expect(Number(whole.headers['content-length'])).toBe(whole.body.length);
    expect((await readZip(whole.body)).length).toBeGreaterThan(0);

    const ranged = await rawGet(archiveUrl, { 'accept-encoding': 'gzip', range: 'bytes=100-1123' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-encoding']).toBeUndefined();
    expect(ranged.headers['content-range']).toBe(`bytes 100-1123/${whole.body.length}`);
    expect(ranged.body.equals(whole.body.subarray(100, 1124))).toBe(true);
  });
});
