import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config.js';
import { createDataport } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dataport-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function catalogFile(text: string, ext = 'yaml'): string {
  const file = path.join(dir, `catalog-${++n}.${ext}`);
  writeFileSync(file, text);
  return file;
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

const GOOD = `sources:
  db:
    type: sql
    url: \${DB_URL}
resourceGroups:
  - name: shop.orders
    scope: https://shop.example.com/auth/shop.orders
    description: Your orders
    timeFilter: true
    source: db
    files:
      - path: Shop/Orders.json
        query: SELECT * FROM orders WHERE customer_id = :user_id
`;

describe('catalog files', () => {
  it('a valid YAML catalog gives groups with their scopes and sources; ${NAME} is read from the environment', () => {
    const loaded = loadCatalogFile(catalogFile(GOOD), { DB_URL: 'sqlite:shop.db' });
    expect(loaded.catalog.groups).toEqual([
      { name: 'shop.orders', scope: 'https://shop.example.com/auth/shop.orders', description: 'Your orders', supportsTimeFilter: true, source: 'db' },
    ]);
    expect(loaded.sources.get('db')).toMatchObject({ type: 'sql', url: 'sqlite:shop.db', attempts: 3 });
    expect(loaded.groups[0]!.files[0]).toMatchObject({ format: 'json-array', path: 'Shop/Orders.json' });
  });

  it('JSON catalogs are read too, and their mistakes are placed just as well', () => {
    const file = catalogFile(
      JSON.stringify(
        {
          sources: { db: { type: 'sql', url: 'sqlite:x.db' } },
          resourceGroups: [{ name: 'a.b', scope: 'https://x.example/a.b', description: 'd', source: 'dbb', files: [] }],
        },
        null,
        2,
      ),
      'json',
    );
    expect(errorOf(() => loadCatalogFile(file, {}))).toBe(`${file}:13:17: no source named "dbb" (declared: db)`);
  });

  it('every mistake is listed with file:line:column: unknown field, missing field, bad scope, unknown source type, unset variable', () => {
    const file = catalogFile(`sources:
  db:
    type: sql
    url: \${NOT_SET}
  pics:
    type: folder
resourceGroups:
  - name: shop.orders
    scope: not-a-uri
    source: db
    files:
      - path: Shop/Orders.json
        querry: SELECT 1
`);
    const message = errorOf(() => loadCatalogFile(file, {}));
    expect(message).toContain(`${file}:4:10: environment variable NOT_SET is not set`);
    expect(message).toContain(`${file}:6:11: type: expected one of: sql, files, http, plugin, demo`);
    expect(message).toContain(`${file}:9:12: scope: expected the full scope URI`);
    expect(message).toContain(`${file}:8:5: description: required`);
  });

  it('a file entry is checked against its source type: a field of another connector is named at its line', () => {
    const file = catalogFile(GOOD.replace('query: SELECT * FROM orders WHERE customer_id = :user_id', 'folder: "{user_id}"'));
    const message = errorOf(() => loadCatalogFile(file, { DB_URL: 'sqlite:x.db' }));
    expect(message).toContain(`${file}:12:9: unknown field "folder"`);
    expect(message).toContain(`${file}:12:9: query: required`);
  });

  it('duplicate names and scopes, and archive paths escaping the archive, are refused', () => {
    const file = catalogFile(`${GOOD}  - name: shop.orders
    scope: https://shop.example.com/auth/shop.orders
    description: again
    source: db
    files:
      - path: ../../etc/passwd
        query: SELECT 1
`);
    const message = errorOf(() => loadCatalogFile(file, { DB_URL: 'sqlite:x.db' }));
    expect(message).toContain(`${file}:14:11: resource group "shop.orders" is already declared (at ${file}:6:11)`);
    expect(message).toContain(`${file}:15:12: scope is already granted by "shop.orders"`);
    expect(message).toContain(`${file}:19:15: path: must be a relative path`);
  });

  it('YAML syntax errors carry their position', () => {
    const file = catalogFile('sources:\n  db: [unclosed\nresourceGroups: []\n');
    expect(errorOf(() => loadCatalogFile(file, {}))).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
  });

  it("an unknown :parameter in a query stops start-up at the query's line, and nothing is left open", async () => {
    const file = catalogFile(GOOD.replace(':user_id', ':customer'));
    const config = loadConfig({
      PORT: '0',
      DATAPORT_DATA_DIR: path.join(dir, 'data'),
      DATAPORT_CATALOG: file,
      DB_URL: 'sqlite:x.db',
      DATAPORT_LOG_LEVEL: 'silent',
    });
    await expect(createDataport(config, { api: true, worker: true, logger: createLogger('silent') })).rejects.toThrow(
      `${file}:13:16: unknown parameter :customer (a query may use :user_id, :start_time, :end_time)`,
    );
  });

  it("a group the demo source does not serve stops start-up at the group's name, not at its first export", async () => {
    const file = catalogFile(`sources:
  demo:
    type: demo
resourceGroups:
  - name: myactivity.search
    scope: https://www.googleapis.com/auth/dataportability.myactivity.search
    description: Your searches
    source: demo
  - name: shop.orders
    scope: https://shop.example.com/auth/shop.orders
    description: Your orders
    source: demo
`);
    const config = loadConfig({ PORT: '0', DATAPORT_DATA_DIR: path.join(dir, 'data'), DATAPORT_CATALOG: file, DATAPORT_LOG_LEVEL: 'silent' });
    const error = await createDataport(config, { api: true, worker: true, logger: createLogger('silent') }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toBe(`${file}:9:11: the demo source "demo" has no resource group "shop.orders" (it serves Google's, such as myactivity.search)`);
  });
});
