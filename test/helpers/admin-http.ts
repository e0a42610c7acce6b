import { createOperatorService } from '../../src/auth/index.js';
import type { TestDataport } from './dataport.js';

/**
 * The operator console over plain HTTP, as a browser without scripts uses it: a cookie jar, the sign-in
 * form's CSRF token, and each page's token for its POSTs.
 */
export class AdminHttp {
  private cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  async request(
    path: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<{ status: number; html: string; location: string | null }> {
    const res = await fetch(this.base + path, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'accept-language': 'en',
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  }

  /** The CSRF token of the form on `html` (the sign-in form's, or a signed-in page's). */
  static csrf(html: string): string {
    const m = /name="csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no CSRF token on the page');
    return m[1]!;
  }

  /** Signs in with the console's own form; returns the status of the POST (303 when it worked). */
  async signIn(operator: string, password: string): Promise<number> {
    const form = await this.request('/admin/login');
    const res = await this.request('/admin/login', { form: { csrf: AdminHttp.csrf(form.html), operator, password } });
    return res.status;
  }

  /** POSTs one of a page's action forms, with the page's CSRF token. */
  async act(pagePath: string, action: string): Promise<{ status: number; html: string; location: string | null }> {
    const page = await this.request(pagePath);
    return this.request(action, { form: { csrf: AdminHttp.csrf(page.html) } });
  }
}

/** An operator `ops` added to the server's database, signed in through the console's own form. */
export async function signedInOperator(dp: TestDataport): Promise<AdminHttp> {
  const passphrase = 'a long operator passphrase';
  await createOperatorService({ db: dp.dataport.db, now: dp.clock.now }).addOperator('ops', passphrase);
  const admin = new AdminHttp(dp.url);
  const status = await admin.signIn('ops', passphrase);
  if (status !== 303) throw new Error(`operator sign-in answered ${status}, not 303`);
  return admin;
}

const text = (markup: string) => markup.replace(/<[^>]+>/g, '').trim();

/** The rows of the job page's runs table: attempt, worker, outcome (`outcome | error` after a failure), records, bytes. */
export function runsOnJobPage(html: string): { attempt: number; worker: string; outcome: string; records: string; bytes: string }[] {
  const table = /<table aria-labelledby="runs"[^>]*>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const errors = new Map(
    [...table.matchAll(/<tr class="run-error" data-error-of="(\d+)">([\s\S]*?)<\/tr>/g)].map(([, attempt, row]) => [Number(attempt), text(row!)]),
  );
  return [...table.matchAll(/<tr data-attempt="(\d+)">([\s\S]*?)<\/tr>/g)].map(([, attempt, row]) => {
    const cells = [...row!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, c]) => text(c!));
    const error = errors.get(Number(attempt));
    return { attempt: Number(attempt), worker: cells[1]!, outcome: error ? `${cells[4]!} | ${error}` : cells[4]!, records: cells[5]!, bytes: cells[6]! };
  });
}

/** The actions of the job page's audit trail, newest first. */
export function trailActions(html: string): string[] {
  const trail = html.slice(html.indexOf('id="trail"'));
  // Each row: the sequence number, the time, then the action.
  return [...trail.matchAll(/<tr><td class="num">\d+<\/td><td>.*?<\/td><td><code class="nowrap">([^<]+)<\/code>/g)].map(([, a]) => a!);
}
