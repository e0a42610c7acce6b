import { documentedDescription, type Catalog } from '../catalog/index.js';

/**
 * The Google API Discovery document for `dataportability:v1`, rebuilt from tables so that it follows the live
 * catalog (scopes and their consent-screen descriptions) and the server's own root URL.
 *
 * Everything else is Google's document of revision 20260309 as published at
 * `https://dataportability.googleapis.com/$discovery/rest?version=v1`: the same method ids, paths, parameter
 * patterns, schema names, field names and descriptions, so that `google.discoverAPI()` builds a client whose
 * requests are byte-for-byte those of the generated `google.dataportability('v1')`. Object keys come out sorted,
 * as in Google's published document, so a diff against the real one stays short.
 *
 * `openapi.ts` derives the OpenAPI description from the same `METHODS`, `SCHEMAS` and `STANDARD_PARAMETERS`,
 * so the two documents cannot drift apart.
 */

/** The Discovery revision we mirror; bump it only together with the tables below. */
export const DISCOVERY_REVISION = '20260309';

const API_NAME = 'dataportability';
export const API_VERSION = 'v1';
export const API_TITLE = 'Data Portability API';
export const API_DESCRIPTION =
  'The Data Portability API lets you build applications that request authorization from a user to move a copy of data from Google services into your application. This enables data portability and facilitates switching services.';
/**
 * Dataport's extension, told in the description only: it adds no method, so Google's generated clients are
 * the same as against Google's document.
 */
const EXTENSIONS_NOTE =
  " Dataport extension (not in Google's API): when a job ends or an authorization is revoked, Dataport can POST a signed notification (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) to an endpoint the operator registers for the client, so clients need not poll; see Dataport's docs/webhooks.md.";
export const DOCUMENTATION_LINK = 'https://developers.google.com/data-portability';

/** A Discovery `type`, plus the JSON Schema subset Discovery uses for fields and query parameters. */
export interface DiscoveryProperty {
  readonly type: 'string' | 'boolean' | 'integer' | 'number' | 'array' | 'object';
  readonly description?: string;
  /** Discovery formats: `google-datetime` is an RFC 3339 timestamp (proto `Timestamp`). */
  readonly format?: string;
  readonly enum?: readonly string[];
  readonly enumDescriptions?: readonly string[];
  readonly items?: DiscoveryProperty;
}

export interface DiscoverySchema {
  readonly id: string;
  readonly description: string;
  readonly type: 'object';
  readonly properties: Readonly<Record<string, DiscoveryProperty>>;
}

export interface DiscoveryParameter extends DiscoveryProperty {
  readonly location: 'query' | 'path';
  readonly default?: string;
  readonly required?: boolean;
  readonly pattern?: string;
}

const TIMESTAMP = { type: 'string', format: 'google-datetime' } as const;
const STRING_LIST = { type: 'array', items: { type: 'string' } } as const;

/** Google's schemas, field for field. Request and response messages are plain objects; every field is optional. */
export const SCHEMAS = {
  CancelPortabilityArchiveRequest: {
    description: 'Request to cancel a Portability Archive job.',
    id: 'CancelPortabilityArchiveRequest',
    properties: {},
    type: 'object',
  },
  CancelPortabilityArchiveResponse: {
    description: 'Response to canceling a Data Portability Archive job.',
    id: 'CancelPortabilityArchiveResponse',
    properties: {},
    type: 'object',
  },
  CheckAccessTypeRequest: {
    description: "Request to check the token's access type. All required information is derived from the attached OAuth token.",
    id: 'CheckAccessTypeRequest',
    properties: {},
    type: 'object',
  },
  CheckAccessTypeResponse: {
    description: "Response to checking the token's access type.",
    id: 'CheckAccessTypeResponse',
    properties: {
      oneTimeResources: {
        ...STRING_LIST,
        description: 'Jobs initiated with this token will be one-time if any requested resources have one-time access.',
      },
      timeBasedResources: {
        ...STRING_LIST,
        description: 'Jobs initiated with this token will be time-based if all requested resources have time-based access.',
      },
    },
    type: 'object',
  },
  Empty: {
    description:
      'A generic empty message that you can re-use to avoid defining duplicated empty messages in your APIs. A typical example is to use it as the request or the response type of an API method. For instance: service Foo { rpc Bar(google.protobuf.Empty) returns (google.protobuf.Empty); }',
    id: 'Empty',
    properties: {},
    type: 'object',
  },
  InitiatePortabilityArchiveRequest: {
    description: 'Request to kick off an Archive job.',
    id: 'InitiatePortabilityArchiveRequest',
    properties: {
      endTime: {
        ...TIMESTAMP,
        description:
          'Optional. The timestamp that represents the end point for the data you are exporting. If the end_time is not specified in the InitiatePortabilityArchiveRequest, this field is set to the latest available data.',
      },
      resources: {
        ...STRING_LIST,
        description: "The resources from which you're exporting data. These values have a 1:1 correspondence with the OAuth scopes.",
      },
      startTime: {
        ...TIMESTAMP,
        description:
          'Optional. The timestamp that represents the starting point for the data you are exporting. If the start_time is not specified in the InitiatePortabilityArchiveRequest, the field is set to the earliest available data.',
      },
    },
    type: 'object',
  },
  InitiatePortabilityArchiveResponse: {
    description: 'Response from initiating an Archive job.',
    id: 'InitiatePortabilityArchiveResponse',
    properties: {
      accessType: {
        description: 'The access type of the Archive job initiated by the API.',
        enum: ['ACCESS_TYPE_UNSPECIFIED', 'ACCESS_TYPE_ONE_TIME', 'ACCESS_TYPE_TIME_BASED'],
        enumDescriptions: [
          'Default value. This value is unused.',
          'One-time access to the requested scopes.',
          'Multiple exports allowed over 30 days. Enum value subject to change before launch.',
        ],
        type: 'string',
      },
      archiveJobId: {
        description: 'The archive job ID that is initiated in the API. This can be used to get the state of the job.',
        type: 'string',
      },
    },
    type: 'object',
  },
  PortabilityArchiveState: {
    description: 'Resource that contains the state of an Archive job.',
    id: 'PortabilityArchiveState',
    properties: {
      exportTime: {
        ...TIMESTAMP,
        description:
          'The timestamp that represents the end point for the data you are exporting. If the end_time value is set in the InitiatePortabilityArchiveRequest, this field is set to that value. If end_time is not set, this value is set to the time the export was requested.',
      },
      name: {
        description:
          "The resource name of ArchiveJob's PortabilityArchiveState singleton. The format is: archiveJobs/{archive_job}/portabilityArchiveState. archive_job is the job ID provided in the request.",
        type: 'string',
      },
      startTime: {
        ...TIMESTAMP,
        description:
          'The timestamp that represents the starting point for the data you are exporting. This field is set only if the start_time field is specified in the InitiatePortabilityArchiveRequest.',
      },
      state: {
        description: 'Resource that represents the state of the Archive job.',
        enum: ['STATE_UNSPECIFIED', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'CANCELLED'],
        enumDescriptions: [
          'Default value. This value is unused.',
          'The job is in progress.',
          'The job is complete.',
          'The job failed.',
          'The job is cancelled.',
        ],
        type: 'string',
      },
      urls: {
        ...STRING_LIST,
        description: 'If the state is complete, this method returns the signed URLs of the objects in the Cloud Storage bucket.',
      },
    },
    type: 'object',
  },
  ResetAuthorizationRequest: {
    description: 'Request to reset exhausted OAuth scopes.',
    id: 'ResetAuthorizationRequest',
    properties: {},
    type: 'object',
  },
  RetryPortabilityArchiveRequest: {
    description: 'Request to retry a failed Portability Archive job.',
    id: 'RetryPortabilityArchiveRequest',
    properties: {},
    type: 'object',
  },
  RetryPortabilityArchiveResponse: {
    description: 'Response from retrying a Portability Archive.',
    id: 'RetryPortabilityArchiveResponse',
    properties: {
      archiveJobId: {
        description: 'The archive job ID that is initiated by the retry endpoint. This can be used to get the state of the new job.',
        type: 'string',
      },
    },
    type: 'object',
  },
} as const satisfies Record<string, DiscoverySchema>;

export type SchemaName = keyof typeof SCHEMAS;

/** One method of the API: everything both documents need to describe it. */
export interface ApiMethod {
  /** Discovery method id, also the OpenAPI operationId. */
  readonly id: string;
  /** Resource (`archiveJobs`) and method (`retry`) names, as the client exposes them: `api.archiveJobs.retry()`. */
  readonly resource: string;
  readonly method: string;
  readonly httpMethod: 'GET' | 'POST';
  /** URI template relative to the root URL; `{+name}` is a reserved expansion (slashes kept). */
  readonly path: string;
  /** The same path with each segment of `name` as its own variable (`{archiveJobsId}`). */
  readonly flatPath: string;
  /** The `name` path parameter, for methods on an archive job. */
  readonly name?: { readonly pattern: string; readonly description: string };
  readonly request?: SchemaName;
  readonly response: SchemaName;
  readonly description: string;
}

/** The six methods, in Google's order (resources and methods sorted by name). */
export const METHODS = [
  {
    id: 'dataportability.accessType.check',
    resource: 'accessType',
    method: 'check',
    httpMethod: 'POST',
    path: 'v1/accessType:check',
    flatPath: 'v1/accessType:check',
    request: 'CheckAccessTypeRequest',
    response: 'CheckAccessTypeResponse',
    description: 'Gets the access type of the token.',
  },
  {
    id: 'dataportability.archiveJobs.cancel',
    resource: 'archiveJobs',
    method: 'cancel',
    httpMethod: 'POST',
    path: 'v1/{+name}:cancel',
    flatPath: 'v1/archiveJobs/{archiveJobsId}:cancel',
    name: {
      pattern: '^archiveJobs/[^/]+$',
      description:
        "Required. The Archive job ID you're canceling. This is returned by the InitiatePortabilityArchive response. The format is: archiveJobs/{archive_job}. Canceling is only executed if the job is in progress.",
    },
    request: 'CancelPortabilityArchiveRequest',
    response: 'CancelPortabilityArchiveResponse',
    description: 'Cancels a Portability Archive job.',
  },
  {
    id: 'dataportability.archiveJobs.getPortabilityArchiveState',
    resource: 'archiveJobs',
    method: 'getPortabilityArchiveState',
    httpMethod: 'GET',
    path: 'v1/{+name}',
    flatPath: 'v1/archiveJobs/{archiveJobsId}/portabilityArchiveState',
    name: {
      pattern: '^archiveJobs/[^/]+/portabilityArchiveState$',
      description:
        'Required. The archive job ID that is returned when you request the state of the job. The format is: archiveJobs/{archive_job}/portabilityArchiveState. archive_job is the job ID returned by the InitiatePortabilityArchiveResponse.',
    },
    response: 'PortabilityArchiveState',
    description: 'Retrieves the state of an Archive job for the Portability API.',
  },
  {
    id: 'dataportability.archiveJobs.retry',
    resource: 'archiveJobs',
    method: 'retry',
    httpMethod: 'POST',
    path: 'v1/{+name}:retry',
    flatPath: 'v1/archiveJobs/{archiveJobsId}:retry',
    name: {
      pattern: '^archiveJobs/[^/]+$',
      description:
        "Required. The Archive job ID you're retrying. This is returned by the InitiatePortabilityArchiveResponse. Retrying is only executed if the initial job failed.",
    },
    request: 'RetryPortabilityArchiveRequest',
    response: 'RetryPortabilityArchiveResponse',
    description: 'Retries a failed Portability Archive job.',
  },
  {
    id: 'dataportability.authorization.reset',
    resource: 'authorization',
    method: 'reset',
    httpMethod: 'POST',
    path: 'v1/authorization:reset',
    flatPath: 'v1/authorization:reset',
    request: 'ResetAuthorizationRequest',
    response: 'Empty',
    description:
      'Revokes OAuth tokens and resets exhausted scopes for a user/project pair. This method allows you to initiate a request after a new consent is granted. This method also indicates that previous archives can be garbage collected. You should call this method when all jobs are complete and all archives are downloaded. Do not call it only when you start a new job.',
  },
  {
    id: 'dataportability.portabilityArchive.initiate',
    resource: 'portabilityArchive',
    method: 'initiate',
    httpMethod: 'POST',
    path: 'v1/portabilityArchive:initiate',
    flatPath: 'v1/portabilityArchive:initiate',
    request: 'InitiatePortabilityArchiveRequest',
    response: 'InitiatePortabilityArchiveResponse',
    description: 'Initiates a new Archive job for the Portability API.',
  },
] as const satisfies readonly ApiMethod[];

export type MethodId = (typeof METHODS)[number]['id'];

/** Google's standard query parameters, accepted by every method (see `system-params.ts` for what we honour). */
export const STANDARD_PARAMETERS = {
  '$.xgafv': {
    description: 'V1 error format.',
    enum: ['1', '2'],
    enumDescriptions: ['v1 error format', 'v2 error format'],
    location: 'query',
    type: 'string',
  },
  access_token: { description: 'OAuth access token.', location: 'query', type: 'string' },
  alt: {
    default: 'json',
    description: 'Data format for response.',
    enum: ['json', 'media', 'proto'],
    enumDescriptions: [
      'Responses with Content-Type of application/json',
      'Media download with context-dependent Content-Type',
      'Responses with Content-Type of application/x-protobuf',
    ],
    location: 'query',
    type: 'string',
  },
  callback: { description: 'JSONP', location: 'query', type: 'string' },
  fields: {
    description: 'Selector specifying which fields to include in a partial response.',
    location: 'query',
    type: 'string',
  },
  key: {
    description:
      'API key. Your API key identifies your project and provides you with API access, quota, and reports. Required unless you provide an OAuth 2.0 token.',
    location: 'query',
    type: 'string',
  },
  oauth_token: { description: 'OAuth 2.0 token for the current user.', location: 'query', type: 'string' },
  prettyPrint: {
    default: 'true',
    description: 'Returns response with indentations and line breaks.',
    location: 'query',
    type: 'boolean',
  },
  quotaUser: {
    description:
      'Available to use for quota purposes for server-side applications. Can be any arbitrary string assigned to a user, but should not exceed 40 characters.',
    location: 'query',
    type: 'string',
  },
  uploadType: {
    description: 'Legacy upload protocol for media (e.g. "media", "multipart").',
    location: 'query',
    type: 'string',
  },
  upload_protocol: {
    description: 'Upload protocol for media (e.g. "raw", "multipart").',
    location: 'query',
    type: 'string',
  },
} as const satisfies Record<string, DiscoveryParameter>;

/** The catalog's scope URIs in code-unit order, as Google lists them. */
export function catalogScopes(catalog: Catalog): string[] {
  return catalog.groups.map((g) => g.scope).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * googleapis joins `rootUrl + servicePath + path` by plain concatenation (googleapis-common `endpoint.js`),
 * so a root URL without its trailing slash yields `http://host:8080v1/...`.
 */
function normalizeRootUrl(rootUrl: string): string {
  return rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`;
}

function discoveryMethod(m: ApiMethod, scopes: readonly string[]): object {
  const parameters: Record<string, DiscoveryParameter> = {};
  if (m.name) {
    parameters.name = {
      description: m.name.description,
      location: 'path',
      pattern: m.name.pattern,
      required: true,
      type: 'string',
    };
  }
  return {
    description: m.description,
    flatPath: m.flatPath,
    httpMethod: m.httpMethod,
    id: m.id,
    parameterOrder: Object.keys(parameters),
    parameters,
    path: m.path,
    ...(m.request ? { request: { $ref: m.request } } : {}),
    response: { $ref: m.response },
    scopes: [...scopes],
  };
}

/**
 * Builds the Discovery document served at `/$discovery/rest` (Google also answers `?version=v1` there).
 *
 * @example
 *   const doc = buildDiscoveryDocument(googleCatalog(), 'https://dataport.example.org/');
 *   const api = await google.discoverAPI('https://dataport.example.org/$discovery/rest?version=v1');
 *   await api.portabilityArchive.initiate({ requestBody: { resources: ['myactivity.search'] } });
 */
export function buildDiscoveryDocument(catalog: Catalog, rootUrl: string): object {
  const root = normalizeRootUrl(rootUrl);
  const scopes = catalogScopes(catalog);
  const descriptions = new Map(catalog.groups.map((g) => [g.scope, documentedDescription(g)]));

  const resources: Record<string, { methods: Record<string, object> }> = {};
  for (const m of METHODS) {
    (resources[m.resource] ??= { methods: {} }).methods[m.method] = discoveryMethod(m, scopes);
  }

  return sortKeysDeep({
    auth: {
      oauth2: {
        scopes: Object.fromEntries(scopes.map((s) => [s, { description: descriptions.get(s) }])),
      },
    },
    basePath: '',
    baseUrl: root,
    batchPath: 'batch',
    canonicalName: 'Data Portability',
    description: API_DESCRIPTION + EXTENSIONS_NOTE,
    discoveryVersion: 'v1',
    documentationLink: DOCUMENTATION_LINK,
    fullyEncodeReservedExpansion: true,
    icons: {
      x16: 'http://www.google.com/images/icons/product/search-16.gif',
      x32: 'http://www.google.com/images/icons/product/search-32.gif',
    },
    id: `${API_NAME}:${API_VERSION}`,
    kind: 'discovery#restDescription',
    // Google's is a separate mTLS host; a self-hosted server has one root, and clients that prefer mTLS
    // (GOOGLE_API_USE_MTLS_ENDPOINT=always) must still reach it.
    mtlsRootUrl: root,
    name: API_NAME,
    ownerDomain: 'google.com',
    ownerName: 'Google',
    parameters: STANDARD_PARAMETERS,
    protocol: 'rest',
    resources,
    revision: DISCOVERY_REVISION,
    rootUrl: root,
    schemas: SCHEMAS,
    servicePath: '',
    title: API_TITLE,
    version: API_VERSION,
    version_module: true,
  });
}

/** A deep copy with every object's keys in code-unit order (arrays keep their order). */
function sortKeysDeep(value: unknown): object {
  return sortValue(value) as object;
}

function sortValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortValue);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortValue(v)]));
}
