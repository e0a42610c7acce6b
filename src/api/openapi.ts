import { documentedDescription, type Catalog } from '../catalog/index.js';
import {
  API_DESCRIPTION,
  API_TITLE,
  API_VERSION,
  DISCOVERY_REVISION,
  DOCUMENTATION_LINK,
  METHODS,
  SCHEMAS,
  STANDARD_PARAMETERS,
  catalogScopes,
  type ApiMethod,
  type DiscoveryParameter,
  type DiscoveryProperty,
  type MethodId,
} from './discovery.js';
import { ERROR_DOMAIN, FRONT_END_DOMAIN, RPC_STATUS, type RpcStatus } from './google-errors.js';

/**
 * An OpenAPI 3.1 description of the same API as `discovery.ts`, for tools that don't read Discovery documents
 * (Swagger UI, openapi-generator, Postman). Paths, operations, schemas and query parameters are all derived
 * from discovery.ts's tables; only what Discovery cannot say lives here: the error responses each method can
 * give, and the OAuth 2.0 endpoints.
 */

type ErrorHttpStatus = 400 | 401 | 403 | 404 | 409 | 429;

/**
 * The error statuses each method can answer with (reference/API.md). 400 is on every method because the
 * standard query parameters are checked everywhere (`alt`, `fields`, `prettyPrint`). A new method without a
 * row fails to compile.
 */
const METHOD_ERRORS = {
  'dataportability.accessType.check': [400, 401, 403],
  'dataportability.archiveJobs.cancel': [400, 401, 403, 404],
  'dataportability.archiveJobs.getPortabilityArchiveState': [400, 401, 403, 404],
  'dataportability.archiveJobs.retry': [400, 401, 403, 404],
  'dataportability.authorization.reset': [400, 401, 403],
  'dataportability.portabilityArchive.initiate': [400, 401, 403, 409, 429],
} as const satisfies Record<MethodId, readonly ErrorHttpStatus[]>;

const ERROR_DESCRIPTIONS: Record<ErrorHttpStatus, string> = {
  400:
    'INVALID_ARGUMENT: a malformed request or query parameter, an unknown resource group, or a time filter the resource groups do not support. ' +
    'FAILED_PRECONDITION: the job is not in a state that allows this method (only a FAILED job can be retried, only an IN_PROGRESS job cancelled).',
  401: 'UNAUTHENTICATED: the access token is missing (reason CREDENTIALS_MISSING), expired (ACCESS_TOKEN_EXPIRED) or unknown or revoked (ACCESS_TOKEN_TYPE_UNSUPPORTED).',
  403: "PERMISSION_DENIED: the token's scopes do not cover the requested resources (reason ACCESS_TOKEN_SCOPE_INSUFFICIENT).",
  404: 'NOT_FOUND: no such archive job for this user and client.',
  409: 'ALREADY_EXISTS: an identical job is still IN_PROGRESS. ErrorInfo reason ALREADY_EXISTS_ONE_TIME or ALREADY_EXISTS_TIME_BASED, metadata `job_id`.',
  429:
    'RESOURCE_EXHAUSTED: a one-time grant was already used for these resources (reason RESOURCE_EXHAUSTED_ONE_TIME, metadata `previous_job_ids`), ' +
    'or a time-based grant exported them less than 24 hours ago (reason RESOURCE_EXHAUSTED_TIME_BASED, metadata `previous_job_ids` and `timestamp_after_24hrs`).',
};

const ERROR_EXAMPLES: Partial<Record<ErrorHttpStatus, object>> = {
  409: {
    error: {
      code: 409,
      message: 'An identical archive job is already in progress.',
      status: 'ALREADY_EXISTS',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ALREADY_EXISTS_TIME_BASED',
          domain: ERROR_DOMAIN,
          metadata: { job_id: '2f0b5a4e-54f1-4c8a-9c66-6b0a0e3f7f11' },
        },
      ],
    },
  },
  429: {
    error: {
      code: 429,
      message: 'Requested resources were exported less than 24 hours ago.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'RESOURCE_EXHAUSTED_TIME_BASED',
          domain: ERROR_DOMAIN,
          metadata: {
            previous_job_ids: '2f0b5a4e-54f1-4c8a-9c66-6b0a0e3f7f11',
            timestamp_after_24hrs: '2026-03-10T12:00:00Z',
          },
        },
      ],
    },
  },
};

/** Path variables of the OpenAPI paths (Discovery's `{+name}` split into its segments). */
const PATH_PARAMETERS: Record<string, { description: string }> = {
  archiveJobId: {
    description: 'The archive job ID returned by portabilityArchive.initiate or archiveJobs.retry (`archiveJobId`).',
  },
};

/** Names of the schemas openapi.ts adds beside Discovery's; checked for clashes when the document is built. */
const ERROR_SCHEMAS = ['ErrorResponse', 'Status', 'ErrorInfo'] as const;

/**
 * The OpenAPI path of a method: Discovery's `flatPath` with a leading slash and each collection's id variable
 * named for one item (`{archiveJobsId}` -> `{archiveJobId}`). The colon before a custom verb stays literal:
 * `/v1/archiveJobs/{archiveJobId}:retry`.
 */
export function openApiPath(method: Pick<ApiMethod, 'flatPath'>): string {
  return `/${method.flatPath.replace(/\{(\w+)sId\}/g, '{$1Id}')}`;
}

function pathVariables(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** A Discovery field as JSON Schema 2020-12 (the OpenAPI 3.1 dialect). */
function jsonSchema(p: DiscoveryProperty): Record<string, unknown> {
  const out: Record<string, unknown> = { type: p.type };
  if (p.description !== undefined) out.description = p.description;
  // google-datetime is proto's Timestamp in JSON: an RFC 3339 string.
  if (p.format === 'google-datetime') out.format = 'date-time';
  else if (p.format !== undefined) out.format = p.format;
  if (p.enum) out.enum = [...p.enum];
  // Not standard JSON Schema; openapi-generator reads `x-enum-descriptions`.
  if (p.enumDescriptions) out['x-enum-descriptions'] = [...p.enumDescriptions];
  if (p.items) out.items = jsonSchema(p.items);
  return out;
}

function queryParameter(name: string, p: DiscoveryParameter): object {
  const schema = jsonSchema(p);
  delete schema.description; // said once, on the parameter
  if (p.default !== undefined) schema.default = p.type === 'boolean' ? p.default === 'true' : p.default;
  return { name, in: 'query', required: false, description: p.description, schema };
}

/** `$.xgafv` is not a valid component key (`^[a-zA-Z0-9.\-_]+$`). */
function parameterKey(name: string): string {
  return name.replace(/^[^A-Za-z0-9]+/, '');
}

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });

function errorResponse(code: ErrorHttpStatus): object {
  const statuses = (Object.keys(RPC_STATUS) as RpcStatus[]).filter((s) => RPC_STATUS[s] === code);
  const schema = {
    allOf: [
      ref('schemas', 'ErrorResponse'),
      {
        properties: {
          error: { properties: { code: { const: code }, status: { enum: statuses } } },
        },
      },
    ],
  };
  const example = ERROR_EXAMPLES[code];
  return {
    description: ERROR_DESCRIPTIONS[code],
    ...(code === 401 || code === 403
      ? {
          headers: {
            'WWW-Authenticate': {
              description: 'A Bearer challenge (RFC 6750), e.g. `Bearer realm="dataport", error="invalid_token"`.',
              schema: { type: 'string' },
            },
          },
        }
      : {}),
    content: { 'application/json': { schema, ...(example ? { example } : {}) } },
  };
}

function operation(m: (typeof METHODS)[number], path: string): object {
  const { request } = m as ApiMethod;
  return {
    operationId: m.id,
    tags: [m.resource],
    summary: m.description.split('. ')[0]!.replace(/\.$/, ''),
    description: m.description,
    parameters: [
      ...pathVariables(path).map((v) => ref('parameters', v)),
      ...Object.keys(STANDARD_PARAMETERS).map((name) => ref('parameters', parameterKey(name))),
    ],
    ...(request
      ? {
          requestBody: {
            // googleapis sends no body at all when `requestBody` is omitted; only initiate needs one.
            required: Object.keys(SCHEMAS[request].properties).length > 0,
            content: { 'application/json': { schema: ref('schemas', request) } },
          },
        }
      : {}),
    responses: {
      200: {
        description: 'Successful response',
        content: { 'application/json': { schema: ref('schemas', m.response) } },
      },
      ...Object.fromEntries(METHOD_ERRORS[m.id].map((code) => [code, ref('responses', `Error${code}`)])),
      default: ref('responses', 'ErrorDefault'),
    },
  };
}

/**
 * Builds the OpenAPI 3.1 document for the server at `serverUrl` (its public origin, with or without a
 * trailing slash). OAuth scopes and their descriptions come from the catalog.
 *
 * @example
 *   app.get('/openapi.json', async () => buildOpenApiDocument(catalog, config.publicUrl));
 */
export function buildOpenApiDocument(catalog: Catalog, serverUrl: string): object {
  const server = serverUrl.replace(/\/+$/, '');
  const scopes = catalogScopes(catalog);
  const descriptions = new Map(catalog.groups.map((g) => [g.scope, documentedDescription(g)]));

  for (const name of ERROR_SCHEMAS) {
    if (name in SCHEMAS) throw new Error(`openapi: schema name ${name} clashes with a Discovery schema`);
  }

  const paths: Record<string, Record<string, object>> = {};
  for (const m of METHODS) {
    const path = openApiPath(m);
    for (const v of pathVariables(path)) {
      if (!PATH_PARAMETERS[v]) throw new Error(`openapi: no description for path variable {${v}} of ${m.id}`);
    }
    (paths[path] ??= {})[m.httpMethod.toLowerCase()] = operation(m, path);
  }

  const schemas: Record<string, object> = {};
  for (const [name, s] of Object.entries(SCHEMAS)) {
    schemas[name] = {
      type: 'object',
      description: s.description,
      properties: Object.fromEntries(Object.entries(s.properties as Record<string, DiscoveryProperty>).map(([k, p]) => [k, jsonSchema(p)])),
    };
  }
  schemas.ErrorResponse = {
    type: 'object',
    description: "The body of every error response (Google's JSON error format, AIP-193).",
    required: ['error'],
    properties: { error: ref('schemas', 'Status') },
  };
  schemas.Status = {
    type: 'object',
    description: 'A google.rpc.Status in its JSON form.',
    required: ['code', 'message', 'status'],
    properties: {
      code: { type: 'integer', description: 'The HTTP status code.' },
      message: { type: 'string', description: 'A developer-facing error message, in English.' },
      status: { type: 'string', description: 'The google.rpc.Code name.', enum: Object.keys(RPC_STATUS) },
      details: {
        type: 'array',
        description:
          'Machine-readable details: at most one google.rpc.ErrorInfo, and a google.rpc.BadRequest (`fieldViolations`: `description`, and `field` inside a field) when the request does not fit the method.',
        items: {
          anyOf: [ref('schemas', 'ErrorInfo'), { type: 'object', required: ['@type'], properties: { '@type': { type: 'string' } } }],
        },
      },
    },
  };
  schemas.ErrorInfo = {
    type: 'object',
    description: 'google.rpc.ErrorInfo: why the request failed, and facts a client may act on.',
    required: ['@type', 'reason', 'domain'],
    properties: {
      '@type': { const: 'type.googleapis.com/google.rpc.ErrorInfo' },
      reason: {
        type: 'string',
        description: 'UPPER_SNAKE_CASE reason, e.g. RESOURCE_EXHAUSTED_ONE_TIME, ALREADY_EXISTS_TIME_BASED.',
      },
      domain: {
        type: 'string',
        enum: [ERROR_DOMAIN, FRONT_END_DOMAIN],
        description: `${FRONT_END_DOMAIN} for what Google's front end checks (credentials, scopes; metadata \`service\` and \`method\`), ${ERROR_DOMAIN} for the service's own errors.`,
      },
      metadata: {
        type: 'object',
        description: 'e.g. `previous_job_ids` (comma-separated), `timestamp_after_24hrs` (RFC 3339), `job_id`.',
        additionalProperties: { type: 'string' },
      },
    },
  };

  const parameters: Record<string, object> = {};
  for (const [name, p] of Object.entries(STANDARD_PARAMETERS)) {
    parameters[parameterKey(name)] = queryParameter(name, p);
  }
  for (const [name, p] of Object.entries(PATH_PARAMETERS)) {
    parameters[name] = { name, in: 'path', required: true, description: p.description, schema: { type: 'string' } };
  }

  const responses: Record<string, object> = {};
  for (const code of [400, 401, 403, 404, 409, 429] as const) responses[`Error${code}`] = errorResponse(code);
  responses.ErrorDefault = {
    description: 'INTERNAL (500) or UNAVAILABLE (503); other google.rpc.Code values are possible.',
    content: { 'application/json': { schema: ref('schemas', 'ErrorResponse') } },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description: `${API_DESCRIPTION}\n\nServed by Dataport, compatible with Google's Discovery revision ${DISCOVERY_REVISION}.`,
      'x-discovery-revision': DISCOVERY_REVISION,
    },
    externalDocs: { description: "Google's Data Portability API documentation", url: DOCUMENTATION_LINK },
    servers: [{ url: server }],
    tags: [...new Set(METHODS.map((m) => m.resource))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      parameters,
      responses,
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description:
            'Each resource group has its own scope. A token may carry any subset of them: every method needs one, and initiate needs one for each requested resource group.',
          flows: {
            authorizationCode: {
              authorizationUrl: `${server}/oauth/authorize`,
              tokenUrl: `${server}/oauth/token`,
              refreshUrl: `${server}/oauth/token`,
              scopes: Object.fromEntries(scopes.map((s) => [s, descriptions.get(s)])),
            },
          },
        },
      },
    },
    // Discovery's method `scopes` mean "any one of these"; an OpenAPI requirement lists scopes that are all
    // needed, so "any one" is a list of one-scope alternatives.
    security: scopes.map((s) => ({ oauth2: [s] })),
  };
}
