import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createPortabilityClient, PortabilityApiError, type PortabilityArchiveState, type PortabilityClient } from '../../client/index.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../parse.js';
import { authorizeInteractively } from './authorize.js';
import { archiveFileName, downloadArchive, type DownloadResult } from './download.js';
import { createTransferProgress } from './progress.js';
import { readExportState, resourceKey, writeExportState, type ExportState } from './state-file.js';
import { summarizeArchive } from './summary.js';
import { verifyAndUnpack, type UnpackResult } from './unpack.js';
import { waitForArchive } from './poll.js';
import { startNotifyReceiver, type NotifyReceiver } from './notify-receiver.js';

export interface ExportOptions {
  server: string;
  resources: string[];
  out: string;
  token?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  incremental: boolean;
  /** How many times a FAILED job may be retried (0: none, just explain). */
  retries: number;
  cancelOnInterrupt: boolean;
  pollIntervalMs: number;
  pollMaxMs: number;
  limitRateBytes?: number | undefined;
  keepArchives: boolean;
  redirectPort: number;
  openBrowser: boolean;
  /** --notify: the loopback port of the client's registered webhook URL, and its secret; polling stays as the fallback. */
  notify?: { port: number; secret: string } | undefined;
}

/** Where an export stands, for the Ctrl-C handler: cancelling only makes sense while the job runs. */
type Phase = { kind: 'starting' } | { kind: 'waiting'; jobId: string } | { kind: 'downloading'; jobId: string };

/**
 * `dataport export`: the whole client flow against any Data Portability API server. Human progress goes to
 * stderr; the summary table goes to stdout. Throws CliError with the exit code of the outcome.
 */
export async function runExport(options: ExportOptions, signal: AbortSignal, onPhase: (phase: Phase) => void): Promise<void> {
  // Listening before the job starts: a notification that comes before the first wait is kept, not lost.
  const notifier = options.notify ? await startNotifyReceiver(options.notify.port, options.notify.secret) : undefined;
  if (notifier)
    process.stderr.write(`waiting for the job's notification on ${notifier.url} (polling every ${formatDuration(options.pollMaxMs)} as a fallback)\n`);
  try {
    await exportWith(options, signal, onPhase, notifier);
  } finally {
    await notifier?.close();
  }
}

/** What every step of one `dataport export` run shares: its options, the state file and where to report. */
interface ExportRun {
  options: ExportOptions;
  signal: AbortSignal;
  onPhase: (phase: Phase) => void;
  notifier: NotifyReceiver | undefined;
  /** The output folder, resolved. */
  out: string;
  state: ExportState;
  /** Writes `state` to the output folder. */
  save: () => void;
  log: (line: string) => void;
}

async function exportWith(options: ExportOptions, signal: AbortSignal, onPhase: (phase: Phase) => void, notifier: NotifyReceiver | undefined): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const out = path.resolve(options.out);
  mkdirSync(out, { recursive: true });
  const { state, foreign } = readExportState(out, options.server);
  if (foreign) log(`note: ${out} holds the state of exports from another server; starting afresh for ${options.server}`);
  const run: ExportRun = { options, signal, onPhase, notifier, out, state, save: () => writeExportState(out, state), log };

  onPhase({ kind: 'starting' });
  const { accessToken, resources } = await authorize(run);
  const key = resourceKey(resources);
  const api = createPortabilityClient({ rootUrl: options.server, accessToken, userAgent: 'dataport-cli' });
  const { jobId, archive } = await waitForArchiveRetryingFailures(run, api, await resumeOrInitiate(run, api, resources));

  onPhase({ kind: 'downloading', jobId });
  const urls = archive.urls ?? [];
  if (urls.length === 0) {
    state.inFlight = undefined;
    run.save();
    throw new CliError(
      `job ${jobId} is COMPLETE but its archive is no longer available (past retention, or the authorization was reset); run again for a new export`,
      EXIT.FAILURE,
    );
  }
  const downloads = await downloadParts(run, urls);
  const destDir = path.join(out, exportFolderName(archive.exportTime, jobId));
  const unpacked = await unpackParts(run, downloads, destDir);

  state.completed[key] = { exportTime: archive.exportTime ?? new Date().toISOString(), jobId, finishedAt: new Date().toISOString() };
  state.inFlight = undefined;
  run.save();
  if (!options.keepArchives) for (const d of downloads) rmSync(d.file, { force: true });

  const transferred = downloads.reduce((n, d) => n + d.transferredBytes, 0);
  const resumed = downloads.reduce((n, d) => n + (d.transferredBytes > 0 ? d.resumedFromByte : 0), 0);
  console.log(summarizeArchive(unpacked));
  console.log(
    `\njob ${jobId}: ${urls.length} part(s), ${formatBytes(transferred)} downloaded${resumed > 0 ? ` (+${formatBytes(resumed)} resumed from an earlier run)` : ''}; export time ${archive.exportTime}`,
  );
  console.log(`files in ${destDir}`);
}

/** The access token: the one given, or one from the browser sign-in, with the groups the user actually granted. */
async function authorize({ options, signal, log }: ExportRun): Promise<{ accessToken: string | (() => Promise<string>); resources: string[] }> {
  if (options.token) return { accessToken: options.token, resources: options.resources };
  const authorized = await authorizeInteractively({
    server: options.server,
    clientId: options.clientId!,
    clientSecret: options.clientSecret,
    resources: options.resources,
    redirectPort: options.redirectPort,
    openBrowser: options.openBrowser,
    signal,
    log,
  });
  // The consent screen lets the user grant a subset; asking for the rest would only earn PERMISSION_DENIED.
  if (authorized.grantedResources.length === 0) throw new CliError('the user granted none of the requested resource groups', EXIT.REFUSED);
  if (authorized.grantedResources.length < options.resources.length) {
    log(`note: the user granted only ${authorized.grantedResources.join(', ')}; exporting those`);
    return { accessToken: authorized.accessToken, resources: authorized.grantedResources };
  }
  return { accessToken: authorized.accessToken, resources: options.resources };
}

/** The job of an earlier run for the same groups, still in flight; else a new job (from the last export with --incremental). */
async function resumeOrInitiate(run: ExportRun, api: PortabilityClient, resources: string[]): Promise<string> {
  const { options, state, out, log } = run;
  const key = resourceKey(resources);
  const inFlight = state.inFlight;
  if (inFlight && resourceKey(inFlight.resources) === key) {
    log(`resuming job ${inFlight.jobId} (initiated ${inFlight.initiatedAt}) from an earlier run`);
    return inFlight.jobId;
  }
  if (inFlight) log(`note: dropping the unfinished export of ${inFlight.resources.join(',')} (job ${inFlight.jobId}) recorded in ${out}`);
  const startTime = options.since?.toISOString() ?? (options.incremental ? state.completed[key]?.exportTime : undefined);
  if (options.incremental) {
    log(
      startTime
        ? `incremental: exporting what is newer than the last export (${startTime})`
        : `incremental: no earlier export of these groups in ${out}; exporting everything`,
    );
  }
  const jobId = await initiate(api, { ...options, resources }, startTime, log);
  state.inFlight = { jobId, resources: [...resources].sort(), startTime, initiatedAt: new Date().toISOString(), downloads: {} };
  run.save();
  return jobId;
}

/**
 * Waits for the job to end, retrying a FAILED one as often as allowed (each retry is a new job). Resolves with a
 * COMPLETE archive; throws for a cancelled job, a failure past the retries, or an interrupt (cancelling the job
 * on the server with --cancel-on-interrupt).
 */
async function waitForArchiveRetryingFailures(
  run: ExportRun,
  api: PortabilityClient,
  firstJobId: string,
): Promise<{ jobId: string; archive: PortabilityArchiveState }> {
  const { options, signal, notifier, state } = run;
  let jobId = firstJobId;
  let retriesLeft = options.retries;
  for (;;) {
    run.onPhase({ kind: 'waiting', jobId });
    let archive: PortabilityArchiveState;
    try {
      archive = await waitForArchive(
        api,
        jobId,
        notifier
          ? // With a notification on its way, polling is only the fallback: at the longest interval from the start.
            { initialIntervalMs: options.pollMaxMs, maxIntervalMs: options.pollMaxMs, signal, stream: process.stderr, wait: notifier.waitForJob }
          : { initialIntervalMs: options.pollIntervalMs, maxIntervalMs: options.pollMaxMs, signal, stream: process.stderr },
      );
    } catch (error) {
      if (!signal.aborted || !options.cancelOnInterrupt) throw error;
      return cancelOnInterrupt(run, api, jobId, error);
    }
    if (archive.state === 'COMPLETE') return { jobId, archive };
    if (archive.state === 'CANCELLED') {
      state.inFlight = undefined;
      run.save();
      throw new CliError(`job ${jobId} was cancelled; run again to start a new export`, EXIT.JOB_CANCELLED);
    }
    if (retriesLeft <= 0) {
      throw new CliError(
        `job ${jobId} FAILED. Run the same command with --retry to retry it (a new job for the same data; the server allows 3 retries of a failed job)`,
        EXIT.JOB_FAILED,
      );
    }
    retriesLeft--;
    jobId = await retryFailedJob(run, api, jobId);
  }
}

/** Ctrl-C while waiting, with --cancel-on-interrupt: cancels the job on the server and ends the run. */
async function cancelOnInterrupt(run: ExportRun, api: PortabilityClient, jobId: string, interrupt: unknown): Promise<never> {
  try {
    await api.cancel(jobId);
  } catch (cancelError) {
    throw new CliError(`interrupted; cancelling job ${jobId} failed: ${(cancelError as Error).message}`, EXIT.INTERRUPTED, { cause: cancelError });
  }
  run.state.inFlight = undefined;
  run.save();
  throw new CliError(`interrupted; job ${jobId} cancelled on the server`, EXIT.INTERRUPTED, { cause: interrupt });
}

/** Retries a FAILED job: the new job's id, recorded as the one in flight. */
async function retryFailedJob(run: ExportRun, api: PortabilityClient, jobId: string): Promise<string> {
  const { state } = run;
  let retryId: string;
  try {
    ({ archiveJobId: retryId } = await api.retry(jobId));
    run.log(`job ${jobId} FAILED; retrying as job ${retryId}`);
  } catch (error) {
    if (error instanceof PortabilityApiError && error.status === 'FAILED_PRECONDITION') {
      state.inFlight = undefined;
      run.save();
      throw new CliError(`job ${jobId} FAILED and cannot be retried: ${error.message}`, EXIT.JOB_FAILED, { cause: error });
    }
    throw error;
  }
  state.inFlight = { ...state.inFlight!, jobId: retryId, downloads: {} };
  run.save();
  return retryId;
}

/** Downloads every part into the output folder's downloads, resuming the `.part` files an earlier run left. */
async function downloadParts(run: ExportRun, urls: readonly string[]): Promise<DownloadResult[]> {
  const { options, signal, state } = run;
  const downloadsDir = path.join(run.out, '.dataport', 'downloads');
  mkdirSync(downloadsDir, { recursive: true });
  const progress = createTransferProgress(process.stderr);
  const downloads: DownloadResult[] = [];
  try {
    for (const [i, url] of urls.entries()) {
      const name = archiveFileName(url, i);
      const saved = state.inFlight!.downloads[name];
      const result = await downloadArchive(url, downloadsDir, name, saved, {
        signal,
        progress,
        limitRateBytes: options.limitRateBytes,
        onHeaders: (headers) => {
          state.inFlight!.downloads[name] = headers;
          run.save();
        },
      });
      if (result.resumedFromByte > 0 && result.transferredBytes > 0)
        progress.note(`resumed ${name} from byte ${result.resumedFromByte} (${formatBytes(result.resumedFromByte)} kept from an earlier run)`);
      downloads.push(result);
    }
  } finally {
    progress.stop();
  }
  return downloads;
}

/** Verifies each downloaded part (sizes, CRC-32) and unpacks it into `destDir`; a corrupt part is deleted so a rerun fetches it again. */
async function unpackParts(run: ExportRun, downloads: readonly DownloadResult[], destDir: string): Promise<UnpackResult[]> {
  const unpacked: UnpackResult[] = [];
  for (const download of downloads) {
    try {
      unpacked.push(await verifyAndUnpack(download.file, destDir));
    } catch (error) {
      // A corrupt file must not be taken for a finished download next time: drop it so a rerun fetches it again.
      rmSync(download.file, { force: true });
      delete run.state.inFlight!.downloads[path.basename(download.file)];
      run.save();
      throw new CliError(`${(error as Error).message}; the file was deleted, run the same command again to download it again`, EXIT.FAILURE, { cause: error });
    }
  }
  run.log(
    `verified ${downloads.length} archive file(s) (sizes and CRC-32 of ${unpacked.reduce((n, u) => n + u.entries, 0)} entries); unpacked into ${destDir}`,
  );
  return unpacked;
}

async function initiate(api: PortabilityClient, options: ExportOptions, startTime: string | undefined, log: (line: string) => void): Promise<string> {
  try {
    const { archiveJobId, accessType } = await api.initiate({
      resources: options.resources,
      ...(startTime ? { startTime } : {}),
      ...(options.until ? { endTime: options.until.toISOString() } : {}),
    });
    log(
      `initiated job ${archiveJobId} (${accessType === 'ACCESS_TYPE_TIME_BASED' ? 'time-based access' : 'one-time access'}) for ${options.resources.join(', ')}`,
    );
    return archiveJobId;
  } catch (error) {
    if (!(error instanceof PortabilityApiError)) throw error;
    if (error.status === 'ALREADY_EXISTS' && error.metadata.job_id) {
      log(`an identical job (${error.metadata.job_id}) is already in progress; following it`);
      return error.metadata.job_id;
    }
    if (error.status === 'RESOURCE_EXHAUSTED') throw new CliError(explainExhausted(error), EXIT.RESOURCE_EXHAUSTED, { cause: error });
    throw new CliError(
      `the server refused the export: ${error.message} (${error.status}${error.reason ? `, ${error.reason}` : ''})`,
      error.httpStatus === 400 ? EXIT.USAGE : EXIT.FAILURE,
      { cause: error },
    );
  }
}

/** RESOURCE_EXHAUSTED, in words: which limit, when the next export is allowed, and what to do meanwhile. */
export function explainExhausted(error: PortabilityApiError, now = Date.now()): string {
  const previous = error.metadata.previous_job_ids ? ` Earlier job(s): ${error.metadata.previous_job_ids}.` : '';
  if (error.reason === 'RESOURCE_EXHAUSTED_TIME_BASED') {
    const after = error.metadata.timestamp_after_24hrs;
    const wait = after ? ` The next export is allowed after ${after} (in ${formatDuration(Date.parse(after) - now)}).` : '';
    return `RESOURCE_EXHAUSTED: a time-based authorization allows one export of each resource group per 24 hours.${wait}${previous}`;
  }
  if (error.reason === 'RESOURCE_EXHAUSTED_ONE_TIME') {
    return `RESOURCE_EXHAUSTED: this one-time authorization has been used for these resource groups.${previous} Ask the user for consent again (or reset the authorization) to export again.`;
  }
  return `RESOURCE_EXHAUSTED: ${error.message}${previous}`;
}

/** `2026-03-09T12-00-00Z-5f0c1a2b`: sorts by time, safe on every file system, unique per job. */
function exportFolderName(exportTime: string | undefined, jobId: string): string {
  const time = (exportTime ?? new Date().toISOString()).replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `${time}-${jobId.slice(0, 8)}`;
}
