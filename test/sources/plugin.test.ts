import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsSql } from '../../src/store/index.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { exportThroughApi, json } from './export-archive.js';

const EXAMPLE_CATALOG = path.resolve(import.meta.dirname, '../../examples/plugin/catalog.yaml');
const FIXTURE = path.resolve(import.meta.dirname, 'fixtures/flaky-plugin.mjs');

describe('plugin source: the example TypeScript module', () => {
  let dp: TestDataport;
  beforeAll(async () => {
    dp = await startDataport({ DATAPORT_CATALOG: EXAMPLE_CATALOG });
  });
  afterAll(async () => dp?.close());

  it('records and bytes from the module land in the archive; the time window reaches it', async () => {
    const archive = await exportThroughApi(dp, 'member-7', ['loyalty.points'], { startTime: '2024-02-01T00:00:00Z', endTime: '2024-03-01T00:00:00Z' });
    expect(archive.state).toBe('COMPLETE');
    const points = json(archive.files, 'Shop Stars/Points.json');
    expect(points.map((p: any) => p.week)).toEqual([
      '2024-02-05T00:00:00.000Z',
      '2024-02-12T00:00:00.000Z',
      '2024-02-19T00:00:00.000Z',
      '2024-02-26T00:00:00.000Z',
    ]);
    expect(points[0]).toMatchObject({ points: 10, user: 'member-7' });
    const card = await exportThroughApi(dp, 'member-7', ['loyalty.card']);
    expect(card.files.get('Shop Stars/Member card.txt')!.toString()).toBe('Shop Stars member card\nMember: member-7\n');
  });
});

describe('plugin source: failures', () => {
  let dir: string;
  let dp: TestDataport;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-plugin-'));
    const catalog = path.join(dir, 'catalog.yaml');
    writeFileSync(
      catalog,
      `sources:
  ledger:
    type: plugin
    module: ${JSON.stringify(path.relative(dir, FIXTURE).startsWith('.') ? path.relative(dir, FIXTURE) : `./${path.relative(dir, FIXTURE)}`)}
    options: { transientFailures: 2 }
resourceGroups:
  - { name: ledger.flaky, scope: "https://ledger.example/auth/ledger.flaky", description: flaky, source: ledger }
  - { name: ledger.broken, scope: "https://ledger.example/auth/ledger.broken", description: broken, source: ledger }
`,
    );
    dp = await startDataport({ DATAPORT_CATALOG: catalog, DATAPORT_JOB_ATTEMPTS: '3' });
  });
  afterAll(async () => {
    await dp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a TransientSourceError (matched by name) is retried by the job runner until it passes', async () => {
    const archive = await exportThroughApi(dp, 'u1', ['ledger.flaky']);
    expect(archive.state).toBe('COMPLETE');
    expect(JSON.parse(archive.files.get('Flaky/Result.ndjson')!.toString())).toEqual({ ok: true, user: 'u1', groups: ['ledger.flaky', 'ledger.broken'] });
    const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
    expect(job!.transient_failures).toBe(2);
  });

  it('a PermanentSourceError mid-file fails the job at once; the client sees FAILED, the operator the reason', async () => {
    const archive = await exportThroughApi(dp, 'u2', ['ledger.broken']);
    expect(archive.state).toBe('FAILED');
    const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
    expect(job!.failure_reason).toBe('PermanentSourceError: the ledger for this group was deleted');
    expect(job!.transient_failures).toBe(0);
  });

  it('a module that cannot be loaded stops start-up, pointing at the source in the catalog', async () => {
    const catalog = path.join(dir, 'missing.yaml');
    writeFileSync(
      catalog,
      'sources:\n  gone:\n    type: plugin\n    module: ./nowhere.mjs\nresourceGroups:\n  - { name: a.b, scope: "https://x.example/a", description: d, source: gone }\n',
    );
    await expect(startDataport({ DATAPORT_CATALOG: catalog })).rejects.toThrow(`${catalog}:3:5: source "gone": cannot load plugin module ./nowhere.mjs`);
  });
});
