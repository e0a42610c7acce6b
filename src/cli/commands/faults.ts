import { Command } from 'commander';
import type { DemoFault } from '../../sources/demo/index.js';
import { CliError, EXIT } from '../exit-codes.js';
import { withOperatorDataport } from '../operator-dataport.js';
import { requireDemoSource } from './emulator-guard.js';

const RULES_HELP = `Rules (as in DATAPORT_DEMO_FAULTS):
  fail:N     the next N jobs touching the group end FAILED (to test retry)
  flaky:N    N transient errors, absorbed by the job's own backoff, then success
  slow:MS    the group takes at least MS milliseconds (to test cancel)`;

/** `dataport faults set|list|clear`: the demo source's faults, changed while the server runs. */
export function faultsCommand(): Command {
  const faults = new Command('faults')
    .description("switch the demo source's faults on and off at run time (emulator only)")
    .addHelpText('after', `\n${RULES_HELP}\n\nA change applies to the next job; running jobs keep the faults they started with.`);

  faults
    .command('set')
    .description('add or replace fault rules, e.g. `dataport faults set maps.reviews=fail:1 chrome.history=slow:5000`')
    .argument('<rules...>', 'group=rule:value, one or more (or one comma-separated list)')
    .addHelpText('after', `\n${RULES_HELP}\n\nA rule replaces one of the same group and kind, and its count starts afresh.`)
    .action(async (rules: string[]) => {
      await withOperatorDataport(async (dataport) => {
        const { parseDemoFaults } = await import('../../sources/demo/index.js');
        const { setRuntimeFaults, formatFault } = await import('../../emulator/index.js');
        let parsed: DemoFault[];
        try {
          parsed = parseDemoFaults(
            rules.join(','),
            dataport.catalog.groups.map((g) => g.name),
          );
        } catch (error) {
          throw new CliError((error as Error).message.replace(/^DATAPORT_DEMO_FAULTS: /, ''), EXIT.USAGE);
        }
        if (parsed.length === 0) throw new CliError('no rules given', EXIT.USAGE);
        await requireDemoSource(dataport);
        const current = await setRuntimeFaults(dataport.db, parsed, dataport.now());
        console.error(`set ${parsed.map(formatFault).join(', ')}; applies to the next job`);
        printRules(current.map(formatFault));
      });
    });

  faults
    .command('list')
    .description("show the faults in effect: the server's DATAPORT_DEMO_FAULTS and those set at run time")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withOperatorDataport(async (dataport) => {
        const status = await requireDemoSource(dataport);
        const { listRuntimeFaults, formatFault } = await import('../../emulator/index.js');
        const runtime = await listRuntimeFaults(dataport.db);
        if (options.json) {
          console.log(JSON.stringify({ configured: status.configuredFaults, runtime: runtime.map(formatFault) }, null, 2));
          return;
        }
        console.log(`configured (DATAPORT_DEMO_FAULTS of the server): ${status.configuredFaults || '(none)'}`);
        console.log(`set at run time: ${runtime.length > 0 ? runtime.map(formatFault).join(',') : '(none)'}`);
      });
    });

  faults
    .command('clear')
    .description('remove run-time fault rules: all of them, or those of the named groups (DATAPORT_DEMO_FAULTS stays)')
    .argument('[groups...]', 'resource groups whose rules to remove')
    .action(async (groups: string[]) => {
      await withOperatorDataport(async (dataport) => {
        const unknown = groups.filter((g) => !dataport.catalog.get(g));
        if (unknown.length > 0) throw new CliError(`unknown resource group: ${unknown.join(', ')}`, EXIT.USAGE);
        await requireDemoSource(dataport);
        const { clearRuntimeFaults, formatFault } = await import('../../emulator/index.js');
        const remaining = await clearRuntimeFaults(dataport.db, groups, dataport.now());
        console.error(groups.length === 0 ? 'cleared every run-time fault' : `cleared the run-time faults of ${groups.join(', ')}`);
        printRules(remaining.map(formatFault));
      });
    });

  return faults;
}

/** The rules as `group=rule:value` (emulator's formatFault, loaded with the command's other emulator parts). */
function printRules(rules: readonly string[]): void {
  console.log(rules.length > 0 ? rules.join(',') : '(no run-time faults)');
}
