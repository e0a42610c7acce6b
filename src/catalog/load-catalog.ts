import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { createCatalog } from './catalog.js';
import { catalogFileSchema, fileSchemaFor, type GroupDefinition, type SourceDefinition } from './catalog-file.js';
import type { Catalog } from './types.js';

/** A mistake in a catalog file; every line of the message starts with `file:line:column`. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

/** A path into the catalog file's tree, e.g. `['resourceGroups', 2, 'files', 0, 'query']`. */
export type CatalogPath = readonly (string | number)[];

export interface CatalogDefinition {
  /** Absolute path of the catalog file. */
  readonly file: string;
  /** Relative paths in the file (folders, modules, SQLite files, certificates) are resolved against this. */
  readonly baseDir: string;
  readonly catalog: Catalog;
  readonly sources: ReadonlyMap<string, SourceDefinition>;
  readonly groups: readonly GroupDefinition[];
  /** `file:line:column` of a node, so later checks (a connector's) can point at the line too. */
  locate(at: CatalogPath): string;
  /**
   * Replaces every value read from the environment with `${NAME}` in a message: a connector's error (a bad
   * URL, a refused password) may quote its settings, and those are where secrets live.
   */
  redact(message: string): string;
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Reads an operator's catalog file (YAML, or JSON, which YAML reads too). `${NAME}` in a value below
 * `sources` (connection strings, tokens, certificate paths, plugin options) is replaced by `env[NAME]`, so
 * secrets stay out of the file. Elsewhere it is refused: group names, scopes and descriptions are public (the
 * discovery document and the consent page show them), and an expanded secret would be published there. Any
 * mistake — syntax, a missing field, a source that does not exist, an unset variable — throws a CatalogError
 * listing each one at its line, never quoting a value that came from the environment.
 */
export function loadCatalogFile(file: string, env: Readonly<Record<string, string | undefined>>): CatalogDefinition {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new CatalogError(`${absolute}: cannot read the catalog file (${(error as Error).message})`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${absolute}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    // After the first syntax error the parser's later complaints are mostly echoes of it.
    const shown = doc.errors.slice(0, 3).map((e) => `${where(e.pos[0])}: ${e.message.split('\n')[0]}`);
    if (doc.errors.length > 3) shown.push(`(${doc.errors.length - 3} more syntax errors after these)`);
    throw new CatalogError(shown.join('\n'));
  }
  const locate = (at: CatalogPath) => where(nodeAt(doc, at)?.range?.[0] ?? 0);

  const problems: string[] = [];
  const substituted = substituteEnv(doc, env, (node, message) => problems.push(`${where(node.range?.[0] ?? 0)}: ${message}`));
  const redact = (message: string) => substituted.reduce((text, [name, value]) => text.replaceAll(value, `\${${name}}`), message);
  const report = (at: CatalogPath, message: string) => problems.push(`${locate(at)}: ${message}`);
  const fail = () => new CatalogError(redact(problems.join('\n')));

  const parsed = catalogFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(issue.path as CatalogPath, describeIssue(issue));
    throw fail();
  }
  const { sources: sourceEntries, resourceGroups } = parsed.data;
  const sources = new Map(Object.entries(sourceEntries));

  const groups: GroupDefinition[] = [];
  const seenNames = new Map<string, number>();
  const seenScopes = new Map<string, number>();
  resourceGroups.forEach((group, i) => {
    const at = ['resourceGroups', i] as const;
    const firstName = seenNames.get(group.name);
    if (firstName !== undefined)
      report([...at, 'name'], `resource group "${group.name}" is already declared (at ${locate(['resourceGroups', firstName, 'name'])})`);
    seenNames.set(group.name, i);
    const firstScope = seenScopes.get(group.scope);
    if (firstScope !== undefined) report([...at, 'scope'], `scope is already granted by "${resourceGroups[firstScope]!.name}"; each group needs its own scope`);
    seenScopes.set(group.scope, i);

    const source = sources.get(group.source);
    if (!source) {
      const known = [...sources.keys()];
      report([...at, 'source'], `no source named "${group.source}" (declared: ${known.length ? known.join(', ') : 'none'})`);
      return;
    }
    const fileSchema = fileSchemaFor[source.type];
    if (!fileSchema) {
      if (group.files.length > 0) report([...at, 'files'], `a ${source.type} source decides its own files; remove "files"`);
      groups.push({ ...group, position: i, files: [] });
      return;
    }
    if (group.files.length === 0) report([...at, 'files'], `declare the files this group becomes (a ${source.type} source needs at least one)`);
    const files: GroupDefinition['files'][number][] = [];
    const seenPaths = new Set<string>();
    group.files.forEach((raw, j) => {
      const result = (fileSchema as z.ZodType<GroupDefinition['files'][number]>).safeParse(raw);
      if (!result.success) {
        for (const issue of result.error.issues) report([...at, 'files', j, ...(issue.path as CatalogPath)], describeIssue(issue));
        return;
      }
      if (seenPaths.has(result.data.path)) report([...at, 'files', j, 'path'], `"${result.data.path}" is written twice in this group`);
      seenPaths.add(result.data.path);
      files.push(result.data);
    });
    groups.push({ ...group, position: i, files });
  });
  if (problems.length > 0) throw fail();

  const catalog = createCatalog(
    groups.map((g) => ({
      name: g.name,
      scope: g.scope,
      description: g.description,
      supportsTimeFilter: g.timeFilter,
      source: g.source,
    })),
  );
  return Object.freeze({ file: absolute, baseDir: path.dirname(absolute), catalog, sources, groups: Object.freeze(groups), locate, redact });
}

/**
 * Replaces `${NAME}` in scalar values below `sources` (never in keys) in place, reporting unset variables and
 * references anywhere else. Returns the values it put in, longest first (for `redact`).
 */
function substituteEnv(
  doc: Document,
  env: Readonly<Record<string, string | undefined>>,
  problem: (node: Node, message: string) => void,
): [name: string, value: string][] {
  const substituted = new Map<string, string>();
  visit(doc, {
    Scalar(key, value, ancestors) {
      if (key === 'key' || typeof value.value !== 'string' || !value.value.includes('${')) return;
      // ancestors: the document, its top-level map, the top-level pair this value lies under, …
      const top = ancestors[2];
      const inSources = ancestors[1] === doc.contents && isPair(top) && isScalar(top.key) && top.key.value === 'sources';
      value.value = value.value.replace(ENV_REFERENCE, (whole, name: string) => {
        if (!inSources) {
          problem(value, `\${${name}} is read from the environment only below "sources" (connection settings and secrets); this value is not one of those`);
          return whole;
        }
        const found = env[name];
        if (found === undefined || found === '') {
          problem(value, `environment variable ${name} is not set`);
          return '';
        }
        // Short values ("1", "on") are not secrets, and redacting them would garble line numbers.
        if (found.length >= MIN_REDACTED_LENGTH) substituted.set(found, name);
        return found;
      });
    },
  });
  return [...substituted].map(([value, name]): [string, string] => [name, value]).sort((a, b) => b[1].length - a[1].length);
}

/** Values from the environment at least this long are never quoted in an error. */
const MIN_REDACTED_LENGTH = 4;

/** The deepest existing node along `at`: a missing key is reported at the object that lacks it. */
function nodeAt(doc: Document, at: CatalogPath): Node | undefined {
  let node: unknown = doc.contents;
  for (const key of at) {
    const next = isNode(node) && 'get' in node && typeof node.get === 'function' ? (node.get as (k: unknown, keep: boolean) => unknown)(key, true) : undefined;
    if (!isNode(next)) break;
    node = next;
  }
  return isNode(node) ? node : undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? `${String(issue.path.at(-1))}: ` : '';
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${field}required`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    return `${field}expected one of: sql, files, http, plugin, demo`;
  }
  return `${field}${issue.message}`;
}
