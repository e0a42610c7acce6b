import { Command, InvalidArgumentError } from 'commander';
import { hasGraphicalDisplay } from '../../config.js';
import { CliError, EXIT } from '../exit-codes.js';
import { parseByteSize, parseDurationMs, parseList, parseTime } from '../parse.js';
import { runExport, type ExportOptions } from '../export/run-export.js';

interface ExportFlags {
  server: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
  resources: string[];
  since?: string;
  until?: string;
  incremental?: boolean;
  out: string;
  retry?: string | boolean;
  cancelOnInterrupt?: boolean;
  pollInterval: number;
  pollMax: number;
  limitRate?: number;
  keepArchives?: boolean;
  redirectPort: string;
  browser: boolean;
  notify?: string;
  notifySecret?: string;
}

/** `dataport export`: a complete client of any Data Portability API server, Dataport or Google's. */
export function exportCommand(): Command {
  return new Command('export')
    .description(
      'export your data from a Data Portability API server (Dataport, or https://dataportability.googleapis.com/): authorize, initiate, wait, download, verify, unpack',
    )
    .requiredOption('--server <url>', "the API server's root URL, e.g. http://localhost:8080 or https://dataportability.googleapis.com/")
    .requiredOption('--resources <groups>', 'comma-separated resource groups, e.g. myactivity.search,chrome.history', parseList)
    .requiredOption('--out <dir>', 'output folder: each export is unpacked into a sub-folder; state for --incremental and resuming is kept here')
    .option('--client-id <id>', 'OAuth client id (needed unless --token is given)')
    .option('--client-secret <secret>', 'OAuth client secret, for confidential clients (public clients use PKCE alone)')
    .option('--token <access token>', 'skip OAuth and use this access token (e.g. from `dataport token`)')
    .option('--since <time>', 'startTime: export only data from this time on (RFC 3339, a date, or a duration ago such as 7d)')
    .option('--until <time>', 'endTime: export only data up to this time')
    .option('--incremental', 'use the exportTime of the last export into --out (same resources) as startTime')
    .option('--retry [times]', "retry a FAILED job, up to this many times (default 3, the server's limit)")
    .option('--cancel-on-interrupt', 'on Ctrl-C while the job runs, cancel it on the server (otherwise it keeps running and a rerun resumes it)')
    .option('--poll-interval <duration>', 'first pause between state polls; grows by half each poll', parseDurationMs, 2000)
    .option('--poll-max <duration>', 'longest pause between polls (Google suggests polling every 5 to 60 minutes)', parseDurationMs, 60_000)
    .option(
      '--notify <port>',
      "wait for the job's signed notification on http://127.0.0.1:<port>/ (the client's registered webhook URL); polls at --poll-max as a fallback",
    )
    .option('--notify-secret <whsec>', "the client's webhook secret (whsec_…) that --notify verifies signatures with")
    .option('--limit-rate <bytes>', 'download at most this many bytes per second, e.g. 512KiB', parseByteSize)
    .option('--keep-archives', 'keep the downloaded ZIP files (in <out>/.dataport/downloads) after unpacking')
    .option('--redirect-port <port>', 'loopback port for the OAuth redirect http://127.0.0.1:<port>/callback (0: any free port)', '0')
    .option('--no-browser', 'only print the authorization URL, do not open a browser')
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 failure, 2 usage error, 3 RESOURCE_EXHAUSTED (the message says when the next
export is allowed), 4 job FAILED, 5 job CANCELLED, 7 the user granted none of the resource groups,
130 interrupted (run the same command again to resume).

Examples:
  dataport token --user alice --resources myactivity.search --access 30d   # a token from a local Dataport
  dataport export --server http://localhost:8080 --token "$TOKEN" --resources myactivity.search --out ./alice
  dataport export --server http://localhost:8080 --token "$TOKEN" --resources myactivity.search --out ./alice --incremental
  dataport export --server https://dataportability.googleapis.com/ --client-id ID --client-secret SECRET \\
                  --resources myactivity.youtube --out ./takeout`,
    )
    .action(async (flags: ExportFlags) => {
      const options = toOptions(flags);
      const controller = new AbortController();
      let phase: Parameters<Parameters<typeof runExport>[2]>[0] = { kind: 'starting' };
      let interrupted = false;
      const onSignal = () => {
        if (interrupted) process.exit(EXIT.INTERRUPTED);
        interrupted = true;
        controller.abort(new Error('interrupted'));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await runExport(options, controller.signal, (p) => (phase = p));
      } catch (error) {
        if (!interrupted || error instanceof CliError) throw error;
        throw new CliError(afterInterrupt(options, phase), EXIT.INTERRUPTED);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

/** What Ctrl-C leaves behind (runExport itself cancels the job when --cancel-on-interrupt asks it to). */
function afterInterrupt(options: ExportOptions, phase: { kind: string; jobId?: string }): string {
  if (phase.kind === 'waiting' && phase.jobId) {
    return `interrupted; job ${phase.jobId} keeps running on the server. Run the same command again to pick it up${options.cancelOnInterrupt ? '' : ' (or pass --cancel-on-interrupt to cancel on Ctrl-C)'}`;
  }
  if (phase.kind === 'downloading') return 'interrupted; the partial download is kept (.part). Run the same command again to resume it';
  return 'interrupted';
}

function toOptions(flags: ExportFlags): ExportOptions {
  let server: URL;
  try {
    server = new URL(flags.server);
  } catch {
    throw new InvalidArgumentError(`--server: expected a URL such as http://localhost:8080, got "${flags.server}"`);
  }
  if (!flags.token && !flags.clientId)
    throw new CliError('give --client-id (to authorize with OAuth) or --token (an access token you already have)', EXIT.USAGE);
  if (flags.resources.length === 0) throw new CliError('--resources: name at least one resource group', EXIT.USAGE);
  if (flags.since && flags.incremental) throw new CliError('--since and --incremental both set the start time; give one', EXIT.USAGE);
  const retries = flags.retry === undefined ? 0 : flags.retry === true ? 3 : Number(flags.retry);
  if (!Number.isInteger(retries) || retries < 0) throw new CliError(`--retry: expected a whole number, got "${String(flags.retry)}"`, EXIT.USAGE);
  const redirectPort = Number(flags.redirectPort);
  if (!Number.isInteger(redirectPort) || redirectPort < 0 || redirectPort > 65535)
    throw new CliError(`--redirect-port: expected a port number, got "${flags.redirectPort}"`, EXIT.USAGE);
  if (flags.pollMax < flags.pollInterval) throw new CliError('--poll-max must not be shorter than --poll-interval', EXIT.USAGE);
  const notifyPort = flags.notify === undefined ? undefined : Number(flags.notify);
  if (notifyPort !== undefined && (!Number.isInteger(notifyPort) || notifyPort < 1 || notifyPort > 65535))
    throw new CliError(`--notify: expected a port number, got "${flags.notify}"`, EXIT.USAGE);
  if ((notifyPort === undefined) !== (flags.notifySecret === undefined)) throw new CliError('--notify and --notify-secret go together', EXIT.USAGE);
  if (flags.notifySecret !== undefined && !flags.notifySecret.startsWith('whsec_'))
    throw new CliError("--notify-secret: expected the client's whsec_… secret", EXIT.USAGE);
  return {
    server: server.toString().replace(/\/+$/, ''),
    resources: flags.resources,
    out: flags.out,
    token: flags.token,
    clientId: flags.clientId,
    clientSecret: flags.clientSecret,
    since: flags.since === undefined ? undefined : parseTime(flags.since, Date.now),
    until: flags.until === undefined ? undefined : parseTime(flags.until, Date.now),
    incremental: flags.incremental === true,
    retries,
    cancelOnInterrupt: flags.cancelOnInterrupt === true,
    pollIntervalMs: flags.pollInterval,
    pollMaxMs: flags.pollMax,
    limitRateBytes: flags.limitRate,
    keepArchives: flags.keepArchives === true,
    redirectPort,
    notify: notifyPort === undefined ? undefined : { port: notifyPort, secret: flags.notifySecret! },
    openBrowser: flags.browser && hasGraphicalDisplay(),
  };
}
