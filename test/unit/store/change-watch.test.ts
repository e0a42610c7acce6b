import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChangeWatch, ExactCache } from '../../../src/store/change-watch.js';

describe('ExactCache over a ChangeWatch (SQLite)', () => {
  let dir: string;
  let file: string;
  let db: SQLite.Database;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'change-watch-'));
    file = path.join(dir, 'db.sqlite');
    db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table jobs (id text primary key, state text); create table archive_parts (job_id text, part_index integer)');
    db.exec("insert into jobs values ('a', 'IN_PROGRESS'), ('b', 'IN_PROGRESS')");
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const readState = (id: string) => async () => (db.prepare('select state from jobs where id = ?').pluck().get(id) as string | undefined);

  it('drops exactly the entry whose row this connection writes (old and new key of an update)', async () => {
    const cache = new ExactCache<string>(createChangeWatch(db), ['jobs', 'archive_parts'], 10);
    await cache.load('a', readState('a'));
    await cache.load('b', readState('b'));
    db.prepare("update jobs set state = 'COMPLETE' where id = 'a'").run();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('IN_PROGRESS');
    db.prepare("insert into archive_parts values ('b', 0)").run();
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps nothing from a read that a write overtook while it was in flight', async () => {
    const cache = new ExactCache<string>(createChangeWatch(db), ['jobs'], 10);
    const before = db.prepare("select state from jobs where id = 'a'").pluck().get() as string;
    await cache.load('a', async () => {
      db.prepare("update jobs set state = 'COMPLETE' where id = 'b'").run(); // any watched write, even another row's
      return before;
    });
    expect(cache.get('a')).toBeUndefined();
  });

  it('a commit by another connection clears it on the next get', async () => {
    const cache = new ExactCache<string>(createChangeWatch(db), ['jobs'], 10);
    await cache.load('a', readState('a'));
    expect(cache.get('a')).toBe('IN_PROGRESS');
    const other = new SQLite(file);
    other.prepare("update jobs set state = 'CANCELLED' where id = 'a'").run();
    other.close();
    expect(cache.get('a')).toBeUndefined();
  });

  it('checks for other connections\' commits once per marker (one HTTP request), and again for the next one', async () => {
    const cache = new ExactCache<string>(createChangeWatch(db), ['jobs'], 10);
    await cache.load('a', readState('a'));
    const request = {};
    expect(cache.get('a', request)).toBe('IN_PROGRESS');
    const other = new SQLite(file);
    other.prepare("update jobs set state = 'CANCELLED' where id = 'a'").run();
    other.close();
    // The same request already checked: it reads as of its first check.
    expect(cache.get('a', request)).toBe('IN_PROGRESS');
    expect(cache.get('a', {})).toBeUndefined();
  });

  it('is bounded: the oldest entry goes first', async () => {
    const cache = new ExactCache<string>(createChangeWatch(db), ['jobs'], 1);
    await cache.load('a', readState('a'));
    await cache.load('b', readState('b'));
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('IN_PROGRESS');
  });
});
