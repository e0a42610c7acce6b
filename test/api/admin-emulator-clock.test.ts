import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminHttp, signedInOperator } from '../helpers/admin-http.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';

// The console's emulator clock form over HTTP: what an operator types is a duration or is refused, and a
// refusal moves nothing.
let dp: TestDataport;
let admin: AdminHttp;

beforeAll(async () => {
  dp = await startDataport({ DATAPORT_DEMO_RECORDS: '2' });
  admin = await signedInOperator(dp);
}, 60_000);

afterAll(async () => {
  await dp?.close();
});

const offsetShown = (html: string) => /<dd id="clock-offset">([^<]*)<\/dd>/.exec(html)?.[1];

describe('the emulator clock in the console', () => {
  it('refuses a text that is not a duration with 400 and its reason, and leaves the clock alone', async () => {
    const page = await admin.request('/admin/emulator');
    const refused = await admin.request('/admin/emulator/clock', { form: { csrf: AdminHttp.csrf(page.html), do: 'advance', by: 'tomorrow' } });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('expected a duration such as 30s, 24h, 14d or 1d12h, got &quot;tomorrow&quot;');
    expect(offsetShown((await admin.request('/admin/emulator')).html)).toBe('0 (system time)');
  });

  it('advances by a composed duration', async () => {
    const page = await admin.request('/admin/emulator');
    const moved = await admin.request('/admin/emulator/clock', { form: { csrf: AdminHttp.csrf(page.html), do: 'advance', by: '1d12h' } });
    expect(moved.status).toBe(200);
    expect(offsetShown((await admin.request('/admin/emulator')).html)).toBe('+1d 12h');
  });
});
