import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { googleClient, startDataport, type TestDataport } from '../helpers/dataport.js';
import { runCli } from '../helpers/process.js';
import { CookieBrowser, SCOPE, authorizeUrl, consentWithoutBrowser, givenClientAndUser, pkcePair, tokenRequest } from './oauth-fixture.js';

let dp: TestDataport;
beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
});
afterAll(async () => dp.close());

/** Every value of every column of every table in the SQLite database, as text. */
function everyStoredValue(dataDir: string): { table: string; column: string; value: string }[] {
  const db = new Database(path.join(dataDir, 'dataport.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
    return tables.flatMap((table) =>
      (db.prepare(`select * from "${table}"`).all() as Record<string, unknown>[]).flatMap((row) =>
        Object.entries(row).map(([column, value]) => ({ table, column, value: Buffer.isBuffer(value) ? value.toString('latin1') : String(value) })),
      ),
    );
  } finally {
    db.close();
  }
}

/** Sign-in and consent for one group, 30 days, offline; the code exchanged for tokens, which are then refreshed. */
async function fullFlow(client: { client_id: string; client_secret?: string; redirect_uris: string[] }, login: { user: string; password: string }) {
  const browser = new CookieBrowser();
  const pkce = pkcePair();
  const back = await consentWithoutBrowser(
    dp.url,
    authorizeUrl(dp.url, client as never, {
      scope: SCOPE('myactivity.search'),
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      access_type: 'offline',
    }),
    login,
    { groups: ['myactivity.search'], access: '30d' },
    browser,
  );
  const code = back.searchParams.get('code')!;
  const secret: Record<string, string> = client.client_secret ? { client_secret: client.client_secret } : {};
  const issued = await tokenRequest(dp.url, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: client.redirect_uris[0]!,
    client_id: client.client_id,
    code_verifier: pkce.verifier,
    ...secret,
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  const refreshed = await tokenRequest(dp.url, {
    grant_type: 'refresh_token',
    refresh_token: issued.body.refresh_token,
    client_id: client.client_id,
    ...secret,
  });
  expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  const session = browser.cookie('_session');
  expect(session, 'the session cookie').toBeTruthy();
  return { code, session: session!, issued: issued.body, refreshed: refreshed.body };
}

it('after a full OAuth flow and a CLI token, no table holds an issued token, code, session cookie or client secret', async () => {
  const added = await runCli(['clients', 'add', '--name', 'Confidential App', '--redirect-uri', 'http://localhost:9/callback'], dp.env);
  expect(added.code, added.stderr).toBe(0);
  // `clients add` prints the secret once; it must still authenticate the client.
  const confidential = JSON.parse(added.stdout) as { client_id: string; client_secret: string; redirect_uris: string[] };
  expect(confidential.client_secret).toMatch(/^[\w-]{40,}$/);
  const { client: publicClient, ...login } = await givenClientAndUser(dp, { public: true });

  const a = await fullFlow(confidential, login);
  const b = await fullFlow(publicClient, login);
  const cliToken = (await runCli(['token', '--user', login.user, '--resources', 'myactivity.search'], dp.env)).lastLine;

  // Everything issued is live: the API takes every access token, and the secret still authenticates.
  for (const token of [a.issued.access_token, a.refreshed.access_token, b.issued.access_token, b.refreshed.access_token, cliToken]) {
    const { data } = await googleClient(dp.url, token).accessType.check({});
    expect([...(data.oneTimeResources ?? []), ...(data.timeBasedResources ?? [])]).toEqual(['myactivity.search']);
  }
  const introspected = await fetch(`${dp.url}/oauth/introspect`, {
    method: 'POST',
    body: new URLSearchParams({ token: a.refreshed.access_token, client_id: confidential.client_id, client_secret: confidential.client_secret }),
  });
  expect(await introspected.json()).toMatchObject({ active: true });

  const secrets: Record<string, string> = {
    'client secret': confidential.client_secret,
    'confidential code': a.code,
    'confidential access token': a.issued.access_token,
    'confidential refresh token': a.issued.refresh_token,
    'confidential refreshed access token': a.refreshed.access_token,
    'confidential session cookie': a.session,
    'public code': b.code,
    'public access token': b.issued.access_token,
    'public refresh token': b.issued.refresh_token,
    'public rotated refresh token': b.refreshed.refresh_token,
    'public refreshed access token': b.refreshed.access_token,
    'public session cookie': b.session,
    'CLI token': cliToken,
  };
  for (const [what, value] of Object.entries(secrets)) expect(value, what).toBeTruthy();
  const stored = everyStoredValue(dp.dataDir);
  // The flow did write its records (the check below reads real rows, not an empty database).
  expect(stored.filter((v) => v.table === 'oidc_payloads').length).toBeGreaterThan(5);
  const leaks = Object.entries(secrets).flatMap(([what, value]) =>
    stored.filter((v) => v.value.includes(value)).map((v) => `${what} in ${v.table}.${v.column}`),
  );
  expect(leaks).toEqual([]);
});
