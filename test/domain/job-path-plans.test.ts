import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobDomain, type JobDomain } from './job-domain.js';

// What every job does (initiate, a poll, a worker's claim and publish) must find its rows by the job's or the
// caller's own keys. A lookup by `state = 'IN_PROGRESS'` alone reads every running job of every user: with
// 2,000 jobs queued under 200 initiates/s, each initiate's duplicate check read all of them on the API's
// thread (bench/README.md, round 8). SQLite plans without statistics, so the plan is the same on every
// database of this schema; PostgreSQL plans from its own statistics.
let d: JobDomain;
beforeAll(async () => {
  d = await createJobDomain({ maxJobsPerUser: 5 });
});
afterAll(() => d.close());

/**
 * The SQL texts SQLite prepared while `run` ran (Dataport's statement cache prepares each text once), each
 * with SQLite's plan for it (`explain query plan`, its `?` bound to null: the plan doesn't depend on values).
 */
async function plansOf(run: () => Promise<unknown>): Promise<Map<string, string[]>> {
  const plans = new Map<string, string[]>();
  const prepare = SQLite.prototype.prepare;
  SQLite.prototype.prepare = function (this: SQLite.Database, source: string) {
    if (!plans.has(source) && /^(select|update|delete)/.test(source)) {
      const explain = prepare.call(this, `explain query plan ${source}`);
      const values = (source.match(/\?/g) ?? []).map(() => null);
      plans.set(
        source,
        (explain.all(values) as { detail: string }[]).map((row) => row.detail),
      );
    }
    return prepare.call(this, source);
  } as typeof prepare;
  try {
    await run();
  } finally {
    SQLite.prototype.prepare = prepare;
  }
  return plans;
}

describe('the statements of a job, from initiate to COMPLETE', () => {
  it("find jobs by the job's id, its grant or its owner, never by their state alone", async () => {
    const { caller } = await d.consent({ user: 'u-plans', resources: ['myactivity.search', 'chrome.history'] });
    const plans = await plansOf(async () => {
      const { archiveJobId } = await d.jobs.initiateArchive(caller, { resources: ['myactivity.search'] });
      await d.jobs.getArchiveState(caller, archiveJobId);
      await d.complete(archiveJobId);
      await d.jobs.getArchiveState(caller, archiveJobId);
    });
    const jobLookups = [...plans].flatMap(([statement, plan]) =>
      plan.filter((line) => /\b(SCAN|SEARCH) jobs\b/.test(line)).map((line) => ({ statement, line })),
    );
    expect(jobLookups.length).toBeGreaterThan(3);
    for (const { statement, line } of jobLookups) {
      expect(line, statement).toMatch(/^SEARCH jobs USING (COVERING )?INDEX \S+ \((id|grant_id|user_id)=\?/);
    }
  });
});
