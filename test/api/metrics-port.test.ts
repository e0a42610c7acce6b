import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, type TestDataport } from '../helpers/dataport.js';

describe('DATAPORT_METRICS_PORT', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_METRICS_PORT: '0' });
  });
  afterAll(async () => dp?.close());

  it('serves /metrics on its own port, and the API port no longer does', async () => {
    const url = dp.dataport.metricsUrl();
    expect(url).toMatch(/\/metrics$/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('dataport_workers_busy 0');
    expect((await fetch(`${dp.url}/metrics`)).status).toBe(404);
  });
});
