import type { AuthError } from '../auth/index.js';
import type { JobErrorCode } from '../jobs/index.js';
import type { FieldViolation } from './api-error.js';

/** google.rpc.Code names with their HTTP status (AIP-193). */
export const RPC_STATUS = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
} as const;

export type RpcStatus = keyof typeof RPC_STATUS;

/** The service's own ErrorInfo domain, and its name in the `service` metadata Google's front end adds. */
export const ERROR_DOMAIN = 'dataportability.googleapis.com';
export const SERVICE_NAME = 'dataportability.googleapis.com';
/** The domain of errors Google's front end raises itself (authentication, scopes), for any API. */
export const FRONT_END_DOMAIN = 'googleapis.com';
/** The gRPC service whose methods the `method` metadata names, e.g. `….DataPortabilityService.CheckAccessType`. */
export const RPC_SERVICE = 'google.dataportability.v1.DataPortabilityService';

interface Mapping {
  status: RpcStatus;
  /** ErrorInfo reason; a function when it depends on the job's access type. */
  reason?: string | ((metadata: Record<string, string>, accessType?: string) => string);
  /** ErrorInfo domain when not the service's; `googleapis.com` ones carry `service` and `method` metadata. */
  domain?: string;
}

/** Every domain error's wire form; `satisfies` makes a new JobErrorCode without a row fail to compile. */
export const JOB_ERROR_MAPPING = {
  INVALID_REQUEST: { status: 'INVALID_ARGUMENT' },
  UNKNOWN_RESOURCE: { status: 'INVALID_ARGUMENT' },
  // AIP-193's reason for a token whose scopes do not cover the request (choice: reference/API.md).
  RESOURCES_NOT_AUTHORIZED: { status: 'PERMISSION_DENIED', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: FRONT_END_DOMAIN },
  TIME_FILTER_NOT_SUPPORTED: { status: 'INVALID_ARGUMENT' },
  INVALID_TIME_RANGE: { status: 'INVALID_ARGUMENT' },
  ONE_TIME_EXHAUSTED: { status: 'RESOURCE_EXHAUSTED', reason: 'RESOURCE_EXHAUSTED_ONE_TIME' },
  TIME_BASED_EXHAUSTED: { status: 'RESOURCE_EXHAUSTED', reason: 'RESOURCE_EXHAUSTED_TIME_BASED' },
  ALREADY_EXISTS: {
    status: 'ALREADY_EXISTS',
    reason: (_m, accessType) => (accessType === 'ACCESS_TYPE_ONE_TIME' ? 'ALREADY_EXISTS_ONE_TIME' : 'ALREADY_EXISTS_TIME_BASED'),
  },
  JOB_NOT_FOUND: { status: 'NOT_FOUND' },
  NOT_RETRYABLE: { status: 'FAILED_PRECONDITION' },
  ALREADY_RETRIED: { status: 'FAILED_PRECONDITION' },
  RETRY_LIMIT_REACHED: { status: 'FAILED_PRECONDITION' },
  NOT_CANCELLABLE: { status: 'FAILED_PRECONDITION' },
  // A quota of the service, not a rule of the protocol: Google's quota error, as for request rates.
  TOO_MANY_JOBS: { status: 'RESOURCE_EXHAUSTED', reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' },
} satisfies Record<JobErrorCode, Mapping>;

/**
 * How Google's front end answers a request without valid credentials, by AuthError code: always 401
 * UNAUTHENTICATED with these messages (as public reports of Google APIs' answers show them) and an ErrorInfo
 * in the `googleapis.com` domain whose reason says why.
 */
const INVALID_CREDENTIALS_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
export const AUTH_ERROR_MAPPING = {
  MISSING_CREDENTIALS: {
    reason: 'CREDENTIALS_MISSING',
    message:
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  },
  EXPIRED_CREDENTIALS: { reason: 'ACCESS_TOKEN_EXPIRED', message: INVALID_CREDENTIALS_MESSAGE },
  INVALID_CREDENTIALS: { reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', message: INVALID_CREDENTIALS_MESSAGE },
} satisfies Record<AuthError['code'], { reason: string; message: string }>;

export type ErrorDetail =
  | { '@type': 'type.googleapis.com/google.rpc.ErrorInfo'; reason: string; domain: string; metadata?: Record<string, string> }
  | { '@type': 'type.googleapis.com/google.rpc.BadRequest'; fieldViolations: FieldViolation[] };

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: RpcStatus;
    details?: ErrorDetail[];
  };
}

/**
 * The one function that shapes an error body: `{"error": {code, message, status, details}}`, with an ErrorInfo
 * detail (domain `dataportability.googleapis.com` unless `info.domain` says otherwise) and a BadRequest detail.
 */
export function googleError(
  status: RpcStatus,
  message: string,
  info?: { reason: string; domain?: string; metadata?: Record<string, string> },
  violations?: readonly FieldViolation[],
): { httpStatus: number; body: GoogleErrorBody } {
  const httpStatus = RPC_STATUS[status];
  const body: GoogleErrorBody = { error: { code: httpStatus, message, status } };
  const details: ErrorDetail[] = [];
  if (info) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: info.reason,
      // Errors of Google's front end (credentials, scopes, quotas) are googleapis.com's, the rest the API's own.
      domain: info.domain ?? ERROR_DOMAIN,
      ...(info.metadata && Object.keys(info.metadata).length > 0 ? { metadata: info.metadata } : {}),
    });
  }
  if (violations && violations.length > 0) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations.map((v) => ({ ...v })) });
  }
  if (details.length > 0) body.error.details = details;
  return { httpStatus, body };
}
