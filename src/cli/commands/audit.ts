import { Command } from 'commander';
import type { AuditRow } from '../../store/index.js';
import { CliError, EXIT } from '../exit-codes.js';
import { withOperatorDataport } from '../operator-dataport.js';
import { parseTime } from '../parse.js';
import { formatTable } from '../table.js';

interface AuditOptions {
  user?: string;
  client?: string;
  action?: string;
  since?: string;
  until?: string;
  limit?: string;
  json?: boolean;
}

/** An entry as `--json` prints it: the row with its detail parsed. */
function entryJson(row: AuditRow) {
  return { ...row, at: new Date(row.at).toISOString(), detail: JSON.parse(row.detail) as unknown };
}

/** `dataport audit [filters]` and `dataport audit verify`: the audit log and its hash chain (docs/operations.md). */
export function auditCommand(): Command {
  const audit = new Command('audit')
    .description('list audit log entries, oldest first (grants, tokens, job actions, publications, downloads, deletions)')
    .option('--user <id>', 'only entries about this user')
    .option('--client <id>', 'only entries about this client')
    .option('--action <action>', 'only this action (grant, token.issue, revoke, initiate, retry, cancel, reset, publish, download, archive.delete)')
    .option('--since <time>', 'only entries at or after this time (ISO 8601, or a duration ago such as 2h)')
    .option('--until <time>', 'only entries before this time')
    .option('--limit <n>', 'at most this many entries')
    .option('--json', 'print JSON')
    .action(async (options: AuditOptions) => {
      await withOperatorDataport(async (dataport) => {
        const { auditSql } = await import('../../store/index.js');
        const rows = await auditSql.listAudit(dataport.db, {
          userId: options.user,
          clientId: options.client,
          action: options.action,
          since: options.since ? parseTime(options.since, dataport.now).getTime() : undefined,
          until: options.until ? parseTime(options.until, dataport.now).getTime() : undefined,
          limit: options.limit ? Number(options.limit) : undefined,
        });
        if (options.json) {
          console.log(JSON.stringify(rows.map(entryJson), null, 2));
          return;
        }
        console.log(
          formatTable(
            ['SEQ', 'AT', 'ACTION', 'ACTOR', 'USER', 'CLIENT', 'JOB', 'IP', 'DETAIL'],
            rows.map((r) => [
              String(r.seq),
              new Date(r.at).toISOString(),
              r.action,
              r.operator ? `operator:${r.operator}` : r.actor,
              r.user_id ?? '',
              r.client_id ?? '',
              r.job_id ?? '',
              r.ip ?? '',
              r.detail,
            ]),
          ),
        );
      });
    });
  audit
    .command('verify')
    .description('check the hash chain from its anchor to its head; says where it breaks (exit 8)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withOperatorDataport(async (dataport) => {
        const { auditSql } = await import('../../store/index.js');
        const result = await auditSql.verifyAudit(dataport.db);
        if (options.json) console.log(JSON.stringify(result));
        if (!result.ok) throw new CliError(`audit log broken at entry ${result.brokenAt}: ${result.problem}`, EXIT.AUDIT_BROKEN);
        if (!options.json) console.log(`audit log intact: ${result.entries} entries after anchor ${result.anchorSeq}`);
      });
    });
  return audit;
}
