import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Small HMAC-signed values for cookies and forms: the account session, the upstream sign-in state and CSRF
 * tokens. Each is bound to a purpose so a value minted for one use is refused for another.
 */
export function createSigner(key: Buffer, now: () => number) {
  const mac = (purpose: string, data: string) => createHmac('sha256', key).update(`${purpose}\n${data}`).digest('base64url');

  function sign(purpose: string, payload: object, lifetimeMs: number): string {
    const data = Buffer.from(JSON.stringify({ ...payload, exp: now() + lifetimeMs })).toString('base64url');
    return `${data}.${mac(purpose, data)}`;
  }

  function verify<T extends object>(purpose: string, value: string | undefined): T | undefined {
    if (!value) return undefined;
    const [data, signature] = value.split('.');
    if (!data || !signature) return undefined;
    const expected = Buffer.from(mac(purpose, data));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as T & { exp: number };
    return payload.exp > now() ? payload : undefined;
  }

  /** A CSRF token tied to one thing (an interaction uid, a session id): forms carry it, POSTs check it. */
  function csrfToken(boundTo: string): string {
    return mac('csrf', boundTo);
  }

  function checkCsrf(boundTo: string, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(csrfToken(boundTo));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  return { sign, verify, csrfToken, checkCsrf, newId: () => randomBytes(16).toString('base64url') };
}

export type Signer = ReturnType<typeof createSigner>;

/** The named cookie's value; undefined when absent or not validly %-encoded (a garbled cookie is no session, not a 500). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function cookie(name: string, value: string, options: { maxAgeSeconds: number; path?: string; secure: boolean }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path ?? '/'}`,
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    // Lax: the cookie comes along when the user follows a link here, never on another site's POST.
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
