/**
 * Google's partial-response `fields` parameter: `a,b/c,d(e,f)`, `*` for everything at a level.
 * A tree of selected names; `true` selects a whole value.
 */
export type FieldTree = Map<string, FieldTree | true>;

export class FieldsSyntaxError extends Error {}

export function parseFields(spec: string): FieldTree {
  let pos = 0;
  const root: FieldTree = new Map();

  function merge(into: FieldTree, name: string, sub: FieldTree | true) {
    const existing = into.get(name);
    if (existing === true || sub === true) into.set(name, true);
    else if (existing) for (const [k, v] of sub) merge(existing, k, v);
    else into.set(name, sub);
  }

  function parseList(into: FieldTree, closing: string | undefined) {
    for (;;) {
      parsePath(into);
      const c = spec[pos];
      if (c === ',') {
        pos++;
        continue;
      }
      if (c === closing) return;
      if (c === undefined && closing === undefined) return;
      throw new FieldsSyntaxError(`Invalid field selection ${spec}`);
    }
  }

  function parsePath(into: FieldTree) {
    const m = /^[A-Za-z0-9_*$.@-]+/.exec(spec.slice(pos));
    if (!m) throw new FieldsSyntaxError(`Invalid field selection ${spec}`);
    const name = m[0];
    pos += name.length;
    if (spec[pos] === '/') {
      pos++;
      const sub: FieldTree = new Map();
      parsePath(sub);
      merge(into, name, sub);
    } else if (spec[pos] === '(') {
      pos++;
      const sub: FieldTree = new Map();
      parseList(sub, ')');
      pos++;
      merge(into, name, sub);
    } else {
      merge(into, name, true);
    }
  }

  parseList(root, undefined);
  return root;
}

/** The part of `value` that `tree` selects; arrays are filtered element by element. */
export function applyFields(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => applyFields(v, tree));
  if (value === null || typeof value !== 'object') return value;
  if (tree.get('*') === true) return value;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of tree) {
    if (name === '*') continue;
    if (!(name in value)) continue;
    const v = (value as Record<string, unknown>)[name];
    out[name] = sub === true ? v : applyFields(v, sub);
  }
  return out;
}
