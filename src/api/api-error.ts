import type { RpcStatus } from './google-errors.js';

/** An error raised by the API layer itself (bad parameters, bad body, authentication). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: RpcStatus,
    message: string,
    readonly info?: { reason: string; domain?: string; metadata?: Record<string, string> },
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
