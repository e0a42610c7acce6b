import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createAccountService, createClientService, type RegisteredClient } from '../../src/auth/index.js';
import type { TestDataport } from '../helpers/dataport.js';

export const SCOPE = (group: string) => `https://www.googleapis.com/auth/dataportability.${group}`;

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Registers a client and a user in the test server's database, through the same services the CLI uses. */
export async function givenClientAndUser(dp: TestDataport, options: { public?: boolean; redirectUri?: string; user?: string; password?: string } = {}) {
  const deps = { db: dp.dataport.db, now: dp.clock.now };
  const client = await createClientService(deps).addClient({
    name: 'Test App',
    redirectUris: [options.redirectUri ?? 'http://localhost:9/callback'],
    public: options.public === true,
  });
  const user = options.user ?? `user-${randomBytes(4).toString('hex')}`;
  const password = options.password ?? 'correct horse battery';
  await createAccountService(deps).addUser(user, password);
  return { client, user, password };
}

export function authorizeUrl(base: string, client: RegisteredClient, params: Record<string, string>): string {
  const url = new URL('/oauth/authorize', base);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: client.redirect_uris[0]!,
    state: 'xyz',
    ...params,
  }).toString();
  return url.toString();
}

/**
 * A browser stand-in for tests of protocol refusals: follows redirects by hand and keeps cookies. Given a
 * loopback address (`127.0.0.2`, ...), it connects from that address, so the server sees another client.
 */
export class CookieBrowser {
  private cookies = new Map<string, string>();

  constructor(private readonly from?: string) {}

  /** Another browser holding a copy of this one's cookies as they are now (a stolen or saved cookie jar). */
  copy(): CookieBrowser {
    const other = new CookieBrowser(this.from);
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    return other;
  }

  has(cookie: string): boolean {
    return this.cookies.has(cookie);
  }

  /** A cookie's value as the server set it (undefined when not set or cleared). */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = { ...(init.headers as Record<string, string>), cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    const res = this.from
      ? await fetchFrom(this.from, url, { method: init.method ?? 'GET', headers, body: init.body ? String(init.body) : undefined })
      : await fetch(url, { ...init, redirect: 'manual', headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
    return res;
  }

  /** GETs `url` and follows redirects within `base`; returns the last response and where it stopped. */
  async follow(url: string, base: string): Promise<{ res: Response; url: string }> {
    let current = url;
    for (let i = 0; i < 10; i++) {
      const res = await this.fetch(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      const next = new URL(location, current).toString();
      if (!next.startsWith(base)) return { res, url: next };
      current = next;
    }
    throw new Error('too many redirects');
  }

  async postForm(url: string, form: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return this.fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

/** One HTTP request from a given local (loopback) address, answered as a fetch Response. */
function fetchFrom(localAddress: string, url: string, init: { method: string; headers: Record<string, string>; body: string | undefined }): Promise<Response> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname + target.search,
        method: init.method,
        localAddress,
        headers: { ...init.headers, host: target.host, ...(init.body !== undefined ? { 'content-length': Buffer.byteLength(init.body) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const one of [v ?? []].flat()) headers.append(k, one);
          resolve(new Response(chunks.length > 0 ? Buffer.concat(chunks) : null, { status: res.statusCode!, headers }));
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export const hidden = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];

/**
 * Runs the whole authorization without a browser: sign in, consent to `grant` (a subset of the requested
 * groups) with `access`, and returns the redirect URI the server sent the user back to.
 */
export async function consentWithoutBrowser(
  base: string,
  authorize: string,
  login: { user: string; password: string },
  grant: { groups: string[]; access: 'once' | '30d' | '180d' },
  browser: CookieBrowser = new CookieBrowser(),
): Promise<URL> {
  let { res, url } = await browser.follow(authorize, base);
  if (!url.includes('/oauth/interaction/')) return new URL(url);
  let page = await res.text();
  let post: Response;
  if (page.includes('name="password"')) {
    post = await browser.postForm(new URL(`${new URL(url).pathname}/login`, base).toString(), {
      csrf: hidden(page, 'csrf')!,
      user: login.user,
      password: login.password,
    });
    if (post.status !== 303) throw new Error(`sign-in answered ${post.status}`);
    ({ res, url } = await browser.follow(new URL(post.headers.get('location')!, base).toString(), base));
    page = await res.text();
  }
  post = await browser.postForm(new URL(`${new URL(url).pathname}/consent`, base).toString(), {
    csrf: hidden(page, 'csrf')!,
    group: grant.groups,
    access: grant.access,
    decision: 'allow',
  });
  if (post.status !== 303) throw new Error(`consent answered ${post.status}: ${await post.text()}`);
  ({ url } = await browser.follow(new URL(post.headers.get('location')!, base).toString(), base));
  return new URL(url);
}

export async function tokenRequest(base: string, form: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.status, body: await res.json() };
}
