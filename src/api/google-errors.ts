import type { JobErrorCode } from '../jobs/index.js';

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

export const ERROR_DOMAIN = 'dataportability.googleapis.com';

interface Mapping {
  status: RpcStatus;
  /** ErrorInfo reason; a function when it depends on the job's access type. */
  reason?: string | ((metadata: Record<string, string>, accessType?: string) => string);
  /** ErrorInfo domain when it is not the API's own. */
  domain?: string;
}

/** Every domain error's wire form; `satisfies` makes a new JobErrorCode without a row fail to compile. */
export const JOB_ERROR_MAPPING = {
  INVALID_REQUEST: { status: 'INVALID_ARGUMENT' },
  UNKNOWN_RESOURCE: { status: 'INVALID_ARGUMENT' },
  RESOURCES_NOT_AUTHORIZED: { status: 'PERMISSION_DENIED' },
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

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: RpcStatus;
    details?: { '@type': string; reason: string; domain: string; metadata?: Record<string, string> }[];
  };
}

/** The one function that shapes an error body: `{"error": {code, message, status, details}}`. */
export function googleError(
  status: RpcStatus,
  message: string,
  info?: { reason: string; domain?: string; metadata?: Record<string, string> },
): { httpStatus: number; body: GoogleErrorBody } {
  const httpStatus = RPC_STATUS[status];
  const body: GoogleErrorBody = { error: { code: httpStatus, message, status } };
  if (info) {
    body.error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: info.reason,
        // Quota errors are googleapis.com's (the front end's), the rest the API's own.
        domain: info.domain ?? ERROR_DOMAIN,
        ...(info.metadata && Object.keys(info.metadata).length > 0 ? { metadata: info.metadata } : {}),
      },
    ];
  }
  return { httpStatus, body };
}
