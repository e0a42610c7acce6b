import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { startDataport, type TestDataport } from '../helpers/dataport.js';

export interface SqlTestFile {
  readonly path: string;
  readonly format: string;
  readonly query: string;
  readonly jsonColumns?: readonly string[];
}

export interface SqlTestGroup {
  readonly name: string;
  readonly description: string;
  readonly timeFilter?: boolean;
  readonly files: readonly SqlTestFile[];
}

/**
 * A catalog with one `sql` source, `db`, at the URL the environment variable `urlVariable` holds (resolved
 * when the catalog loads, as an operator's would be), reading `fetchRows` rows a batch, and these groups.
 */
export function sqlCatalogYaml(urlVariable: string, fetchRows: number, groups: readonly SqlTestGroup[]): string {
  return stringify({
    sources: { db: { type: 'sql', url: `\${${urlVariable}}`, fetchRows } },
    resourceGroups: groups.map(({ name, description, timeFilter, files }) => ({
      name,
      scope: `https://dataport.test/auth/${name}`,
      description,
      ...(timeFilter ? { timeFilter } : {}),
      source: 'db',
      files,
    })),
  });
}

/**
 * A SQLite database of the test's own, seeded with `seedSql`, and a Dataport whose `catalog` (a YAML text)
 * reads it through the environment variable `urlVariable`. `close()` stops Dataport and removes both.
 */
export async function startOnSqlite(
  name: string,
  seedSql: string,
  urlVariable: string,
  catalog: string,
): Promise<{ dp: TestDataport; file: string; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), `dataport-${name}-`));
  const file = path.join(dir, `${name}.db`);
  const db = new Database(file);
  db.exec(seedSql);
  db.close();
  const catalogFile = path.join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, catalog);
  let dp: TestDataport;
  try {
    dp = await startDataport({ DATAPORT_CATALOG: catalogFile, [urlVariable]: `sqlite:${file}` });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dp,
    file,
    async close() {
      await dp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
