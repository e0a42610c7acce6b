import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { SCOPE, authorizeUrl, givenClientAndUser, pkcePair } from './oauth-fixture.js';

/** A request with headers fetch() will not send as given (Host). */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const FORGED = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };

/** Every URL in the RFC 8414 metadata. */
const urlsOf = (meta: Record<string, unknown>) => Object.values(meta).filter((v): v is string => typeof v === 'string' && /^https?:/.test(v));

async function metadata(base: string, path: string) {
  const res = await request(`${base}${path}`, { headers: FORGED });
  expect(res.status).toBe(200);
  return { res, meta: JSON.parse(res.body) as Record<string, unknown> };
}

describe('without DATAPORT_TRUST_PROXY', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5' });
  });
  afterAll(async () => dp.close());

  it('a forged Host or X-Forwarded-* changes no URL in the metadata, which may be cached for an hour', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const { res, meta } = await metadata(dp.url, path);
      expect(meta.issuer).toBe(dp.url);
      const urls = urlsOf(meta);
      expect(urls.length).toBeGreaterThan(4);
      for (const url of urls) expect(url.startsWith(`${dp.url}/`) || url === dp.url, url).toBe(true);
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
    }
  });

  it('a forged Host does not steer the redirect back from sign-in to another site', async () => {
    const { client, user, password } = await givenClientAndUser(dp);
    const cookies = new Map<string, string>();
    const keep = (headers: http.IncomingHttpHeaders) => {
      for (const line of headers['set-cookie'] ?? []) {
        const [pair] = line.split(';');
        const [name, ...value] = pair!.split('=');
        cookies.set(name!, value.join('='));
      }
    };
    const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const pkce = pkcePair();
    const start = await request(
      authorizeUrl(dp.url, client, { scope: SCOPE('myactivity.search'), code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
      { headers: FORGED },
    );
    expect(start.status).toBe(303);
    keep(start.headers);
    const interaction = new URL(start.headers.location!, dp.url);
    expect(interaction.origin).toBe(dp.url);
    const signIn = await request(interaction.toString(), { headers: { cookie: cookie() } });
    const csrf = /name="csrf" value="([^"]*)"/.exec(signIn.body)![1]!;
    const posted = await request(`${interaction.href}/login`, {
      method: 'POST',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, user, password }).toString(),
    });
    expect(posted.status, posted.body).toBe(303);
    expect(new URL(posted.headers.location!, dp.url).origin).toBe(dp.url);
  });
});

describe('with DATAPORT_TRUST_PROXY=true behind a TLS proxy', () => {
  const PUBLIC = 'https://dataport.example';
  let dp: TestDataport;
  /** Where the server listens (dp.url is the public URL, which only the imagined proxy answers). */
  let local: string;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5', DATAPORT_TRUST_PROXY: 'true', DATAPORT_PUBLIC_URL: PUBLIC });
    local = `http://127.0.0.1:${(dp.dataport.server!.server.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(async () => dp.close());

  it('the issuer and every endpoint still come from DATAPORT_PUBLIC_URL, not X-Forwarded-Host', async () => {
    const { meta } = await metadata(local, '/.well-known/oauth-authorization-server');
    expect(meta.issuer).toBe(PUBLIC);
    for (const url of urlsOf(meta)) expect(url.startsWith(`${PUBLIC}/`) || url === PUBLIC, url).toBe(true);
  });

  it('the OAuth cookies are Secure, as the public URL is https', async () => {
    const { client } = await givenClientAndUser(dp);
    const pkce = pkcePair();
    const start = await request(
      authorizeUrl(local, client, { scope: SCOPE('myactivity.search'), code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
      {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'dataport.example' },
      },
    );
    expect(start.status).toBe(303);
    const set = start.headers['set-cookie'] ?? [];
    expect(set.length).toBeGreaterThan(0);
    for (const line of set) expect(line.toLowerCase()).toContain('; secure');
  });
});
