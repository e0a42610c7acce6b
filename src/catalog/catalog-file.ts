import { z } from 'zod';

/**
 * The shape of an operator's catalog file (`DATAPORT_CATALOG`, YAML or JSON): the sources that hold the
 * data, and the resource groups users consent to, each naming its source and the files it becomes.
 * docs/own-data.md describes every field; examples/shop/catalog.yaml is a complete one.
 *
 * Parsing is two-stage: the whole file first (group `files` only as objects), then each group's files
 * against the schema of its source's type, so a field that belongs to another connector is reported.
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `250ms`, `30s`, `2m`; a bare number is milliseconds. */
const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = DURATION.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 30s or 2m, got "${v}"` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 'ms').toLowerCase()]!);
});

const attempts = z.number().int().min(1).max(20);

/**
 * A path inside the archive, below `Portability/`: relative, `/`-separated, no `..`. Its first folder is
 * the product name the archive index shows.
 */
const archivePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '' || s === '.' || s === '..'), {
    message: 'must be a relative path such as "Shop/Orders.json" (no leading "/", no "..", no "\\", no empty segments)',
  });

const SOURCE_NAME = /^[a-z][a-z0-9_-]*$/;
// Google's names are `product.thing`; operators may use any dotted lower-case name of the same kind.
const GROUP_NAME = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

export const sqlSourceSchema = z.strictObject({
  type: z.literal('sql'),
  /** `postgres://…`, `mysql://…` / `mariadb://…`, or `sqlite:relative/or/absolute/path.db`. */
  url: z.string().regex(/^(postgres(ql)?|mysql|mariadb):\/\/|^sqlite:/, 'expected postgres://…, mysql://…, mariadb://… or sqlite:path/to/file.db'),
  /** Tries at opening a query before the job gives up (the job runner then retries the whole job). */
  attempts: attempts.default(3),
  backoff: duration.default(500),
  /** Rows handed to the archive writer per batch: the memory a result holds at once; 1000 rows is a few hundred KB. */
  fetchRows: z.number().int().min(1).max(100_000).default(1000),
  /** Connections kept for this source (PostgreSQL, MySQL). */
  poolSize: z.number().int().min(1).max(100).default(4),
});

export const filesSourceSchema = z.strictObject({
  type: z.literal('files'),
  /** The folder under which each group's `folder` is found; relative to the catalog file. */
  root: z.string().min(1),
});

export const httpSourceSchema = z.strictObject({
  type: z.literal('http'),
  /** Base URL; each file's `endpoint` is resolved against it. */
  url: z.string().url(),
  /** Per request: time to the response headers, and the longest pause between body chunks. */
  timeout: duration.default(30_000),
  attempts: attempts.default(4),
  backoff: duration.default(1000),
  auth: z
    .union([
      z.strictObject({ bearer: z.string().min(1) }),
      z.strictObject({
        mtls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() }),
      }),
    ])
    .optional(),
});

export const pluginSourceSchema = z.strictObject({
  type: z.literal('plugin'),
  /** A .js/.mjs/.ts module, relative to the catalog file, or a package name. */
  module: z.string().min(1),
  /** Handed to the module's `createSource(options, context)` as they are. */
  options: z.record(z.string(), z.unknown()).default({}),
});

const demoSourceSchema = z.strictObject({ type: z.literal('demo') });

export const sourceSchema = z.discriminatedUnion('type', [sqlSourceSchema, filesSourceSchema, httpSourceSchema, pluginSourceSchema, demoSourceSchema]);

const recordFormat = z.enum(['json-array', 'ndjson', 'csv', 'json-object']);

export const sqlFileSchema = z.strictObject({
  path: archivePath,
  format: recordFormat.default('json-array'),
  /** One SELECT with named parameters `:user_id`, `:start_time`, `:end_time`. */
  query: z.string().min(1),
  /** Text columns holding JSON (MariaDB's JSON is text; SQLite has no JSON type): written as JSON values. */
  jsonColumns: z.array(z.string().min(1)).default([]),
});

export const filesFileSchema = z.strictObject({
  /** The archive folder the files are copied under. */
  path: archivePath,
  format: z.literal('as-is').default('as-is'),
  /** Below the source's root; `{user_id}` is replaced by the user's id. */
  folder: z
    .string()
    .min(1)
    .refine((f) => f.includes('{user_id}'), {
      message: 'must contain {user_id}, or every user would receive the same files',
    }),
});

export const httpFileSchema = z
  .strictObject({
    path: archivePath,
    format: recordFormat.default('json-array'),
    /** Resolved against the source URL like a link: `orders` is below it, `/export/orders` is from the host root. */
    endpoint: z.string().min(1),
    /** Column order; required for `csv` (NDJSON records carry no column list). */
    columns: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((f) => f.format !== 'csv' || f.columns !== undefined, { message: 'format csv needs "columns" (the column order)', path: ['columns'] });

const groupSchema = z.strictObject({
  name: z.string().regex(GROUP_NAME, 'expected a dotted lower-case name such as shop.orders'),
  scope: z.string().url('expected the full scope URI, e.g. https://shop.example.com/auth/dataportability.shop.orders'),
  description: z.string().min(1),
  timeFilter: z.boolean().default(false),
  source: z.string().regex(SOURCE_NAME),
  /** Checked against the source type's file schema in the second stage. */
  files: z.array(z.record(z.string(), z.unknown())).default([]),
  /** Free-form settings handed to a plugin source for this group. */
  settings: z.record(z.string(), z.unknown()).default({}),
});

export const catalogFileSchema = z.strictObject({
  sources: z.record(z.string().regex(SOURCE_NAME, 'a source name is lower-case letters, digits, "-" and "_"'), sourceSchema),
  resourceGroups: z.array(groupSchema).min(1, 'declare at least one resource group'),
});

export type SqlSourceDefinition = z.output<typeof sqlSourceSchema>;
export type FilesSourceDefinition = z.output<typeof filesSourceSchema>;
export type HttpSourceDefinition = z.output<typeof httpSourceSchema>;
export type PluginSourceDefinition = z.output<typeof pluginSourceSchema>;
export type SourceDefinition = z.output<typeof sourceSchema>;
export type SourceType = SourceDefinition['type'];

export type SqlFileDefinition = z.output<typeof sqlFileSchema>;
export type FilesFileDefinition = z.output<typeof filesFileSchema>;
export type HttpFileDefinition = z.output<typeof httpFileSchema>;

/** The file schema each source type's groups use; plugin and demo groups declare no files. */
export const fileSchemaFor = {
  sql: sqlFileSchema,
  files: filesFileSchema,
  http: httpFileSchema,
  plugin: undefined,
  demo: undefined,
} as const satisfies Record<SourceType, z.ZodType | undefined>;

/** One resource group as the catalog file declares it, its files parsed for its source's type. */
export interface GroupDefinition {
  /** Index in the file's `resourceGroups`, for messages that point at the line. */
  readonly position: number;
  readonly name: string;
  readonly scope: string;
  readonly description: string;
  readonly timeFilter: boolean;
  readonly source: string;
  readonly files: readonly (SqlFileDefinition | FilesFileDefinition | HttpFileDefinition)[];
  readonly settings: Readonly<Record<string, unknown>>;
}
