import { Command } from 'commander';
import { withOperatorDataport } from '../operator-dataport.js';
import { formatTable } from '../table.js';

/** `dataport gc`: deletes expired archives now instead of at the server's next maintenance pass. */
export function gcCommand(): Command {
  return new Command('gc')
    .description(
      'delete archives past their retention (DATAPORT_ARCHIVE_RETENTION) or reset by their user, and audit entries and the webhook log past theirs, now',
    )
    .option('--json', 'print the deleted archives as JSON')
    .action(async (options: { json?: boolean }) => {
      await withOperatorDataport(async (dataport) => {
        const { collectExpiredArchives, deleteUnpublishedOutputs } = await import('../../export/index.js');
        const deleted: { job: string; user: string; client: string; expiredAt: string }[] = [];
        await collectExpiredArchives({
          db: dataport.db,
          blobs: dataport.blobs,
          now: dataport.now,
          operator: 'cli',
          onCollected: (job) =>
            deleted.push({
              job: job.id,
              user: job.user_id,
              client: job.client_id,
              expiredAt: new Date(job.archive_expires_at ?? 0).toISOString(),
            }),
        });
        // What finished jobs left unpublished (a dead run's partial file or upload), as the server's pass does.
        await deleteUnpublishedOutputs({ db: dataport.db, blobs: dataport.blobs, now: dataport.now }, dataport.config.jobLeaseMs);
        // Audit entries and the webhook log past their retention, as the server's pass does.
        const { pruneHistoryPastRetention } = await import('../../store/index.js');
        const pruned = await pruneHistoryPastRetention(dataport.db, dataport.now(), dataport.config);
        if (options.json) {
          console.log(JSON.stringify(deleted, null, 2));
          return;
        }
        if (pruned.auditEntries > 0)
          console.error(`${pruned.auditEntries} audit entr${pruned.auditEntries === 1 ? 'y' : 'ies'} past DATAPORT_AUDIT_RETENTION deleted`);
        if (pruned.webhookEvents + pruned.webhookDeliveries > 0) {
          console.error(
            `${pruned.webhookEvents} webhook event(s) and ${pruned.webhookDeliveries} delivery log entr${pruned.webhookDeliveries === 1 ? 'y' : 'ies'} past DATAPORT_WEBHOOK_LOG_RETENTION deleted`,
          );
        }
        if (deleted.length > 0) {
          console.log(
            formatTable(
              ['JOB', 'USER', 'CLIENT', 'EXPIRED'],
              deleted.map((d) => [d.job, d.user, d.client, d.expiredAt]),
            ),
          );
        }
        console.error(`${deleted.length} archive(s) deleted`);
      });
    });
}
