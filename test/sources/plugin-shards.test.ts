import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataport, type Dataport } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { download, readZip } from '../helpers/archive.js';
import { googleClient, waitForState } from '../helpers/dataport.js';
import { startServerProcess } from '../helpers/process.js';
import { RECORDS } from './fixtures/ranged-plugin.js';

const FIXTURE = path.resolve(import.meta.dirname, 'fixtures/ranged-plugin.ts');

/**
 * A plugin that offers its file in ranges (`shards`), run by `dataport start` as an operator runs it (the
 * compiled server when dist/ is current): the TypeScript producer module loads in the export threads too.
 */
describe('plugin source with shards, in a server process', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let operator: Dataport;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-plugin-shards-'));
    const catalog = path.join(dir, 'catalog.yaml');
    writeFileSync(
      catalog,
      `sources:
  ranged: { type: plugin, module: ${JSON.stringify(FIXTURE)} }
resourceGroups:
  - { name: ranged.entries, scope: "https://ranged.example/auth/ranged.entries", description: entries, source: ranged }
`,
    );
    const env = { DATAPORT_DATA_DIR: path.join(dir, 'data'), DATAPORT_CATALOG: catalog, DATAPORT_LOG_LEVEL: 'warn', DATAPORT_EXPORT_THREADS: '2' };
    server = await startServerProcess(env);
    operator = await createDataport(loadConfig(env), { api: false, worker: false, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await operator?.close();
    server?.child.kill('SIGTERM');
    if (server) await new Promise((r) => server.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports every record, in order, from the module's producer", async () => {
    const { accessToken } = await operator.tokens.grantAndIssueToken({
      userId: 'zoe',
      clientId: 'dataport-cli',
      resources: ['ranged.entries'],
      access: 'once',
    });
    const api = googleClient(server.url, accessToken);
    const { data } = await api.portabilityArchive.initiate({ requestBody: { resources: ['ranged.entries'] } });
    const state = await waitForState(api, data.archiveJobId!, undefined, 60_000);
    expect(state.state, server.logs()).toBe('COMPLETE');
    const entries = await readZip((await download(state.urls![0]!)).body);
    const file = entries.find((e) => e.name === 'Portability/Ranged/Entries.json')!;
    const records = JSON.parse(file.content.toString()) as { n: number; user: string }[];
    expect(records).toHaveLength(RECORDS);
    records.forEach((r, i) => expect(r).toEqual({ n: i, user: 'zoe', note: `entry ${i} for zoe` }));
  });
});
