import { jobRunsSql, jobsSql, type ArchivePartRow, type Db, type JobRow, type JobRunRow } from '../store/index.js';
import { JobError } from './errors.js';
import type { Caller, JobService } from './types.js';

export type JobListFilter = jobsSql.JobListFilter;

/** One job as the operator sees it: the row, its archive parts and the retries of its original job. */
export interface JobDetails {
  job: JobRow;
  parts: ArchivePartRow[];
  /** The failed job this one retries, if it is a retry. */
  original: JobRow | undefined;
  /** Every retry of the original job (this one included when it is a retry), oldest first. */
  retries: JobRow[];
  /** Every run of this job (a worker's claim and how it ended), first run first. */
  runs: JobRunRow[];
}

/**
 * The operator's view of archive jobs, across users and clients (`dataport jobs`). Retry and cancel go
 * through the same domain functions as the API, acting as the job's own user and client, so the rules are
 * the same: only a FAILED job can be retried (at most three times), only an IN_PROGRESS one cancelled.
 */
export function createOperatorJobs(deps: { db: Db; jobs: JobService }) {
  const { db, jobs } = deps;

  async function findJob(jobId: string): Promise<JobRow> {
    const job = await jobsSql.findJob(db, jobId);
    if (!job) throw new JobError('JOB_NOT_FOUND');
    return job;
  }

  /** The job's owner, as the API would have established it from the owner's token. */
  function ownerOf(job: JobRow): Caller {
    return {
      userId: job.user_id,
      clientId: job.client_id,
      grantId: job.grant_id,
      resources: JSON.parse(job.resources) as string[],
      accessType: job.access_type,
    };
  }

  return {
    listJobs: (filter: JobListFilter) => jobsSql.listJobs(db, filter),

    async showJob(jobId: string): Promise<JobDetails> {
      const job = await findJob(jobId);
      const originalId = job.retry_of ?? job.id;
      const [parts, original, retries, runs] = await Promise.all([
        jobsSql.listParts(db, job.id),
        job.retry_of ? jobsSql.findJob(db, job.retry_of) : Promise.resolve(undefined),
        jobsSql.listRetriesOf(db, originalId),
        jobRunsSql.listRuns(db, job.id),
      ]);
      return { job, parts, original, retries, runs };
    },

    /** `operator` names who acted in the audit log (`cli`, or the console's operator with their address). */
    async retryJob(jobId: string, operator = 'cli', ip?: string): Promise<{ archiveJobId: string }> {
      return jobs.retryJob(ownerOf(await findJob(jobId)), jobId, { operator, ...(ip ? { ip } : {}) });
    },

    async cancelJob(jobId: string, operator = 'cli', ip?: string): Promise<void> {
      await jobs.cancelJob(ownerOf(await findJob(jobId)), jobId, { operator, ...(ip ? { ip } : {}) });
    },
  };
}

export type OperatorJobs = ReturnType<typeof createOperatorJobs>;
