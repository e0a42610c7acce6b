import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountService, createClientService } from '../../src/auth/index.js';
import { launchChromium } from '../helpers/browser.js';
import { startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';

// Every console page, populated by a demo run: a failed job and its retry, a cancelled one, a completed one (after
// a transient failure), three users and two clients. Screenshots go to a temporary folder named in the log.
const SHOTS = mkdtempSync(path.join(tmpdir(), 'dataport-admin-screens-'));
const OPERATOR = 'ops-lead';
const OPERATOR_PASSWORD = 'a long operator passphrase';
const BIN = path.resolve('bin/dataport.js');

let dp: TestDataport;
let browser: Browser;
const jobs: Record<'failed' | 'complete' | 'slow', string> = { failed: '', complete: '', slow: '' };

beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '5', DATAPORT_DEMO_FAULTS: 'maps.reviews=fail:1,myactivity.shopping=slow:600000,chrome.history=flaky:1' });
  browser = await launchChromium();
  console.log(`admin console screenshots: ${SHOTS}`);
  const deps = { db: dp.dataport.db, now: dp.clock.now };
  const clients = createClientService(deps);
  const photo = await clients.addClient({ name: 'Photo Backup', redirectUris: ['https://photo.example/cb'], public: false });
  const tool = await clients.addClient({ name: 'Archive Tool', redirectUris: ['http://127.0.0.1:8765/cb'], public: true });
  const accounts = createAccountService(deps);
  for (const user of ['ayse', 'mehmet', 'zeynep']) await accounts.addUser(user, 'correct horse battery');

  const ayse = await dp.client({ user: 'ayse', clientId: photo.client_id, resources: ['maps.reviews', 'chrome.history'], access: '30d' });
  const mehmet = await dp.client({ user: 'mehmet', clientId: tool.client_id, resources: ['chrome.history'], access: 'once' });
  const zeynep = await dp.client({ user: 'zeynep', clientId: photo.client_id, resources: ['myactivity.shopping'], access: '180d' });
  jobs.failed = (await ayse.api.portabilityArchive.initiate({ requestBody: { resources: ['maps.reviews'] } })).data.archiveJobId!;
  jobs.complete = (await mehmet.api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } })).data.archiveJobId!;
  jobs.slow = (await zeynep.api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.shopping'] } })).data.archiveJobId!;
  expect((await waitForState(ayse.api, jobs.failed)).state).toBe('FAILED');
  expect((await waitForState(mehmet.api, jobs.complete)).state).toBe('COMPLETE');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dp?.close();
});

/** `dataport operators add <id> --password-stdin`, the password written to its standard input. */
async function addOperatorWithCli(id: string, password: string): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'operators', 'add', id, '--password-stdin'], {
    env: { ...process.env, ...dp.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(`${password}\n`);
  const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  return { code, stderr };
}

async function signIn(page: Page, password = OPERATOR_PASSWORD) {
  await page.goto(`${dp.url}/admin`);
  await page.locator('input[name=operator]').fill(OPERATOR);
  await page.locator('input[name=password]').fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/admin/login')),
    page.locator('form[action="/admin/login"] button[type=submit]').click(),
  ]);
  await page.waitForLoadState();
  return response.status();
}

/** Whole pages, but for those whose point is at the top (kept under 150 KB for docs/screenshots). */
const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: path.join(SHOTS, `admin-${name}.png`), fullPage });

describe('the operator console', () => {
  let context: BrowserContext;
  let page: Page;

  it('dataport operators add takes the password on stdin; a short one is refused', async () => {
    expect((await addOperatorWithCli(OPERATOR, 'short')).code).toBe(2);
    const added = await addOperatorWithCli(OPERATOR, OPERATOR_PASSWORD);
    expect(added.stderr).toContain(`operator ${OPERATOR} can now sign in`);
    expect(added.code).toBe(0);
  }, 30_000);

  it('refuses a wrong password, then signs in to the overview', async () => {
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${dp.url}/admin`);
    await expect(page.getByRole('heading', { name: 'Operator sign-in' }).isVisible()).resolves.toBe(true);
    await shot(page, 'sign-in');
    expect(await signIn(page, 'not the password at all')).toBe(401);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not right');
    expect(await signIn(page)).toBe(303);
    await expect(page.getByRole('heading', { name: 'Overview' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('#stat-in-progress .value').textContent()).resolves.toBe('1');
    expect(await page.locator('figure svg').count()).toBe(3);
    await shot(page, 'overview');
  });

  it('lists jobs with filters, and the job page retries a failed job through the domain rules', async () => {
    await page.goto(`${dp.url}/admin/jobs?state=FAILED`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.goto(`${dp.url}/admin/jobs`);
    expect(await page.locator('tbody tr').count()).toBe(3);
    await page.locator(`a[href="/admin/jobs/${jobs.failed}"]`).click();
    await expect(page.locator('#failure-reason').textContent()).resolves.toMatch(/maps\.reviews/);
    await expect(page.locator('table.runs td.outcome').allTextContents()).resolves.toEqual(['Failed']);
    await expect(page.locator('table.runs tr.run-error').textContent()).resolves.toContain('maps.reviews=fail:1');
    await shot(page, 'job-failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Retried');
    const retryId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(retryId).not.toBe(jobs.failed);
    // The retry runs (fail:1 is spent) and completes.
    const ayse = await dp.client({
      user: 'ayse',
      clientId: (await createClientService({ db: dp.dataport.db, now: dp.clock.now }).listClients())[0]!.client_id,
      resources: ['maps.reviews', 'chrome.history'],
      access: '30d',
    });
    expect((await waitForState(ayse.api, retryId)).state).toBe('COMPLETE');
    await page.reload();
    await expect(page.locator('ol[aria-labelledby=lineage] li').count()).resolves.toBe(2);
    await shot(page, 'job-retry');

    // The original again: its retry button is still there, and the domain refuses a second retry (409, its message).
    await page.goto(`${dp.url}/admin/jobs/${jobs.failed}`);
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Retry' }).click()]);
    expect(refused.status()).toBe(409);
    await expect(page.locator('#job-error').textContent()).resolves.toContain('has already been retried');
    // The retry is in the original's trail too (the entry is the new job's, naming this one as retried).
    await expect(page.locator('table.audit tbody tr').first().locator('td').nth(2).textContent()).resolves.toBe('retry');
    await shot(page, 'job-refused', false);

    // The completed job ran twice: chrome.history's one transient error, then the run that published.
    await page.goto(`${dp.url}/admin/jobs/${jobs.complete}`);
    const outcomes = await page.locator('table.runs td.outcome').allTextContents();
    expect(outcomes).toEqual(['Transient failure', 'Published']);
    await shot(page, 'job-runs');
  }, 60_000);

  it('cancels a running job, and the audit trail names the operator', async () => {
    await page.goto(`${dp.url}/admin/jobs/${jobs.slow}`);
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('cancelled');
    await expect(page.locator('.state').first().textContent()).resolves.toBe('Cancelled');
    const trail = await page.locator('table.audit').textContent();
    expect(trail).toContain('cancel');
    expect(trail).toContain(OPERATOR);
    // The worker's run ends on hearing of the cancel (the page may come first): its run then says so.
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('table.runs td.outcome').allTextContents();
      })
      .toEqual(['Cancelled']);
    await shot(page, 'job-cancelled');
  });

  it('refuses a POST without the CSRF token', async () => {
    const response = await context.request.post(`${dp.url}/admin/jobs/${jobs.complete}/cancel`, { form: { csrf: 'forged' }, maxRedirects: 0 });
    expect(response.status()).toBe(403);
    expect(response.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers()['x-frame-options']).toBe('DENY');
  });

  it('users and grants (revoke), clients (add, rotate, remove), the audit log and the emulator', async () => {
    await page.goto(`${dp.url}/admin/users`);
    expect(await page.locator('tbody th[scope=row]').count()).toBe(3);
    await shot(page, 'users');
    await page.locator('tr', { hasText: 'mehmet' }).getByRole('button', { name: 'Revoke' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Revoked: mehmet');
    await expect(page.locator('tr', { hasText: 'mehmet' }).textContent()).resolves.toContain('No app has access');

    await page.goto(`${dp.url}/admin/clients`);
    await page.locator('input[name=name]').fill('Calendar Sync');
    await page.locator('input[name=redirect_uri]').fill('https://calendar.example/oauth');
    await page.getByRole('button', { name: 'Add client' }).click();
    await expect(page.locator('#new-secret').textContent()).resolves.toContain('shown this once');
    await page.locator('tr', { hasText: 'Calendar Sync' }).getByRole('button', { name: 'New secret' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('has a new secret');
    await shot(page, 'clients');
    await page.locator('tr', { hasText: 'Calendar Sync' }).getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('removed');

    await page.goto(`${dp.url}/admin/audit?operator=${OPERATOR}`);
    const actions = await page.locator('table.audit tbody td:nth-child(3)').allTextContents();
    expect(new Set(actions)).toEqual(new Set(['operator.sign-in', 'retry', 'cancel', 'revoke', 'client.add', 'client.rotate']));
    await shot(page, 'audit');
    await page.goto(`${dp.url}/admin/audit`);
    expect(await page.locator('table.audit tbody tr').count()).toBeGreaterThan(actions.length);

    await page.goto(`${dp.url}/admin/emulator`);
    await page.locator('input[name=rules]').fill('chrome.history=fail:2');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('chrome.history=fail:2');
    await page.locator('input[name=by]').fill('24h');
    await page.getByRole('button', { name: 'Advance' }).click();
    await expect(page.locator('#clock-offset').textContent()).resolves.toBe('+1d');
    await page.locator('input[name=rules]').fill('chrome.history=nope:1');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await expect(page.getByRole('alert').isVisible()).resolves.toBe(true);
    await shot(page, 'emulator');
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect(page.locator('#clock-offset').textContent()).resolves.toBe('0 (system time)');
  }, 60_000);

  it('keeps operator and end-user sessions apart', async () => {
    // The operator's cookie does not open the account page.
    await page.goto(`${dp.url}/account`);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    // An end user's session does not open the console.
    const userContext = await browser.newContext({ locale: 'en-GB' });
    const userPage = await userContext.newPage();
    await userPage.goto(`${dp.url}/account`);
    await userPage.getByLabel('User name').fill('ayse');
    await userPage.getByLabel('Password').fill('correct horse battery');
    await userPage.getByRole('button', { name: 'Sign in' }).click();
    await userPage.getByRole('heading', { name: 'Your apps and exports' }).waitFor();
    await userPage.goto(`${dp.url}/admin/jobs`);
    await expect(userPage.getByRole('heading', { name: 'Operator sign-in' }).isVisible()).resolves.toBe(true);
    // Nor does the user's password: operators are their own accounts.
    await userPage.locator('input[name=operator]').fill('ayse');
    await userPage.locator('input[name=password]').fill('correct horse battery');
    await userPage.locator('form[action="/admin/login"] button[type=submit]').click();
    await expect(userPage.getByRole('alert').isVisible()).resolves.toBe(true);
    await userContext.close();
  });

  it('speaks Turkish and fits a phone', async () => {
    const tr = await browser.newContext({ locale: 'tr-TR', viewport: { width: 390, height: 844 }, isMobile: true });
    const phone = await tr.newPage();
    await phone.goto(`${dp.url}/admin`);
    await expect(phone.getByRole('heading', { name: 'Operatör girişi' }).isVisible()).resolves.toBe(true);
    await phone.locator('input[name=operator]').fill(OPERATOR);
    await phone.locator('input[name=password]').fill(OPERATOR_PASSWORD);
    await phone.locator('form[action="/admin/login"] button[type=submit]').click();
    await phone.getByRole('heading', { name: 'Genel bakış' }).waitFor();
    // Nothing wider than the screen but the tables' own scrolling boxes.
    expect(Number(await phone.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await shot(phone, 'overview-tr-phone');
    await phone.goto(`${dp.url}/admin/jobs/${jobs.failed}`);
    await expect(phone.getByRole('heading', { name: /^İş / }).isVisible()).resolves.toBe(true);
    expect(Number(await phone.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    // No table row stretched tall by a column squeezed to a letter's width (the audit detail once was).
    const tallest = Number(await phone.evaluate("Math.max(...[...document.querySelectorAll('tbody tr')].map((r) => r.getBoundingClientRect().height))"));
    expect(tallest).toBeLessThan(120);
    await shot(phone, 'job-tr-phone');
    await tr.close();
    await page.goto(`${dp.url}/admin`);
    await page.locator('header form button').click();
    await expect(page.getByRole('heading', { name: 'Operator sign-in' }).isVisible()).resolves.toBe(true);
    await context.close();
  });
});
