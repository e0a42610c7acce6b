import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../helpers/process.js';

// `${NAME}` in a catalog file is for secrets and connection settings; the public parts of the catalog (the
// discovery document, the consent page) must never receive one, and no start-up error may quote one.
const dir = mkdtempSync(path.join(tmpdir(), 'dataport-catalog-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'pw-7f3a9c1e-do-not-print';

let n = 0;
function catalog(text: string): Record<string, string> {
  const file = path.join(dir, `catalog-${++n}.yaml`);
  writeFileSync(file, text);
  return { DATAPORT_DATA_DIR: path.join(dir, `data-${n}`), DATAPORT_CATALOG: file, DATAPORT_LOG_LEVEL: 'warn', PORT: '0' };
}

const group = (description: string) => `resourceGroups:
  - name: shop.orders
    scope: https://shop.example.com/auth/shop.orders
    description: ${description}
    source: backend
    files:
      - path: Shop/Orders.json
        endpoint: orders
`;

describe('${NAME} in a catalog file', () => {
  it('in a public field (a group description) → start-up refused at its line; the value never reaches the discovery document', async () => {
    const env = {
      ...catalog(`sources:\n  backend:\n    type: http\n    url: http://127.0.0.1:9/\n${group('Your orders ${SHOP_DB_PASSWORD}')}`),
      SHOP_DB_PASSWORD: SECRET,
    };
    const started = await startServerProcess(env).catch((error: Error) => error);
    if (!(started instanceof Error)) {
      const discovery = await (await fetch(`${started.url}/$discovery/rest?version=v1`)).text();
      started.child.kill();
      expect(discovery).not.toContain(SECRET);
      expect.fail('the server started with ${NAME} in a description');
    }
    expect(started.message).toMatch(/catalog-\d+\.yaml:8:18: \$\{SHOP_DB_PASSWORD\} is read from the environment only below "sources"/);
    expect(started.message).not.toContain(SECRET);
  });

  it('a secret that makes a source setting invalid → start-up refused naming the variable, never quoting its value', async () => {
    const env = {
      ...catalog(`sources:\n  backend:\n    type: http\n    url: http://127.0.0.1:9/\n    timeout: \${BACKEND_TOKEN}\n${group('Your orders')}`),
      BACKEND_TOKEN: SECRET,
    };
    const run = await runCli(['start'], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/catalog-\d+\.yaml:5:14: timeout: expected a duration such as 500ms, 30s or 2m, got "\$\{BACKEND_TOKEN\}"/);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });

  it('DATAPORT_STORAGE_URL with credentials in it → start-up refused without quoting them', async () => {
    // A "/" in the secret makes the value no URL at all, which was quoted whole.
    const run = await runCli(['start'], {
      DATAPORT_DATA_DIR: path.join(dir, 'data-s3'),
      DATAPORT_STORAGE_URL: `s3://AKIAEXAMPLE:${SECRET}/x@archives`,
      PORT: '0',
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/DATAPORT_STORAGE_URL: /);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });
});
