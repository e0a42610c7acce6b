/**
 * What `dataport` exits with. Scripts and CI branch on these, so a number never changes meaning; new
 * outcomes get new numbers. Documented in docs/cli.md.
 */
export const EXIT = Object.freeze({
  /** Done. */
  OK: 0,
  /** Something went wrong that is not one of the outcomes below (server unreachable, archive corrupt, a bug). */
  FAILURE: 1,
  /** Bad flags, values or configuration: nothing was changed. */
  USAGE: 2,
  /** export: the server refused with RESOURCE_EXHAUSTED (one-time access used, or 24 hours not yet passed). */
  RESOURCE_EXHAUSTED: 3,
  /** export: the archive job ended FAILED (and was not, or could no longer be, retried). */
  JOB_FAILED: 4,
  /** export: the archive job ended CANCELLED. */
  JOB_CANCELLED: 5,
  /** jobs show|retry|cancel: no such job. */
  NOT_FOUND: 6,
  /** The request is valid but the state does not allow it: retry of a job that is not FAILED, cancel of one
   * that is not IN_PROGRESS, the retry limit, emulator controls on a server without the demo source, or a
   * consent that granted none of the requested groups. */
  REFUSED: 7,
  /** audit verify: the audit log's hash chain is broken (an entry altered, removed or inserted). */
  AUDIT_BROKEN: 8,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
