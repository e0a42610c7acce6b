import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPollCache, type PollCache } from '../../../src/api/poll-cache.js';
import { hashToken, type Authenticated } from '../../../src/auth/index.js';
import type { Caller } from '../../../src/jobs/index.js';
import { createChangeWatch } from '../../../src/store/change-watch.js';

/**
 * The poll cache over a real change watch on a SQLite file: the tables hold only the key columns the watch
 * reports. Each test remembers something, changes a row (or the clock), and asks again.
 */
describe('the poll cache', () => {
  let dir: string;
  let file: string;
  let db: SQLite.Database;
  let clock: number;
  let cache: PollCache;
  let reads: number;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'poll-cache-'));
    file = path.join(dir, 'db.sqlite');
    db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.exec(`create table access_tokens (token_hash text primary key); create table oidc_payloads (id text primary key);
      create table grants (id text primary key); create table jobs (id text primary key, state text); create table archive_parts (job_id text)`);
    db.exec("insert into jobs values ('job-a', 'IN_PROGRESS'), ('job-b', 'IN_PROGRESS'); insert into grants values ('g')");
    clock = 1_000_000;
    reads = 0;
    cache = createPollCache({ watch: createChangeWatch(db), now: () => clock });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const authenticate =
    (holdsUntil = Infinity) =>
    async (token: string | undefined): Promise<Authenticated> => {
      reads++;
      return {
        caller: Object.freeze({ userId: `user of ${token}`, clientId: 'c', grantId: 'g', resources: ['r'], accessType: 'ACCESS_TYPE_ONE_TIME' }),
        holdsUntil,
      };
    };
  const callerOf = async (token: string, holdsUntil = Infinity) => cache.caller(token, {}, authenticate(holdsUntil));
  const readState =
    (jobId: string, holdsUntil = Infinity) =>
    async () => {
      reads++;
      return { text: String(db.prepare('select state from jobs where id = ?').pluck().get(jobId)), holdsUntil };
    };
  const answerOf = async (caller: Caller, jobId: string, holdsUntil = Infinity, pretty = true) =>
    cache.answer(caller, jobId, pretty, {}, readState(jobId, holdsUntil));
  const inAnotherConnection = (sql: string) => {
    const other = new SQLite(file);
    other.prepare(sql).run();
    other.close();
  };

  it('keeps a caller and an answer: asked again, it answers from memory, without a promise', async () => {
    const caller = await callerOf('t1');
    expect(cache.caller('t1', {}, authenticate())).toBe(caller);
    expect(await answerOf(caller, 'job-a')).toBe('IN_PROGRESS');
    expect(cache.answer(caller, 'job-a', true, {}, readState('job-a'))).toBe('IN_PROGRESS');
    expect(reads).toBe(2);
  });

  it("a write to a token's row (either issuer's) drops that token, not another", async () => {
    const first = await callerOf('t1');
    const second = await callerOf('t2');
    db.prepare('insert into access_tokens values (?)').run(hashToken('t1'));
    expect(await callerOf('t1')).not.toBe(first);
    expect(await callerOf('t2')).toBe(second);
    db.prepare('insert into oidc_payloads values (?)').run(hashToken('t2'));
    expect(await callerOf('t2')).not.toBe(second);
  });

  it("a write to a job's row or to its parts drops that job's answers, not another's", async () => {
    const caller = await callerOf('t1');
    await answerOf(caller, 'job-a');
    await answerOf(caller, 'job-b');
    db.prepare("update jobs set state = 'CANCELLED' where id = 'job-a'").run();
    expect(await answerOf(caller, 'job-a')).toBe('CANCELLED');
    const before = reads;
    expect(await answerOf(caller, 'job-b')).toBe('IN_PROGRESS');
    expect(reads).toBe(before);
    db.exec("update jobs set state = 'COMPLETE' where id = 'job-b'; insert into archive_parts values ('job-b')");
    expect(await answerOf(caller, 'job-b')).toBe('COMPLETE');
  });

  it('a write to any grant (a consent, a revocation) drops everything', async () => {
    const caller = await callerOf('t1');
    await answerOf(caller, 'job-a');
    db.prepare("insert into grants values ('another')").run();
    expect(await callerOf('t1')).not.toBe(caller);
    const before = reads;
    await answerOf(caller, 'job-a');
    expect(reads).toBe(before + 1);
  });

  it('a commit by another connection drops everything, seen once per request', async () => {
    const caller = await callerOf('t1');
    await answerOf(caller, 'job-a');
    const request = {};
    expect(cache.caller('t1', request, authenticate())).toBe(caller);
    inAnotherConnection("update jobs set state = 'CANCELLED' where id = 'job-a'");
    // The same request already checked: it answers as of its first check.
    expect(cache.answer(caller, 'job-a', true, request, readState('job-a'))).toBe('IN_PROGRESS');
    expect(await answerOf(caller, 'job-a')).toBe('CANCELLED');
    inAnotherConnection("insert into access_tokens values ('unrelated')");
    expect(await callerOf('t1')).not.toBe(caller);
  });

  it("sees another connection's commit after this connection's own writes and after the other restarted the WAL", async () => {
    // This connection's own commits leave data_version as it was (its triggers report them row by row); a
    // checkpoint that restarts the WAL, made by another connection, does not hide that connection's next commit.
    const caller = await callerOf('t1');
    await answerOf(caller, 'job-a');
    db.prepare("update jobs set state = 'COMPLETE' where id = 'job-b'").run();
    expect(cache.answer(caller, 'job-a', true, {}, readState('job-a'))).toBe('IN_PROGRESS');
    inAnotherConnection('pragma wal_checkpoint(truncate)');
    // SQLite's data_version counts the other connection's checkpoint as a change: asked again, it is read again.
    await answerOf(caller, 'job-a');
    inAnotherConnection("update jobs set state = 'CANCELLED' where id = 'job-a'");
    expect(await answerOf(caller, 'job-a')).toBe('CANCELLED');
    for (let i = 0; i < 3; i++) {
      db.prepare("update jobs set state = ? where id = 'job-b'").run(`S${i}`);
      inAnotherConnection(`update jobs set state = 'S${i}' where id = 'job-a'`);
      expect(await answerOf(caller, 'job-a')).toBe(`S${i}`);
    }
  });

  it('keeps nothing from a read that a watched write overtook while it was in flight', async () => {
    const caller = await callerOf('t1');
    const stale = await cache.answer(caller, 'job-a', true, {}, async () => {
      const text = String(db.prepare("select state from jobs where id = 'job-a'").pluck().get());
      db.prepare("update jobs set state = 'COMPLETE' where id = 'job-b'").run(); // any watched write, even another job's
      return { text, holdsUntil: Infinity };
    });
    expect(stale).toBe('IN_PROGRESS');
    const before = reads;
    await answerOf(caller, 'job-a');
    expect(reads).toBe(before + 1);
    const overtaken = await cache.caller('t2', {}, async (token) => {
      db.prepare("insert into oidc_payloads values ('x')").run();
      return authenticate()(token);
    });
    expect(await callerOf('t2')).not.toBe(overtaken);
  });

  it('holds a caller until its expiry and an answer until its own, by the clock', async () => {
    const caller = await callerOf('t1', clock + 1000);
    await answerOf(caller, 'job-a', clock + 500);
    clock += 499;
    expect(cache.caller('t1', {}, authenticate())).toBe(caller);
    expect(cache.answer(caller, 'job-a', true, {}, readState('job-a'))).toBe('IN_PROGRESS');
    clock += 1;
    expect(cache.answer(caller, 'job-a', true, {}, readState('job-a'))).toBeInstanceOf(Promise);
    clock += 500;
    expect(cache.caller('t1', {}, authenticate())).toBeInstanceOf(Promise);
    // An answer that no longer holds when it arrives is not kept.
    const expired = await callerOf('t3', clock);
    expect(await callerOf('t3')).not.toBe(expired);
  });

  it('keeps an answer per caller object and per form (indented or compact)', async () => {
    const caller = await callerOf('t1');
    const other = await callerOf('t2');
    await answerOf(caller, 'job-a');
    const before = reads;
    await answerOf(other, 'job-a');
    await answerOf(caller, 'job-a', Infinity, false);
    expect(reads).toBe(before + 2);
  });

  it('without a watch (PostgreSQL), reads on every request', async () => {
    const uncached = createPollCache({ watch: undefined, now: () => clock });
    const caller = await uncached.caller('t1', {}, authenticate());
    expect(uncached.caller('t1', {}, authenticate())).toBeInstanceOf(Promise);
    await uncached.answer(caller, 'job-a', true, {}, readState('job-a'));
    expect(uncached.answer(caller, 'job-a', true, {}, readState('job-a'))).toBeInstanceOf(Promise);
  });
});
