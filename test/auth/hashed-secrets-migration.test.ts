import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Migrator } from 'kysely/migration';
import { openDatabase } from '../../src/store/index.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { freePort } from '../helpers/process.js';
import { SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from './oauth-fixture.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'dataport-0006-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A port free now, so both starts share one issuer (tokens are issued for the issuer's API). */
const port = await freePort();

/** The API alone on the same folder and port each time: a restart of one server across the upgrade. */
function start(): Promise<TestDataport> {
  return startDataport(
    { PORT: String(port), DATAPORT_PUBLIC_URL: `http://localhost:${port}`, DATAPORT_DEMO_RECORDS: '5' },
    {},
    { stack: 'embedded', dataDir, worker: false },
  );
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

it('an existing database keeps its clients and tokens working across 0006, which leaves only hashes behind', async () => {
  // Tokens and a client made by this release...
  let server = await start();
  const f = await givenClientAndUser(server);
  const pkce = pkcePair();
  const back = await consentWithoutBrowser(
    server.url,
    authorizeUrl(server.url, f.client, {
      scope: SCOPE('myactivity.search'),
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      access_type: 'offline',
    }),
    f,
    { groups: ['myactivity.search'], access: '30d' },
  );
  const issued = await tokenRequest(server.url, {
    grant_type: 'authorization_code',
    code: back.searchParams.get('code')!,
    redirect_uri: f.client.redirect_uris[0]!,
    client_id: f.client.client_id,
    client_secret: f.client.client_secret!,
    code_verifier: pkce.verifier,
  });
  expect(issued.status).toBe(200);
  await server.close();

  // ...put back the way the release before 0006 stored them: later migrations undone, the secret as issued,
  // `jti` in every payload.
  const store = openDatabase({ dataDir, databaseUrl: undefined });
  const rolledBack = await new Migrator({ db: store.db, provider: migrationProvider }).migrateTo('0006-hashed-oauth-secrets');
  await store.close();
  expect(rolledBack.error).toBeUndefined();
  const db = new Database(path.join(dataDir, 'dataport.sqlite'));
  db.exec('alter table oauth_clients add column secret text');
  db.prepare('update oauth_clients set secret = ? where id = ?').run(f.client.client_secret, f.client.client_id);
  db.exec('alter table oauth_clients drop column secret_sha256');
  for (const token of [issued.body.access_token, issued.body.refresh_token] as string[]) {
    const row = db.prepare('select payload from oidc_payloads where id = ?').get(sha256(token)) as { payload: string };
    db.prepare('update oidc_payloads set payload = ? where id = ?').run(JSON.stringify({ ...JSON.parse(row.payload), jti: token }), sha256(token));
  }
  db.prepare("delete from kysely_migration where name = '0006-hashed-oauth-secrets'").run();
  const old = JSON.stringify(db.prepare('select * from oidc_payloads').all()) + JSON.stringify(db.prepare('select * from oauth_clients').all());
  expect(old).toContain(issued.body.refresh_token);
  expect(old).toContain(f.client.client_secret);
  db.close();

  // The upgrade: the secret still authenticates the client, and the refresh token and access token still work.
  server = await start();
  // Another origin for the same server: fetch's kept-alive connection to the first one is dead.
  server.url = `http://127.0.0.1:${port}`;
  try {
    const refreshed = await tokenRequest(server.url, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token,
      client_id: f.client.client_id,
      client_secret: f.client.client_secret!,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const introspected = await fetch(`${server.url}/oauth/introspect`, {
      method: 'POST',
      body: new URLSearchParams({ token: issued.body.access_token, client_id: f.client.client_id, client_secret: f.client.client_secret! }),
    });
    expect(await introspected.json()).toMatchObject({ active: true });
    const wrong = await tokenRequest(server.url, {
      grant_type: 'refresh_token',
      refresh_token: issued.body.refresh_token,
      client_id: f.client.client_id,
      client_secret: 'not-the-secret',
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  } finally {
    await server.close();
  }
  const after = new Database(path.join(dataDir, 'dataport.sqlite'), { readonly: true });
  const stored = JSON.stringify(after.prepare('select * from oidc_payloads').all()) + JSON.stringify(after.prepare('select * from oauth_clients').all());
  after.close();
  for (const secret of [issued.body.access_token, issued.body.refresh_token, f.client.client_secret!]) expect(stored).not.toContain(secret);
  expect(stored).toContain(sha256(f.client.client_secret!));
});
