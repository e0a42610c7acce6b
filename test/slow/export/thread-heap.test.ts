import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./thread-heap-probe.ts', import.meta.url));

describe('export threads under the heap flags of npm start', () => {
  // `--max-semi-space-size` is a process-wide V8 flag: unless cleared it sized every export thread's new
  // space at 32 MiB, overriding the threads' own limit of 4 MiB, and a 1 GB export peaked near 300 MiB RSS.
  it("keep their own small young generation, while the main thread keeps the flag's", () => {
    const out = execFileSync(process.execPath, ['--max-semi-space-size=8', '--max-old-space-size=1024', '--import', 'tsx', PROBE], { encoding: 'utf8' });
    const figures = JSON.parse(out.trim().split('\n').at(-1)!) as { threadNewSpaceMiB: number; mainNewSpaceMiB: number };
    expect(figures.threadNewSpaceMiB).toBeLessThanOrEqual(4);
    expect(figures.mainNewSpaceMiB).toBe(16);
  }, 60_000);
});
