/**
 * A method's result as proto3's JSON mapping writes it: a field at its default value (an empty string, 0,
 * false, an enum's `…_UNSPECIFIED`, an empty repeated field) and an unset one are left out. Google's answers
 * are written this way, so a client that reads `.length` of `urls` before a job is COMPLETE, or of an empty
 * `timeBasedResources`, fails here as it would there.
 */
export function withoutDefaults(message: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message)) {
    if (isDefault(value)) continue;
    out[name] = Array.isArray(value) ? value.map((v) => (isMessage(v) ? withoutDefaults(v) : v)) : isMessage(value) ? withoutDefaults(value) : value;
  }
  return out;
}

function isMessage(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDefault(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    value === 0 ||
    value === false ||
    (typeof value === 'string' && value.endsWith('_UNSPECIFIED')) ||
    (Array.isArray(value) && value.length === 0)
  );
}
