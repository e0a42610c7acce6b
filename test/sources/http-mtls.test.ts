import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsSql } from '../../src/store/index.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { exportThroughApi, json } from './export-archive.js';

/** A throwaway CA, and a server and a client certificate it signs (EC keys: quick to make). */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test internal CA');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, cn, ext] of [
    ['server', 'localhost', ['-extfile', 'server.ext']],
    ['client', 'dataport-exporter', []],
  ] as const) {
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...ext);
  }
}

describe('http source with mutual TLS', () => {
  let dir: string;
  let server: https.Server;
  let dp: TestDataport;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-mtls-'));
    makeCertificates(dir);
    const read = (f: string) => readFileSync(path.join(dir, f));
    // The internal service accepts only clients with a certificate from its CA, and says who called.
    server = https.createServer(
      { key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const user = new URL(req.url!, 'https://x').searchParams.get('user_id');
        res.setHeader('content-type', 'application/x-ndjson');
        res.end(`${JSON.stringify({ user, calledBy: peer.subject.CN })}\n`);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    writeFileSync(
      path.join(dir, 'catalog.yaml'),
      `sources:
  internal:
    type: http
    url: https://127.0.0.1:${port}/
    auth: { mtls: { cert: client.crt, key: client.key, ca: ca.crt } }
  unverified:
    type: http
    url: https://127.0.0.1:${port}/
    attempts: 1
resourceGroups:
  - { name: svc.profile, scope: "https://svc.example/auth/svc.profile", description: profile, source: internal, files: [{ path: Svc/Profile.json, endpoint: profile, format: json-object }] }
  - { name: svc.other, scope: "https://svc.example/auth/svc.other", description: other, source: unverified, files: [{ path: Svc/Other.json, endpoint: profile }] }
`,
    );
    dp = await startDataport({ DATAPORT_CATALOG: path.join(dir, 'catalog.yaml'), DATAPORT_JOB_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    await dp?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('presents the client certificate and checks the server against the given CA', async () => {
    const archive = await exportThroughApi(dp, 'u1', ['svc.profile']);
    expect(archive.state).toBe('COMPLETE');
    expect(json(archive.files, 'Svc/Profile.json')).toEqual({ user: 'u1', calledBy: 'dataport-exporter' });
  });

  it("without the CA the server's certificate is not trusted: FAILED, the TLS reason kept for the operator", async () => {
    const archive = await exportThroughApi(dp, 'u2', ['svc.other']);
    expect(archive.state).toBe('FAILED');
    const job = await jobsSql.findJob(dp.dataport.db, archive.jobId);
    expect(job!.failure_reason).toMatch(/certificate/i);
  });
});
