import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountService, createClientService } from '../../src/auth/index.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { freePort } from '../helpers/process.js';
import { consentWithoutBrowser } from '../auth/oauth-fixture.js';

const BIN = fileURLToPath(new URL('../../bin/dataport.js', import.meta.url));

describe("dataport export with OAuth (loopback redirect, PKCE) against Dataport's authorization server", () => {
  let dp: TestDataport;
  let out: string;
  beforeAll(async () => {
    // Access tokens that lapse at once: the export only succeeds if the CLI renews them with the refresh token.
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '50', DATAPORT_TOKEN_LIFETIME: '1s' });
    out = mkdtempSync(path.join(tmpdir(), 'dataport-oauth-out-'));
  });
  afterAll(async () => {
    await dp.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('prints the authorization URL, receives the code on 127.0.0.1, trades it with PKCE, renews the token, and exports what was granted', async () => {
    const port = await freePort();
    const deps = { db: dp.dataport.db, now: dp.clock.now };
    const client = await createClientService(deps).addClient({ name: 'dataport CLI', redirectUris: [`http://127.0.0.1:${port}/callback`], public: true });
    await createAccountService(deps).addUser('ivy', 'correct horse battery');

    const child = spawn(
      process.execPath,
      [
        BIN,
        'export',
        '--server',
        dp.url,
        '--client-id',
        client.client_id,
        '--resources',
        'myactivity.search,chrome.history',
        '--out',
        out,
        '--redirect-port',
        String(port),
        '--no-browser',
        '--poll-interval',
        '100ms',
      ],
      { env: { ...process.env, DATAPORT_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));

    const authorizeUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no authorization URL:\n${stderr}`)), 30_000);
      child.stderr.on('data', () => {
        const m = /^\s+(http\S+\/oauth\/\S+)$/m.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const url = new URL(authorizeUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);

    // The user signs in and grants one of the two groups; the browser then lands on the CLI's loopback listener.
    const callback = await consentWithoutBrowser(
      dp.url,
      authorizeUrl,
      { user: 'ivy', password: 'correct horse battery' },
      { groups: ['chrome.history'], access: '30d' },
    );
    expect(callback.origin).toBe(`http://127.0.0.1:${port}`);
    const landing = await fetch(callback);
    expect(landing.status).toBe(200);

    expect(await exited, stderr).toBe(0);
    expect(stderr).toContain('authorized (1 of 2 resource group(s) granted)');
    expect(stderr).toContain('the user granted only chrome.history; exporting those');
    expect(stdout).toMatch(/^chrome\.history\s+1\s+50\s/m);
    expect(stdout).not.toContain('myactivity.search');
    // One access token from the code, more from the refresh token.
    const { n } = await dp.dataport.db
      .selectFrom('oidc_payloads')
      .where('model', '=', 'AccessToken')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBeGreaterThan(1);
  });
});
