import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../helpers/process.js';

describe('exit codes', () => {
  it('docs/cli.md documents exactly the codes the CLI uses', () => {
    const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Exit codes'), doc.indexOf('\n## ', doc.indexOf('## Exit codes') + 1));
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(documented.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it('bad export usage exits 2 with a message, before any request', async () => {
    const base = ['export', '--server', 'http://127.0.0.1:9', '--resources', 'chrome.history', '--out', 'unused'];
    const [noAuth, both, badServer] = await Promise.all([
      runCli(base, {}),
      runCli([...base, '--token', 't', '--since', '7d', '--incremental'], {}),
      runCli(['export', '--server', 'not a url', '--resources', 'chrome.history', '--out', 'unused', '--token', 't'], {}),
    ]);
    expect(noAuth.code).toBe(2);
    expect(noAuth.stderr).toContain('--client-id');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--since and --incremental');
    expect(badServer.code).toBe(2);
    expect(badServer.stderr).toContain('--server');
  });
});
