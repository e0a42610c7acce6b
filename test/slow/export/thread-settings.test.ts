import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./thread-probe.ts', import.meta.url));

interface Figures {
  threadNewSpaceMiB: number;
  mainNewSpaceMiB: number;
  threadNiceness: number;
  mainNicenessBefore: number;
  mainNicenessAfter: number;
}

/** One range made in an export thread of a process started as `npm start` starts the server. */
function probe(): Figures {
  const out = execFileSync(process.execPath, ['--max-semi-space-size=8', '--max-old-space-size=1024', '--import', 'tsx', PROBE], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Figures;
}

describe('export threads, as npm start runs the server', () => {
  // `--max-semi-space-size` is a process-wide V8 flag: unless cleared it sized every export thread's new
  // space at 32 MiB, overriding the threads' own limit of 4 MiB, and a 1 GB export peaked near 300 MiB RSS.
  it("keep their own small young generation, while the main thread keeps the flag's", () => {
    const figures = probe();
    // 4 MiB, at times 4.75 while a collection runs; with the flag's it would be the main thread's 16.
    expect(figures.threadNewSpaceMiB).toBeLessThan(8);
    expect(figures.mainNewSpaceMiB).toBe(16);
  }, 60_000);

  // Exports are background work: with two cores busy deflating, a poll waited behind them for the CPU.
  it.runIf(process.platform === 'linux')(
    'run at a lower priority than the thread that answers requests, which keeps its own',
    () => {
      const figures = probe();
      expect(figures.threadNiceness).toBe(Math.max(10, figures.mainNicenessBefore));
      expect(figures.mainNicenessAfter).toBe(figures.mainNicenessBefore);
    },
    60_000,
  );
});
