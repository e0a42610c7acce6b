import { Command } from 'commander';
import { withOperatorDataport } from '../operator-dataport.js';
import { formatDuration, parseDurationMs } from '../parse.js';
import { requireDemoSource } from './emulator-guard.js';

/** `dataport clock show|advance|reset`: the emulator's clock offset, so day-long rules can be tested in seconds. */
export function clockCommand(): Command {
  const clock = new Command('clock')
    .description("move the emulator's clock forward (emulator only): the 24-hour limit, URL and archive expiry, grant expiry")
    .addHelpText(
      'after',
      `
The server's time is the system time plus this offset. A running server picks a change up within a second.
Everything follows it: export limits, token and grant expiry, signed URL expiry, archive retention, and the
demo source's records (new ones appear as the clock moves).

Examples:
  dataport clock advance 24h     # the next time-based export is allowed
  dataport clock advance 15d     # archives are past their 14-day retention (then: dataport gc)
  dataport clock reset`,
    );

  clock
    .command('show')
    .description('print the offset and the emulated time')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withOperatorDataport(async (dataport) => {
        await requireDemoSource(dataport);
        const { readClockOffsetMs } = await import('../../emulator/index.js');
        print(await readClockOffsetMs(dataport.db), options.json);
      });
    });

  clock
    .command('advance')
    .description('move the clock forward by a duration (30s, 24h, 14d, 1d12h)')
    .argument('<duration>', 'how far', parseDurationMs)
    .option('--json', 'print JSON')
    .action(async (by: number, options: { json?: boolean }) => {
      await withOperatorDataport(async (dataport) => {
        await requireDemoSource(dataport);
        const { readClockOffsetMs, writeClockOffsetMs } = await import('../../emulator/index.js');
        const offset = (await readClockOffsetMs(dataport.db)) + by;
        await writeClockOffsetMs(dataport.db, offset, Date.now());
        if (!options.json) console.error(`advanced the clock by ${formatDuration(by)}; a running server follows within a second`);
        print(offset, options.json);
      });
    });

  clock
    .command('reset')
    .description('back to the system time (offset 0)')
    .action(async () => {
      await withOperatorDataport(async (dataport) => {
        await requireDemoSource(dataport);
        const { writeClockOffsetMs } = await import('../../emulator/index.js');
        await writeClockOffsetMs(dataport.db, 0, Date.now());
        print(0, false);
      });
    });

  return clock;
}

function print(offsetMs: number, json: boolean | undefined): void {
  const emulated = new Date(Date.now() + offsetMs).toISOString();
  if (json) console.log(JSON.stringify({ offsetMs, emulatedTime: emulated }));
  else console.log(`offset ${offsetMs === 0 ? '0 (system time)' : `+${formatDuration(offsetMs)}`}; emulated time ${emulated}`);
}
