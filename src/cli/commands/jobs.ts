import { Command, Option } from 'commander';
import type { JobDetails, JobState, OperatorJobs } from '../../jobs/index.js';
import type { Dataport } from '../../app.js';
import type { JobRow } from '../../store/index.js';
import { CliError, EXIT } from '../exit-codes.js';
import { withOperatorDataport } from '../operator-dataport.js';
import { formatBytes, parseTime } from '../parse.js';
import { formatTable } from '../table.js';

/** The protocol's job states (fixed); fails to compile if JobState gains one this list lacks. */
const STATE_CHOICES = ['IN_PROGRESS', 'COMPLETE', 'FAILED', 'CANCELLED'] as const satisfies readonly JobState[];
const stateChoicesComplete: Exclude<JobState, (typeof STATE_CHOICES)[number]> extends never ? true : never = true;
void stateChoicesComplete;

/** The jobs domain is loaded with the server's parts, only by the commands that run. */
async function operatorJobs(dataport: Dataport): Promise<OperatorJobs> {
  const { createOperatorJobs } = await import('../../jobs/index.js');
  return createOperatorJobs(dataport);
}

interface ListOptions {
  state?: JobState;
  user?: string;
  client?: string;
  group?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
}

/** `dataport jobs list|show|retry|cancel`: the operator's view of archive jobs across users and clients. */
export function jobsCommand(): Command {
  const jobs = new Command('jobs').description('list, inspect, retry and cancel archive jobs of every user (operator commands)');

  jobs
    .command('list')
    .description('list archive jobs, newest first')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(STATE_CHOICES))
    .option('--user <id>', 'only jobs of this user')
    .option('--client <id>', 'only jobs of this OAuth client')
    .option('--group <name>', 'only jobs that include this resource group')
    .option('--since <time>', 'created at or after: RFC 3339 (2026-03-01T12:00:00Z), a date, or a duration ago (24h)')
    .option('--until <time>', 'created before: same forms as --since')
    .option('--limit <n>', 'at most this many jobs', '50')
    .option('--json', 'print a JSON array instead of a table')
    .action(async (options: ListOptions) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit: expected a whole number above 0, got "${options.limit}"`, EXIT.USAGE);
      await withOperatorDataport(async (dataport) => {
        if (options.group !== undefined && !dataport.catalog.get(options.group)) {
          throw new CliError(`--group: unknown resource group "${options.group}"`, EXIT.USAGE);
        }
        const { now } = dataport;
        const rows = await (
          await operatorJobs(dataport)
        ).listJobs({
          state: options.state,
          userId: options.user,
          clientId: options.client,
          group: options.group,
          createdSince: options.since === undefined ? undefined : parseTime(options.since, now).getTime(),
          createdUntil: options.until === undefined ? undefined : parseTime(options.until, now).getTime(),
          limit,
        });
        if (options.json) {
          console.log(JSON.stringify(rows.map(jobJson), null, 2));
          return;
        }
        if (rows.length === 0) {
          console.error('no jobs match');
          return;
        }
        console.log(
          formatTable(
            ['JOB', 'STATE', 'USER', 'CLIENT', 'ACCESS', 'CREATED', 'RESOURCES'],
            rows.map((j) => [j.id, j.state, j.user_id, j.client_id, accessLabel(j), iso(j.created_at), resourcesLabel(j)]),
          ),
        );
      });
    });

  jobs
    .command('show')
    .description('show one job: state, failure reason, archive parts and attempts')
    .argument('<job>', 'the archive job id')
    .option('--json', 'print JSON')
    .action(async (jobId: string, options: { json?: boolean }) => {
      const details = await withJobs((jobs) => jobs.showJob(jobId));
      console.log(options.json ? JSON.stringify(detailsJson(details), null, 2) : describeJob(details));
    });

  jobs
    .command('retry')
    .description('retry a FAILED job as its user would (archiveJobs.retry: a new job, at most 3 per original)')
    .argument('<job>', 'the archive job id')
    .action(async (jobId: string) => {
      const { archiveJobId } = await withJobs((jobs) => jobs.retryJob(jobId));
      console.error(`job ${jobId} retried; the new job is IN_PROGRESS`);
      console.log(archiveJobId);
    });

  jobs
    .command('cancel')
    .description('cancel an IN_PROGRESS job (archiveJobs.cancel): the export stops and its partial output is deleted')
    .argument('<job>', 'the archive job id')
    .action(async (jobId: string) => {
      await withJobs((jobs) => jobs.cancelJob(jobId));
      console.log(`job ${jobId} cancelled`);
    });

  return jobs;
}

/**
 * One call of the jobs domain, with the domain's refusals as exit codes: a missing job and a refused state
 * change are different outcomes.
 */
async function withJobs<T>(call: (jobs: OperatorJobs) => Promise<T>): Promise<T> {
  try {
    return await withOperatorDataport(async (dataport) => call(await operatorJobs(dataport)));
  } catch (error) {
    const { JobError } = await import('../../jobs/index.js');
    if (error instanceof JobError) {
      throw new CliError(error.message, error.code === 'JOB_NOT_FOUND' ? EXIT.NOT_FOUND : EXIT.REFUSED, { cause: error });
    }
    throw error;
  }
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());
/** JSON's form of an optional time: null stays null. */
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const accessLabel = (j: JobRow) => (j.access_type === 'ACCESS_TYPE_ONE_TIME' ? 'once' : 'time-based');

function resourcesLabel(j: JobRow): string {
  const groups = JSON.parse(j.resources) as string[];
  return groups.length <= 3 ? groups.join(',') : `${groups.slice(0, 3).join(',')} +${groups.length - 3}`;
}

function jobJson(j: JobRow) {
  return {
    id: j.id,
    state: j.state,
    userId: j.user_id,
    clientId: j.client_id,
    accessType: j.access_type,
    resources: JSON.parse(j.resources) as string[],
    startTime: isoOrNull(j.start_time),
    endTime: isoOrNull(j.end_time),
    exportTime: iso(j.export_time),
    createdAt: iso(j.created_at),
    finishedAt: isoOrNull(j.finished_at),
    retryOf: j.retry_of,
    attempt: j.attempt,
    transientFailures: j.transient_failures,
    failureReason: j.failure_reason,
    archiveExpiresAt: isoOrNull(j.archive_expires_at),
    archiveDeletedAt: isoOrNull(j.archive_deleted_at),
  };
}

function detailsJson(d: JobDetails) {
  return {
    ...jobJson(d.job),
    parts: d.parts.map((p) => ({
      index: p.part_index,
      blobKey: p.blob_key,
      sizeBytes: p.size_bytes,
      sha256: p.sha256,
      downloadedAt: isoOrNull(p.downloaded_at),
    })),
    retries: d.retries.map((r) => ({ id: r.id, state: r.state, createdAt: iso(r.created_at), failureReason: r.failure_reason })),
    runs: d.runs.map((r) => ({
      attempt: r.attempt,
      worker: r.worker,
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      outcome: r.outcome,
      records: r.records,
      bytes: r.bytes,
      error: r.error,
    })),
  };
}

function describeJob(d: JobDetails): string {
  const j = d.job;
  const lines: [string, string][] = [
    ['job', j.id],
    ['state', j.state],
    ['user', j.user_id],
    ['client', j.client_id],
    ['access', j.access_type],
    ['resources', (JSON.parse(j.resources) as string[]).join(', ')],
    ['window', j.start_time === null && j.end_time === null ? 'everything' : `${iso(j.start_time) || 'earliest'} .. ${iso(j.end_time) || 'export time'}`],
    ['export time', iso(j.export_time)],
    ['created', iso(j.created_at)],
    ['finished', iso(j.finished_at) || '-'],
    ['runs', `${j.attempt} (a worker claim each; more than 1 after a crash or a transient error)`],
    ['transient errors', String(j.transient_failures)],
    ['failure reason', j.failure_reason ?? '-'],
  ];
  if (d.original) lines.push(['retry of', `${d.original.id} (${d.original.state})`]);
  const retries = d.retries.filter((r) => r.id !== j.id);
  if (retries.length > 0) lines.push(['retries', retries.map((r) => `${r.id} (${r.state})`).join(', ')]);
  lines.push([
    'archive',
    j.archive_deleted_at !== null ? `deleted ${iso(j.archive_deleted_at)}` : j.archive_expires_at !== null ? `kept until ${iso(j.archive_expires_at)}` : '-',
  ]);
  const width = Math.max(...lines.map(([k]) => k.length));
  let text = lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
  if (d.parts.length > 0) {
    text += `\n\n${formatTable(
      ['PART', 'SIZE', 'SHA-256', 'DOWNLOADED'],
      d.parts.map((p) => [String(p.part_index + 1), formatBytes(p.size_bytes), p.sha256.slice(0, 16), iso(p.downloaded_at) || 'not yet']),
      { alignRight: [0, 1] },
    )}`;
  }
  if (d.runs.length > 0) {
    text += `\n\n${formatTable(
      ['RUN', 'WORKER', 'STARTED', 'ENDED', 'OUTCOME', 'RECORDS', 'SIZE'],
      d.runs.map((r) => [
        String(r.attempt),
        r.worker,
        iso(r.started_at),
        iso(r.ended_at) || '-',
        `${r.outcome ?? 'open'}${r.error ? `: ${r.error}` : ''}`,
        r.records === null ? '-' : String(r.records),
        r.bytes === null ? '-' : formatBytes(r.bytes),
      ]),
      { alignRight: [0, 5, 6] },
    )}`;
  }
  return text;
}
