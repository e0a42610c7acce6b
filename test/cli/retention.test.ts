import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataport, waitForState, type TestDataport } from '../helpers/dataport.js';
import { freePort, runCli } from '../helpers/process.js';
import { FAST_WEBHOOKS, startReceiver, waitFor } from '../helpers/webhook-receiver.js';
import { webhooksSql } from '../../src/store/index.js';

/**
 * History kept only for a while: the audit log (DATAPORT_AUDIT_RETENTION) and the webhook outbox's settled events and
 * delivery log (DATAPORT_WEBHOOK_LOG_RETENTION) are deleted once past it, by the server's maintenance pass and by
 * `dataport gc`; a removed client's webhook endpoint goes with it. The emulator clock (`dataport clock`) moves time.
 */
describe('retention of the audit log and the webhook log; a removed client takes its webhook endpoint along', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport(FAST_WEBHOOKS);
  });
  afterAll(async () => dp.close());

  it('dataport gc deletes what is past retention and nothing owed; the audit chain still verifies', async () => {
    const added = await runCli(['clients', 'add', '--name', 'Retention app', '--redirect-uri', 'https://app.example/cb'], dp.env);
    expect(added.code, added.stderr).toBe(0);
    const clientId = (JSON.parse(added.stdout) as { client_id: string }).client_id;
    const port = await freePort();
    const set = await runCli(['clients', 'webhook', 'set', clientId, '--url', `http://127.0.0.1:${port}/`], dp.env);
    expect(set.code, set.stderr).toBe(0);
    const receiver = await startReceiver(port, (JSON.parse(set.stdout) as { secret: string }).secret);
    try {
      const { api } = await dp.client({ user: 'rita', resources: ['chrome.history'], clientId });
      const { data: job } = await api.portabilityArchive.initiate({ requestBody: { resources: ['chrome.history'] } });
      expect((await waitForState(api, job.archiveJobId!)).state).toBe('COMPLETE');
      await waitFor(
        () => receiver.received.some((r) => r.verified),
        () => JSON.stringify(receiver.received),
      );
      await waitFor(
        async () => (await webhooksSql.listEvents(dp.dataport.db, clientId, 10)).every((e) => e.state === 'delivered'),
        () => 'not settled',
      );
    } finally {
      await receiver.stop();
    }
    expect(await webhooksSql.listDeliveries(dp.dataport.db, clientId, 10)).not.toEqual([]);
    const auditBefore = JSON.parse((await runCli(['audit', '--json'], dp.env)).stdout) as unknown[];
    expect(auditBefore.length).toBeGreaterThan(0);

    // Within retention: gc deletes nothing.
    const retention = { ...dp.env, DATAPORT_WEBHOOK_LOG_RETENTION: '10m', DATAPORT_AUDIT_RETENTION: '10m' };
    const early = await runCli(['gc'], retention);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stderr).not.toMatch(/past DATAPORT_/);
    expect(await webhooksSql.listEvents(dp.dataport.db, clientId, 10)).toHaveLength(1);

    // An hour later (the emulator's clock), the same gc deletes the history, counting what it deleted.
    expect((await runCli(['clock', 'advance', '1h'], dp.env)).code).toBe(0);
    const late = await runCli(['gc'], retention);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stderr).toMatch(new RegExp(`${auditBefore.length} audit entr(y|ies) past DATAPORT_AUDIT_RETENTION deleted`));
    expect(late.stderr).toMatch(/1 webhook event\(s\) and \d+ delivery log entr(y|ies) past DATAPORT_WEBHOOK_LOG_RETENTION deleted/);
    expect(await webhooksSql.listEvents(dp.dataport.db, clientId, 10)).toEqual([]);
    expect(await webhooksSql.listDeliveries(dp.dataport.db, clientId, 10)).toEqual([]);
    expect(JSON.parse((await runCli(['audit', '--json'], retention)).stdout)).toEqual([]);
    // The chain is re-anchored on the last deleted entry: what is left (and what comes next) verifies.
    const verified = await runCli(['audit', 'verify'], retention);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    // Removing the client removes its endpoint: no events are kept for a client that is gone.
    const removed = await runCli(['clients', 'remove', clientId], dp.env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await webhooksSql.findEndpoint(dp.dataport.db, clientId)).toBeUndefined();
    expect((await runCli(['clock', 'reset'], dp.env)).code).toBe(0);
  });
});
