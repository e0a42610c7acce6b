import { Command, InvalidArgumentError } from 'commander';
import { withOperatorDataport } from '../operator-dataport.js';
import { parseDurationMs, parseList } from '../parse.js';
import { formatTable } from '../table.js';
import type { WebhookEndpoints } from '../../webhooks/index.js';

/** The server's database and the data folder's key (which seals the secrets), for the commands below. */
async function withEndpoints<T>(run: (endpoints: WebhookEndpoints) => Promise<T>): Promise<T> {
  return withOperatorDataport(async (dataport) => {
    const { createSecretBox, createWebhookEndpoints, WebhookError } = await import('../../webhooks/index.js');
    const { loadOrCreateSigningKey } = await import('../../store/index.js');
    const box = createSecretBox(loadOrCreateSigningKey(dataport.config.dataDir));
    try {
      return await run(createWebhookEndpoints({ db: dataport.db, now: dataport.now, box }));
    } catch (error) {
      if (error instanceof WebhookError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  });
}

const collectEvents = (value: string, previous: string[] = []) => [...previous, ...parseList(value)];

/** `dataport clients webhook …`: a client's signed completion notifications (docs/webhooks.md). */
export function clientWebhookCommand(): Command {
  const webhook = new Command('webhook').description("the client's webhook endpoint for signed job notifications (docs/webhooks.md)");
  webhook
    .command('set <client_id>')
    .description("set (or change) the endpoint; a new endpoint's secret (whsec_…) is printed once")
    .requiredOption('--url <url>', 'https URL (plain http only for a loopback address)')
    .option('--events <types>', 'event types, comma-separated (default: all)', collectEvents)
    .action(async (clientId: string, options: { url: string; events?: string[] }) => {
      const result = await withEndpoints((e) => e.setEndpoint(clientId, options.url, options.events));
      console.log(JSON.stringify(result, null, 2));
      console.error(
        result.secret
          ? "the secret is shown only now: give it to the client's developers to verify signatures"
          : `endpoint of ${clientId} updated; its secret is unchanged (rotate it with \`dataport clients webhook rotate-secret\`)`,
      );
    });
  webhook
    .command('rotate-secret <client_id>')
    .description('a new secret, printed once; the old one keeps signing beside it for the grace period')
    .option('--grace <duration>', 'how long the old secret still signs', parseDurationMs, 24 * 3_600_000)
    .action(async (clientId: string, options: { grace: number }) => {
      console.log(JSON.stringify(await withEndpoints((e) => e.rotateSecret(clientId, options.grace)), null, 2));
    });
  webhook
    .command('remove <client_id>')
    .description('remove the endpoint (events not yet delivered are dropped with it)')
    .action(async (clientId: string) => {
      if (!(await withEndpoints((e) => e.removeEndpoint(clientId)))) throw new InvalidArgumentError(`client ${clientId} has no webhook endpoint`);
      console.error(`webhook endpoint of ${clientId} removed`);
    });
  webhook
    .command('list')
    .description("every client's endpoint as JSON (secrets are not shown)")
    .action(async () => console.log(JSON.stringify(await withEndpoints((e) => e.listEndpoints()), null, 2)));
  return webhook;
}

/** `dataport webhooks log|redeliver`: what was sent, and sending again. */
export function webhooksCommand(): Command {
  const command = new Command('webhooks').description('delivery of signed job notifications (docs/webhooks.md)');
  command
    .command('log <client_id>')
    .description("the client's delivery log, newest first: attempts with status and latency, disablings, redeliveries")
    .option(
      '--limit <n>',
      'entries shown',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
        return n;
      },
      50,
    )
    .option('--json', 'print JSON')
    .action(async (clientId: string, options: { limit: number; json?: boolean }) => {
      const log = await withEndpoints((e) => e.deliveryLog(clientId, options.limit));
      if (options.json) {
        console.log(JSON.stringify(log, null, 2));
        return;
      }
      console.log(
        formatTable(
          ['AT', 'KIND', 'EVENT', 'TYPE', 'ATTEMPT', 'STATUS', 'MS', 'ERROR'],
          log.map((l) => [
            l.at,
            l.kind,
            l.event_id ?? '',
            l.type ?? '',
            l.attempt === null ? '' : String(l.attempt),
            l.status === null ? '' : String(l.status),
            l.latency_ms === null ? '' : String(l.latency_ms),
            l.error ?? '',
          ]),
        ),
      );
    });
  command
    .command('redeliver <event_id>')
    .description('send an event again (the webhook-id stays the same), with a fresh retry window')
    .action(async (eventId: string) => {
      const event = await withEndpoints((e) => e.redeliver(eventId));
      console.error(`event ${event.event_id} (${event.type}) to ${event.client_id} will be sent again`);
    });
  return command;
}
