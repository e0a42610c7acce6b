import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads `process.env`. Every setting is validated here; a bad value stops start-up
 * with a message naming each offending variable.
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?$/i;
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
  tb: 1e12,
  tib: 1024 ** 4,
};
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `6h`, `14d`, `250ms`; a bare number is seconds. Result in milliseconds. */
const duration = (min = 0) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const m = DURATION.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 30s, 6h or 14d, got "${v}"` });
        return z.NEVER;
      }
      const ms = Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]!;
      if (ms < min) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${min} ms, got "${v}"` });
        return z.NEVER;
      }
      return Math.round(ms);
    });

/** `2GiB`, `512MiB`, `1000000`; a bare number is bytes. */
const byteSize = (min: number) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const m = SIZE.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `expected a size such as 512MiB or 2GiB, got "${v}"` });
        return z.NEVER;
      }
      const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
      if (bytes < min) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${min} bytes, got "${v}"` });
        return z.NEVER;
      }
      return bytes;
    });

const int = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

const url = z.string().trim().url('expected a URL such as http://localhost:8080');

const envSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATAPORT_DATA_DIR: z.string().trim().min(1).default('./data'),
  DATAPORT_PUBLIC_URL: url.optional(),
  // Believe X-Forwarded-For/-Proto/-Host: only when every request comes through a proxy that sets them.
  DATAPORT_TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  DATAPORT_DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'expected postgres://user@host:port/database')
    .optional(),
  DATAPORT_STORAGE_URL: z
    .string()
    .trim()
    .regex(/^(s3|file):\/\//, 'expected s3://bucket?endpoint=... or file:///path')
    .optional(),
  // Two workers keep both cores of a small machine busy: each export is one deflate stream plus serialization.
  DATAPORT_WORKER_CONCURRENCY: int(0, 256).default(2),
  // Threads that make long files in ranges (serialize and deflate), beside the exports' own thread; 0 = none.
  DATAPORT_EXPORT_THREADS: int(0, 64).default(Math.min(16, availableParallelism())),
  DATAPORT_PART_SIZE: byteSize(64 * 1024).default(2 * 1024 ** 3),
  DATAPORT_DEFLATE_LEVEL: int(0, 9).default(6),
  // Google signs archive URLs for 6 hours and keeps archives 14 days; we default to the same.
  DATAPORT_URL_LIFETIME: duration(1000).default(6 * 3_600_000),
  DATAPORT_ARCHIVE_RETENTION: duration(1000).default(14 * 86_400_000),
  // Audit entries are evidence for regulators: kept for years unless the operator says otherwise (docs/operations.md).
  DATAPORT_AUDIT_RETENTION: duration(60_000).default(5 * 365 * 86_400_000),
  // The webhook delivery log and delivered or abandoned events: for debugging a receiver, not evidence.
  DATAPORT_WEBHOOK_LOG_RETENTION: duration(60_000).default(30 * 86_400_000),
  // Unset: /metrics on the API port. A worker process without an API needs one to be scraped at all.
  DATAPORT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DATAPORT_TOKEN_LIFETIME: duration(1000).default(3_600_000),
  // A worker renews its lease every third of this; after a crash the job is picked up once it lapses.
  DATAPORT_JOB_LEASE: duration(1000).default(30_000),
  // SIGTERM gives running exports this long to finish before they are handed back to other workers;
  // keep it below the orchestrator's own kill timeout (Kubernetes: terminationGracePeriodSeconds, 30 s).
  DATAPORT_DRAIN_TIMEOUT: duration(0).default(25_000),
  // Transient source errors absorbed per job (with exponential backoff) before it ends FAILED.
  DATAPORT_JOB_ATTEMPTS: int(1, 100).default(5),
  DATAPORT_RETRY_BACKOFF: duration(0).default(1000),
  // Signed completion notifications (docs/webhooks.md). A receiver should answer at once and work later;
  // 10 s is generous for that and keeps a hung endpoint from holding a worker's deliveries.
  DATAPORT_WEBHOOK_TIMEOUT: duration(100).default(10_000),
  // Retries: 5 s, then four times longer each time up to 2 h, with jitter, for a day (the Standard Webhooks
  // guidance of retrying for about a day); an endpoint that took nothing for the whole day is disabled.
  DATAPORT_WEBHOOK_RETRY_FIRST: duration(10).default(5_000),
  DATAPORT_WEBHOOK_RETRY_MAX: duration(10).default(2 * 3_600_000),
  DATAPORT_WEBHOOK_RETRY_WINDOW: duration(100).default(24 * 3_600_000),
  // How often a worker looks at the outbox: the delay between a job's end and its notification.
  DATAPORT_WEBHOOK_POLL: duration(10).default(1000),
  DATAPORT_DEMO_RECORDS: int(0, 1_000_000_000).default(200),
  DATAPORT_DEMO_FAULTS: z.string().trim().default(''),
  // An operator's catalog file (YAML or JSON); unset serves Google's groups (73 listed, one retired) from the demo source.
  DATAPORT_CATALOG: z.string().trim().min(1).optional(),
  // Limits against misuse and slow clients (docs/configuration.md, "Limits"). A request body larger than this
  // is a mistake or an attack: the API's bodies are a few group names.
  DATAPORT_BODY_LIMIT: byteSize(1024).default(1024 * 1024),
  // Time a client has to send all request headers (slowloris); Node's own default is 60 s.
  DATAPORT_HEADERS_TIMEOUT: duration(100).default(20_000),
  // Time a client has to send a whole request, headers and body (the answer, a download, is not counted).
  DATAPORT_REQUEST_TIMEOUT: duration(100).default(60_000),
  // How long an idle kept-alive connection stays open: above the 60 s idle timeout of common load balancers,
  // so the balancer, not Dataport, closes first (Fastify's default).
  DATAPORT_KEEP_ALIVE_TIMEOUT: duration(100).default(72_000),
  // A connection on which nothing moves for this long is closed (a client that stopped reading a download).
  DATAPORT_IDLE_TIMEOUT: duration(100).default(120_000),
  // API requests per client (OAuth client) per window, counted in each API process; 0 = no limit. Google
  // rate-limits per project too; 60,000 a minute is far above what one app's users poll.
  DATAPORT_API_RATE_LIMIT: int(0, 1_000_000_000).default(60_000),
  DATAPORT_API_RATE_WINDOW: duration(1000).default(60_000),
  // Archive jobs one user may have IN_PROGRESS at once, across all apps; 0 = no cap. Google's own rules
  // (one running job per resource set, one export per group per consent or day) bound it per app only.
  DATAPORT_MAX_JOBS_PER_USER: int(0, 1_000_000).default(10),
  // Embedded SQLite: `full` syncs every commit (survives power loss); `normal` only at checkpoints (survives a
  // process crash, may lose the last commits on power loss), for a faster disk-bound server.
  DATAPORT_SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).default('full'),
  DATAPORT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Sign-in through the operator's OpenID Connect provider (optional); the claim becomes the user id.
  DATAPORT_UPSTREAM_OIDC_ISSUER: url.optional(),
  DATAPORT_UPSTREAM_OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
  DATAPORT_UPSTREAM_OIDC_CLIENT_SECRET: z.string().trim().min(1).optional(),
  DATAPORT_UPSTREAM_OIDC_CLAIM: z.string().trim().min(1).default('sub'),
  DATAPORT_UPSTREAM_OIDC_NAME: z.string().trim().min(1).default('your organisation'),
  DATAPORT_ADMIN_OIDC_CLAIM: z
    .string()
    .trim()
    .regex(/^[^=\s]+=[^=]+$/, 'expected claim=value, e.g. groups=dataport-admins')
    .optional(),
  // S3 credentials and region, under the names every AWS tool uses. Unset keys leave the SDK's own chain
  // (instance role, profile, web identity) to find them.
  AWS_ACCESS_KEY_ID: z.string().trim().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().trim().optional(),
  AWS_SESSION_TOKEN: z.string().trim().optional(),
  AWS_REGION: z.string().trim().optional(),
});

type Env = z.infer<typeof envSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Base of the links this server hands out (signed download URLs, discovery rootUrl, the OAuth issuer). */
  readonly publicUrl: string | undefined;
  /** Whether X-Forwarded-* headers are believed (the client's address and scheme); never for the issuer. */
  readonly trustProxy: boolean;
  readonly databaseUrl: string | undefined;
  readonly storageUrl: string | undefined;
  /** Where archives are stored, parsed from `storageUrl`. */
  readonly storage: StorageConfig;
  readonly workerConcurrency: number;
  /** Worker threads that make ranges of long files (0: every file is made on the main thread). */
  readonly exportThreads: number;
  readonly partSizeBytes: number;
  readonly deflateLevel: number;
  readonly urlLifetimeSeconds: number;
  readonly archiveRetentionMs: number;
  /** How long audit entries are kept; older ones are pruned, the chain re-anchored. */
  readonly auditRetentionMs: number;
  readonly webhookLogRetentionMs: number;
  /** A port of its own for `/metrics` (0: any free one); undefined: served on the API port. */
  readonly metricsPort: number | undefined;
  readonly tokenLifetimeMs: number;
  readonly jobLeaseMs: number;
  /** How long SIGTERM waits for running exports before handing them back. */
  readonly drainTimeoutMs: number;
  readonly jobAttempts: number;
  readonly retryBackoffMs: number;
  readonly demoRecords: number;
  /** Delivery of signed completion notifications (webhooks/delivery.ts). */
  readonly webhooks: {
    readonly timeoutMs: number;
    readonly retryFirstMs: number;
    readonly retryMaxMs: number;
    readonly retryWindowMs: number;
    readonly pollMs: number;
  };
  readonly demoFaults: string;
  readonly logLevel: Env['DATAPORT_LOG_LEVEL'];
  readonly sqliteSynchronous: Env['DATAPORT_SQLITE_SYNCHRONOUS'];
  /** Limits against misuse and slow clients; a rate or cap of 0 is no limit. */
  readonly limits: Limits;
  /**
   * The operator's catalog file, and the variables its `${NAME}` references may read (the catalog loader
   * gets them from here because nothing else reads the environment).
   */
  readonly catalog: { readonly file: string; readonly env: Readonly<Record<string, string | undefined>> } | undefined;
  /** OpenTelemetry traces over OTLP/HTTP; undefined (the default) when no OTLP endpoint is set or tracing is switched off. */
  readonly tracing: TracingConfig | undefined;
  /** The upstream OpenID Connect provider users may sign in with; undefined when not configured. */
  readonly upstreamOidc:
    { readonly issuer: string; readonly clientId: string; readonly clientSecret: string; readonly claim: string; readonly displayName: string } | undefined;
  /** Upstream identities carrying this claim may sign in to the console at /admin (DATAPORT_ADMIN_OIDC_CLAIM). */
  readonly adminOidcClaim: { readonly name: string; readonly value: string } | undefined;
}

export interface Limits {
  readonly bodyLimitBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** API requests per OAuth client per `apiRateWindowMs`, in each API process; 0 = unlimited. */
  readonly apiRateLimit: number;
  readonly apiRateWindowMs: number;
  /** IN_PROGRESS archive jobs per user across all clients; 0 = no cap. */
  readonly maxJobsPerUser: number;
}

/** Where and how spans go (OpenTelemetry's standard variables, read by `parseTracing`). */
export interface TracingConfig {
  /** The OTLP/HTTP traces URL (`.../v1/traces`). */
  readonly url: string;
  readonly protocol: 'http/protobuf' | 'http/json';
  /** The `service.name` resource attribute. */
  readonly serviceName: string;
  /** Which traces are recorded: OTEL_TRACES_SAMPLER's names; `ratio` for the trace-id ratio ones. */
  readonly sampler: { readonly name: TracesSampler; readonly ratio: number };
}

const TRACES_SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/**
 * OpenTelemetry's standard variables (the SDK environment specification), the part Dataport acts on:
 * tracing is on only when an OTLP endpoint is set, and OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none
 * switch it off even then. Headers, timeout, compression and certificates (OTEL_EXPORTER_OTLP_*) are read by
 * the exporter itself when tracing is on. Returns a message instead of throwing, like parseStorageUrl.
 */
function parseTracing(env: NodeJS.ProcessEnv): TracingConfig | undefined | string {
  const read = (name: string) => (env[name]?.trim() ? env[name].trim() : undefined);
  if (read('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporters = (read('OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((v) => v.trim().toLowerCase());
  if (exporters.includes('none')) return undefined;
  const unsupported = exporters.filter((v) => v !== 'otlp');
  if (unsupported.length > 0) return `OTEL_TRACES_EXPORTER: only otlp (or none) is supported, got "${unsupported.join(', ')}"`;
  const signalUrl = read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseUrl = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (signalUrl === undefined && baseUrl === undefined) return undefined;
  // The signal's own endpoint is used as it is; the shared one gets the signal's path (the specification's rule).
  const url = signalUrl ?? `${baseUrl!.replace(/\/+$/, '')}/v1/traces`;
  const urlVariable = signalUrl !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  if (!/^https?:\/\/[^/?#]+/.test(url) || !URL.canParse(url))
    return `${urlVariable}: expected an http(s) URL such as http://localhost:4318 (the value is not shown: it may hold a secret)`;
  const protocol = read('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json')
    return `OTEL_EXPORTER_OTLP_PROTOCOL: expected http/protobuf or http/json (grpc is not supported), got "${protocol}"`;
  const sampler = (read('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  if (!(TRACES_SAMPLERS as readonly string[]).includes(sampler)) return `OTEL_TRACES_SAMPLER: expected one of ${TRACES_SAMPLERS.join(', ')}, got "${sampler}"`;
  const ratioText = read('OTEL_TRACES_SAMPLER_ARG');
  const ratio = ratioText === undefined ? 1 : Number(ratioText);
  if (sampler.endsWith('traceidratio') && !(ratio >= 0 && ratio <= 1)) return `OTEL_TRACES_SAMPLER_ARG: expected a ratio from 0 to 1, got "${ratioText}"`;
  return { url, protocol, serviceName: read('OTEL_SERVICE_NAME') ?? 'dataport', sampler: { name: sampler as TracesSampler, ratio } };
}

/** A local folder (the embedded default), or an S3-compatible bucket. */
export type StorageConfig =
  | { readonly kind: 'fs'; readonly root: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** Key prefix inside the bucket: '' or ending in `/`. */
      readonly prefix: string;
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly forcePathStyle: boolean;
      readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
    };

/**
 * `s3://bucket[/prefix]?endpoint=http://host:port&region=...&forcePathStyle=true|false`, or `file:///folder`.
 * Returns a message instead of throwing so every bad variable is listed together.
 */
function parseStorageUrl(
  value: string | undefined,
  env: Pick<Env, 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_SESSION_TOKEN' | 'AWS_REGION'>,
  dataDir: string,
): StorageConfig | string {
  if (!value) return { kind: 'fs', root: path.join(dataDir, 'blobs') };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not quoted: a mistyped URL may still hold credentials.
    return 'expected s3://bucket?endpoint=...&region=... or file:///path (the value is not shown: it may hold a secret)';
  }
  if (url.protocol === 'file:') return { kind: 'fs', root: path.resolve(decodeURIComponent(url.pathname)) };
  if (url.username || url.password) return 'credentials do not belong in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  const bucket = url.hostname;
  // S3 bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return `"${bucket}" is not a valid bucket name (3-63 characters: a-z, 0-9, . and -)`;
  const known = new Set(['endpoint', 'region', 'forcePathStyle']);
  const unknown = [...url.searchParams.keys()].filter((k) => !known.has(k));
  if (unknown.length > 0) return `unknown parameter(s) ${unknown.join(', ')}; expected endpoint, region, forcePathStyle`;
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/?#@]+\/?$/.test(endpoint))
    return 'endpoint must be http(s)://host[:port] (the value is not shown: it may hold a secret)';
  const pathStyle = url.searchParams.get('forcePathStyle');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') return `forcePathStyle must be true or false, got "${pathStyle}"`;
  if ((env.AWS_ACCESS_KEY_ID === undefined) !== (env.AWS_SECRET_ACCESS_KEY === undefined)) {
    return "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (to use the SDK's credential chain)";
  }
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  return {
    kind: 's3',
    bucket,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    endpoint: endpoint?.replace(/\/$/, ''),
    region: url.searchParams.get('region') ?? env.AWS_REGION ?? 'us-east-1',
    // Self-hosted stores seldom have the wildcard DNS that virtual-hosted addressing needs.
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
    credentials:
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          }
        : undefined,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const picked = Object.fromEntries(Object.keys(envSchema.shape).flatMap((k) => (env[k] !== undefined && env[k] !== '' ? [[k, env[k]]] : [])));
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATAPORT_DATA_DIR);
  const storage = parseStorageUrl(e.DATAPORT_STORAGE_URL, e, dataDir);
  if (typeof storage === 'string') throw new ConfigError(`invalid configuration:\n  DATAPORT_STORAGE_URL: ${storage}`);
  const tracing = parseTracing(env);
  if (typeof tracing === 'string') throw new ConfigError(`invalid configuration:\n  ${tracing}`);
  if (e.DATAPORT_HEADERS_TIMEOUT > e.DATAPORT_REQUEST_TIMEOUT) {
    // Node refuses a headers timeout longer than the whole request's.
    throw new ConfigError('invalid configuration:\n  DATAPORT_HEADERS_TIMEOUT: must not be longer than DATAPORT_REQUEST_TIMEOUT');
  }
  if (e.DATAPORT_UPSTREAM_OIDC_ISSUER && !(e.DATAPORT_UPSTREAM_OIDC_CLIENT_ID && e.DATAPORT_UPSTREAM_OIDC_CLIENT_SECRET)) {
    throw new ConfigError(
      'invalid configuration:\n  DATAPORT_UPSTREAM_OIDC_ISSUER: also set DATAPORT_UPSTREAM_OIDC_CLIENT_ID and DATAPORT_UPSTREAM_OIDC_CLIENT_SECRET',
    );
  }
  if (e.DATAPORT_ADMIN_OIDC_CLAIM && !e.DATAPORT_UPSTREAM_OIDC_ISSUER) {
    throw new ConfigError('invalid configuration:\n  DATAPORT_ADMIN_OIDC_CLAIM: needs the upstream provider (DATAPORT_UPSTREAM_OIDC_ISSUER and its client)');
  }
  const adminClaim = e.DATAPORT_ADMIN_OIDC_CLAIM?.split('=');
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATAPORT_DATA_DIR),
    publicUrl: e.DATAPORT_PUBLIC_URL?.replace(/\/+$/, ''),
    trustProxy: e.DATAPORT_TRUST_PROXY,
    databaseUrl: e.DATAPORT_DATABASE_URL,
    storageUrl: e.DATAPORT_STORAGE_URL,
    storage: Object.freeze(storage),
    workerConcurrency: e.DATAPORT_WORKER_CONCURRENCY,
    exportThreads: e.DATAPORT_EXPORT_THREADS,
    partSizeBytes: e.DATAPORT_PART_SIZE,
    deflateLevel: e.DATAPORT_DEFLATE_LEVEL,
    urlLifetimeSeconds: Math.round(e.DATAPORT_URL_LIFETIME / 1000),
    archiveRetentionMs: e.DATAPORT_ARCHIVE_RETENTION,
    auditRetentionMs: e.DATAPORT_AUDIT_RETENTION,
    webhookLogRetentionMs: e.DATAPORT_WEBHOOK_LOG_RETENTION,
    metricsPort: e.DATAPORT_METRICS_PORT,
    tokenLifetimeMs: e.DATAPORT_TOKEN_LIFETIME,
    jobLeaseMs: e.DATAPORT_JOB_LEASE,
    drainTimeoutMs: e.DATAPORT_DRAIN_TIMEOUT,
    jobAttempts: e.DATAPORT_JOB_ATTEMPTS,
    retryBackoffMs: e.DATAPORT_RETRY_BACKOFF,
    demoRecords: e.DATAPORT_DEMO_RECORDS,
    webhooks: Object.freeze({
      timeoutMs: e.DATAPORT_WEBHOOK_TIMEOUT,
      retryFirstMs: e.DATAPORT_WEBHOOK_RETRY_FIRST,
      retryMaxMs: e.DATAPORT_WEBHOOK_RETRY_MAX,
      retryWindowMs: e.DATAPORT_WEBHOOK_RETRY_WINDOW,
      pollMs: e.DATAPORT_WEBHOOK_POLL,
    }),
    demoFaults: e.DATAPORT_DEMO_FAULTS,
    logLevel: e.DATAPORT_LOG_LEVEL,
    sqliteSynchronous: e.DATAPORT_SQLITE_SYNCHRONOUS,
    limits: Object.freeze({
      bodyLimitBytes: e.DATAPORT_BODY_LIMIT,
      headersTimeoutMs: e.DATAPORT_HEADERS_TIMEOUT,
      requestTimeoutMs: e.DATAPORT_REQUEST_TIMEOUT,
      keepAliveTimeoutMs: e.DATAPORT_KEEP_ALIVE_TIMEOUT,
      idleTimeoutMs: e.DATAPORT_IDLE_TIMEOUT,
      apiRateLimit: e.DATAPORT_API_RATE_LIMIT,
      apiRateWindowMs: e.DATAPORT_API_RATE_WINDOW,
      maxJobsPerUser: e.DATAPORT_MAX_JOBS_PER_USER,
    }),
    tracing: tracing && Object.freeze(tracing),
    catalog: e.DATAPORT_CATALOG ? Object.freeze({ file: path.resolve(e.DATAPORT_CATALOG), env: Object.freeze({ ...env }) }) : undefined,
    upstreamOidc: e.DATAPORT_UPSTREAM_OIDC_ISSUER
      ? Object.freeze({
          issuer: e.DATAPORT_UPSTREAM_OIDC_ISSUER,
          clientId: e.DATAPORT_UPSTREAM_OIDC_CLIENT_ID!,
          clientSecret: e.DATAPORT_UPSTREAM_OIDC_CLIENT_SECRET!,
          claim: e.DATAPORT_UPSTREAM_OIDC_CLAIM,
          displayName: e.DATAPORT_UPSTREAM_OIDC_NAME,
        })
      : undefined,
    adminOidcClaim: adminClaim ? Object.freeze({ name: adminClaim[0]!.trim(), value: adminClaim[1]!.trim() }) : undefined,
    ...overrides,
  });
}

/**
 * Whether `dataport export` can open a browser for the OAuth consent: a graphical session on Linux (X11 or
 * Wayland), or a desktop OS. Here because this module is the only reader of `process.env`.
 */
export function hasGraphicalDisplay(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
