import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsSql } from '../../src/store/index.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { exportThroughApi } from './export-archive.js';

describe('files source, through the googleapis client', () => {
  let dir: string;
  let dp: TestDataport;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-files-'));
    const root = path.join(dir, 'root');
    const alice = path.join(root, 'alice', 'docs');
    mkdirSync(path.join(alice, 'nested', 'deeper'), { recursive: true });
    writeFileSync(path.join(alice, 'a.txt'), 'first file');
    writeFileSync(path.join(alice, 'nested', 'deeper', 'b.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(path.join(dir, 'outside-secret.txt'), 'must never be exported');
    mkdirSync(path.join(dir, 'docs'));
    writeFileSync(path.join(dir, 'docs', 'outside.txt'), 'must never be exported');
    mkdirSync(path.join(root, 'bob', 'docs'), { recursive: true });
    writeFileSync(path.join(root, 'bob', 'docs', 'bob.txt'), "bob's");
    // Links: one to a file inside alice's folder (followed), one out of the root and one to bob (both skipped),
    // one to a folder (not followed, so loops cannot hang an export).
    symlinkSync(path.join(alice, 'a.txt'), path.join(alice, 'link-inside.txt'));
    symlinkSync(path.join(dir, 'outside-secret.txt'), path.join(alice, 'link-out.txt'));
    symlinkSync(path.join(root, 'bob', 'docs', 'bob.txt'), path.join(alice, 'link-to-bob.txt'));
    symlinkSync(alice, path.join(alice, 'nested', 'loop'));
    // A hard link to a file outside the root looks like any other file in alice's folder.
    linkSync(path.join(dir, 'outside-secret.txt'), path.join(alice, 'hard-link-out.txt'));
    // A user whose folder is itself a link out of the root.
    symlinkSync(dir, path.join(root, 'mallory'));
    // A user whose folder is a link into another user's folder, inside the root.
    symlinkSync(path.join(root, 'bob'), path.join(root, 'carol'));
    const catalog = path.join(dir, 'catalog.yaml');
    writeFileSync(
      catalog,
      `sources:
  drive:
    type: files
    root: ./root
resourceGroups:
  - name: drive.docs
    scope: https://drive.example.com/auth/drive.docs
    description: Move a copy of your documents
    source: drive
    files:
      - path: Drive/Documents
        folder: "{user_id}/docs"
`,
    );
    dp = await startDataport({ DATAPORT_CATALOG: catalog, DATAPORT_JOB_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    await dp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies the user's folder tree byte for byte; links inside it are followed, links out of it and hard links are not", async () => {
    const archive = await exportThroughApi(dp, 'alice', ['drive.docs']);
    expect(archive.state).toBe('COMPLETE');
    const names = [...archive.files.keys()].filter((k) => k.startsWith('Drive/')).sort();
    expect(names).toEqual(['Drive/Documents/a.txt', 'Drive/Documents/link-inside.txt', 'Drive/Documents/nested/deeper/b.bin']);
    expect(archive.files.get('Drive/Documents/a.txt')!.toString()).toBe('first file');
    expect([...archive.files.get('Drive/Documents/nested/deeper/b.bin')!]).toEqual([0, 1, 2, 255]);
    for (const content of archive.files.values()) expect(content.toString()).not.toContain('must never be exported');
  });

  it('a user without a folder gets a COMPLETE archive without files', async () => {
    const archive = await exportThroughApi(dp, 'nobody', ['drive.docs']);
    expect(archive.state).toBe('COMPLETE');
    expect([...archive.files.keys()].filter((k) => k.startsWith('Drive/'))).toEqual([]);
  });

  it("a user folder that is a link into another user's folder → FAILED, nothing of theirs exported", async () => {
    const archive = await exportThroughApi(dp, 'carol', ['drive.docs']);
    expect(archive.state).toBe('FAILED');
    expect(archive.files.size).toBe(0);
    const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
    expect(job!.failure_reason).toMatch(/folder \{user_id\}\/docs of this user is a symbolic link/);
  });

  it('a user id that would leave the root, or a user folder linked out of it → FAILED, the reason kept for the operator', async () => {
    for (const user of ['..', 'mallory']) {
      const archive = await exportThroughApi(dp, user, ['drive.docs']);
      expect(archive.state).toBe('FAILED');
      const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
      expect(job!.failure_reason).toMatch(/PermanentSourceError: files source "drive"|out of the source root/);
    }
  });
});
