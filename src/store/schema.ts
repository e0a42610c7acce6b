/**
 * Row types of the one schema shared by SQLite and PostgreSQL. Times are integers: milliseconds since the
 * Unix epoch (BIGINT), so both engines compare and sort them the same way; PostgreSQL returns BIGINT as a
 * string, which the query modules convert back with `Number()`.
 */
import type { Generated } from 'kysely';

export type AccessMode = 'once' | '30d' | '180d';
export type JobStateValue = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'CANCELLED';

export interface GrantsTable {
  id: string;
  user_id: string;
  client_id: string;
  /** JSON array of resource group names. */
  resources: string;
  access: AccessMode;
  created_at: number;
  /** null for one-time grants, which do not expire on their own. */
  expires_at: number | null;
  revoked_at: number | null;
  /** 1 when the consent asked for offline access (a refresh token); added by migration 0002. */
  offline_access?: number;
}

export interface AccessTokensTable {
  /** sha256 of the token, hex; the token itself is never stored. */
  token_hash: string;
  grant_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface JobsTable {
  id: string;
  user_id: string;
  client_id: string;
  grant_id: string;
  /** JSON array of resource group names, sorted. */
  resources: string;
  access_type: 'ACCESS_TYPE_ONE_TIME' | 'ACCESS_TYPE_TIME_BASED';
  start_time: number | null;
  end_time: number | null;
  /** The request's endTime, else the time it was requested. */
  export_time: number;
  state: JobStateValue;
  created_at: number;
  updated_at: number;
  /** The original job this one retries (chains point at the first failed job). */
  retry_of: string | null;
  /** Set by authorization.reset: the job no longer counts towards one-time or 24-hour limits. */
  limits_cleared: number;
  /** Incremented each time a worker claims the job; output keys and publishing are fenced by it. */
  attempt: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** How many transient failures the current run has absorbed. */
  transient_failures: number;
  /** For the operator only; clients see FAILED. */
  failure_reason: string | null;
  finished_at: number | null;
  /** When the archive may be deleted (retention, or reset). */
  archive_expires_at: number | null;
  archive_deleted_at: number | null;
  /** When the maintenance pass last removed a finished job's unpublished outputs (null: not yet, or still running). */
  outputs_swept_at: number | null;
  /** The id of the HTTP request that made the job (X-Request-Id, or the server's own); null outside a request. */
  request_id: string | null;
  /** That request's W3C traceparent when tracing was on: the worker's span joins its trace. */
  trace_parent: string | null;
}

/** One run of a job (migration 0019): written by the worker that claimed it, fenced by (job_id, attempt). */
export interface JobRunsTable {
  job_id: string;
  attempt: number;
  worker: string;
  started_at: number;
  ended_at: number | null;
  outcome: JobRunOutcome | null;
  records: number | null;
  bytes: number | null;
  error: string | null;
}

/**
 * How a run ended: published (`complete`), its output thrown away because the job changed meanwhile
 * (`discarded`), `failed` for good, a `transient` failure (the job runs again), `cancelled`, given back by a
 * draining worker (`handed-back`), or found still open when a later run claimed the job (`lapsed`: the worker
 * died or lost its lease).
 */
export type JobRunOutcome = 'complete' | 'discarded' | 'failed' | 'transient' | 'cancelled' | 'handed-back' | 'lapsed';

export interface ArchivePartsTable {
  job_id: string;
  part_index: number;
  blob_key: string;
  size_bytes: number;
  sha256: string;
  downloaded_at: number | null;
}

export interface QueueItemsTable {
  id: Generated<number>;
  job_id: string;
  run_at: number;
  locked_until: number | null;
  lock_owner: string | null;
  deliveries: number;
}

export interface DemoFaultClaimsTable {
  fault_key: string;
  job_id: string;
  claimed_at: number;
}

export interface DemoFaultCountersTable {
  fault_key: string;
  used: number;
}

export interface AccountsTable {
  id: string;
  /** `scrypt$N$r$p$salt$hash`; null for accounts that sign in upstream only. */
  password_hash: string | null;
  created_at: number;
}

/** An upstream OpenID Connect identity and the account it signs in as (migration 0007). */
export interface UpstreamIdentitiesTable {
  issuer: string;
  subject: string;
  account_id: string;
  created_at: number;
}

export interface OauthClientsTable {
  id: string;
  name: string;
  /** sha256 (hex) of the client secret, which is shown once and never stored; null for public clients (PKCE, no secret). */
  secret_sha256: string | null;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  created_at: number;
}

export interface OidcPayloadsTable {
  model: string;
  /** sha256 (hex) of oidc-provider's id. */
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/** One sign-in throttle bucket (migration 0005); see auth/sign-in-throttle.ts for the policy. */
export interface SignInThrottleTable {
  /** `a:<account>`, `i:<client address>` or `ai:<account> <client address>`. */
  key: string;
  /** Attempts counted since `window_start`. */
  attempts: number;
  window_start: number;
  /** No attempt is checked before this time (0: none pending). */
  next_at: number;
  /** After this the row means nothing and may be deleted. */
  expires_at: number;
  /** Compare-and-set counter: every claim bumps it, so two claims cannot both win on one reading. */
  version: number;
}

/** An account page session (migration 0005): the sha256 of its id, never the id itself. */
export interface AccountSessionsTable {
  id_hash: string;
  account_id: string;
  created_at: number;
  expires_at: number;
}

/** Run-time emulator settings (`dataport faults|clock`); added by migration 0004. */
export interface EmulatorSettingsTable {
  name: string;
  value: string;
  updated_at: number;
}

/** One audit entry (migrations/0015-audit-log.ts); `hash` chains it to the entry before. */
export interface AuditLogTable {
  seq: number;
  at: number;
  action: string;
  /** Who acted: `user`, `client`, `operator` or `system` (retention, the worker). */
  actor: string;
  user_id: string | null;
  client_id: string | null;
  operator: string | null;
  job_id: string | null;
  /** Canonical JSON object of the action's particulars (groups, byte range, reason...). */
  detail: string;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

/** The chain's head (the row appends lock) and its anchor (the last pruned entry's hash). */
export interface AuditChainTable {
  id: number;
  last_seq: number;
  last_hash: string;
  anchor_seq: number;
  anchor_hash: string;
}

/** An operator of the console (migration 0018), apart from end users' accounts. */
export interface OperatorsTable {
  id: string;
  /** `scrypt$N$r$p$salt$hash`, as for accounts. */
  password_hash: string;
  created_at: number;
}

/** A console session (migration 0018): the sha256 of its id, never the id itself. */
export interface OperatorSessionsTable {
  id_hash: string;
  operator_id: string;
  /** `password` (an `operators` row) or `oidc` (the upstream provider's group or claim). */
  method: 'password' | 'oidc';
  created_at: number;
  expires_at: number;
}

export interface Database {
  grants: GrantsTable;
  access_tokens: AccessTokensTable;
  jobs: JobsTable;
  archive_parts: ArchivePartsTable;
  queue_items: QueueItemsTable;
  demo_fault_claims: DemoFaultClaimsTable;
  demo_fault_counters: DemoFaultCountersTable;
  emulator_settings: EmulatorSettingsTable;
  accounts: AccountsTable;
  oauth_clients: OauthClientsTable;
  oidc_payloads: OidcPayloadsTable;
  sign_in_throttle: SignInThrottleTable;
  account_sessions: AccountSessionsTable;
  upstream_identities: UpstreamIdentitiesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  audit_log: AuditLogTable;
  audit_chain: AuditChainTable;
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  job_runs: JobRunsTable;
}

/** A client's webhook endpoint (migration 0013); secrets are sealed (webhooks/secret-box.ts), never plain. */
export interface WebhookEndpointsTable {
  client_id: string;
  url: string;
  /** JSON array of event types the endpoint receives. */
  events: string;
  secret_sealed: string;
  /** The secret before the last rotation, which still signs until `previous_secret_until`. */
  previous_secret_sealed: string | null;
  previous_secret_until: number | null;
  created_at: number;
  updated_at: number;
  /** Set when deliveries kept failing for the whole retry window; `webhook set` enables it again. */
  disabled_at: number | null;
  disabled_reason: string | null;
}

export type WebhookEventState = 'pending' | 'delivered' | 'failed';

/** The outbox (migration 0013): an event for one client's endpoint, written with the change it reports. */
export interface WebhookEventsTable {
  seq: Generated<number>;
  /** The `webhook-id` (msg_…): the same on every attempt, so receivers can drop duplicates. */
  id: string;
  client_id: string;
  /** Events of one key (a user, as the client knows them) are delivered one at a time, in `seq` order. */
  order_key: string;
  type: string;
  /** The JSON body `{type, timestamp, data}`, exactly as signed. */
  payload: string;
  /** For events found by a sweep (a grant that lapsed): written at most once. */
  dedupe_key: string | null;
  created_at: number;
  state: WebhookEventState;
  attempts: number;
  /** Retries go on for the configured window from here (created, or manually redelivered). */
  retry_from: number;
  next_attempt_at: number;
  locked_until: number | null;
  lock_owner: string | null;
  delivered_at: number | null;
}

/** The delivery log (migration 0013). */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  client_id: string;
  event_id: string | null;
  /** `attempt`, `disabled` (the endpoint), `redeliver` (by the operator), `gave_up` (the event). */
  kind: string;
  attempt: number | null;
  url: string | null;
  /** The HTTP status; null when no answer came (timeout, refused). */
  status: number | null;
  latency_ms: number | null;
  error: string | null;
  at: number;
}
