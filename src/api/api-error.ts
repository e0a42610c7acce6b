import type { RpcStatus } from './google-errors.js';

/** One entry of a `google.rpc.BadRequest` detail: what was wrong, and where when it is inside a field. */
export interface FieldViolation {
  field?: string;
  description: string;
}

/** An error raised by the API layer itself (bad parameters, bad body, authentication). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: RpcStatus,
    message: string,
    readonly info?: { reason: string; domain?: string; metadata?: Record<string, string> },
    readonly headers?: Record<string, string>,
    /** Sent as a `google.rpc.BadRequest` detail. */
    readonly violations?: readonly FieldViolation[],
  ) {
    super(message);
  }

  /**
   * What Google's front end answers when a request does not fit the method's message: 400 INVALID_ARGUMENT,
   * every violation's description on a line of the message, and a BadRequest detail listing them.
   */
  static badRequest(violations: readonly FieldViolation[]): ApiError {
    return new ApiError('INVALID_ARGUMENT', violations.map((v) => v.description).join('\n'), undefined, undefined, violations);
  }
}
