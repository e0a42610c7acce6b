import { z } from 'zod';
import { ApiError } from './api-error.js';

/**
 * Google's proto-JSON parser accepts lowerCamel and snake_case names alike and ignores unknown fields;
 * we do the same by folding snake_case keys to lowerCamel before validating.
 */
export function normalizeKeys(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('INVALID_ARGUMENT', 'Invalid JSON payload received. Expected an object.');
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

// RFC 3339 as google.protobuf.Timestamp's JSON form allows it: a 'Z' or an offset, up to nanoseconds.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const timestamp = (field: string) =>
  z.unknown().transform((v, ctx) => {
    if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v))) {
      ctx.addIssue({ code: 'custom', message: `Invalid value at '${field}' (type.googleapis.com/google.protobuf.Timestamp), Field '${field}', Invalid time format: ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return new Date(v);
  });

const initiateSchema = z.object({
  resources: z.unknown().transform((v, ctx) => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      ctx.addIssue({ code: 'custom', message: `Invalid value at 'resources' (TYPE_STRING), ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return v as string[];
  }),
  startTime: timestamp('start_time').optional(),
  endTime: timestamp('end_time').optional(),
});

export function parseInitiateBody(body: unknown) {
  const parsed = initiateSchema.safeParse(normalizeKeys(body));
  if (!parsed.success) throw new ApiError('INVALID_ARGUMENT', parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** Bodies of the methods that take `{}`: any object is fine, other JSON is not. */
export function parseEmptyBody(body: unknown): void {
  normalizeKeys(body);
}
