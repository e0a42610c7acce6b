import { describe, expect, it } from 'vitest';
import { createCatalog, googleCatalog } from '../../../src/catalog/index.js';
import { buildDiscoveryDocument } from '../../../src/api/discovery.js';
import { buildOpenApiDocument, openApiPath } from '../../../src/api/openapi.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the documents are plain JSON; tests walk them untyped */
type Json = any;

const SERVER = 'https://dataport.example.org';
const doc: Json = buildOpenApiDocument(googleCatalog(), `${SERVER}/`);
const discovery: Json = buildDiscoveryDocument(googleCatalog(), `${SERVER}/`);

function discoveryMethods(): Json[] {
  return Object.values(discovery.resources as Record<string, Json>).flatMap((r) => Object.values(r.methods));
}

/** Follows a local `#/components/...` reference. */
function resolve(ref: string): Json {
  expect(ref).toMatch(/^#\/components\//);
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((node, key) => node?.[key], doc);
}

function allRefs(node: Json, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) allRefs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref') out.push(v as string);
      else allRefs(v, out);
    }
  }
  return out;
}

describe('buildOpenApiDocument', () => {
  it('is OpenAPI 3.1.0 for the server URL, without a doubled slash', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Data Portability API', version: 'v1' });
    expect(doc.servers).toEqual([{ url: SERVER }]);
  });

  it('paths: Google’s, with literal colons before custom verbs', () => {
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/accessType:check',
      '/v1/archiveJobs/{archiveJobId}/portabilityArchiveState',
      '/v1/archiveJobs/{archiveJobId}:cancel',
      '/v1/archiveJobs/{archiveJobId}:retry',
      '/v1/authorization:reset',
      '/v1/portabilityArchive:initiate',
    ]);
    expect(doc.paths['/v1/portabilityArchive:initiate'].post.operationId).toBe('dataportability.portabilityArchive.initiate');
    expect(doc.paths['/v1/archiveJobs/{archiveJobId}/portabilityArchiveState'].get.operationId).toBe('dataportability.archiveJobs.getPortabilityArchiveState');
  });

  it('every method of the discovery document is an operation at its flat path', () => {
    const methods = discoveryMethods();
    expect(methods).toHaveLength(6);
    for (const m of methods) {
      const op = doc.paths[openApiPath(m)]?.[m.httpMethod.toLowerCase()];
      expect(op, m.id).toBeDefined();
      expect(op.operationId).toBe(m.id);
      expect(op.description).toBe(m.description);
      expect(resolve(op.responses['200'].content['application/json'].schema.$ref)).toBe(doc.components.schemas[m.response.$ref]);
      if (m.request) {
        expect(op.requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${m.request.$ref}`);
      } else {
        expect(op.requestBody).toBeUndefined();
      }
    }
    const operations = Object.values(doc.paths as Record<string, Json>).flatMap((p) => Object.values(p));
    expect(operations).toHaveLength(methods.length);
  });

  it('every $ref resolves, and every path variable is a declared path parameter', () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(resolve(r), r).toBeDefined();
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      const vars = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values<Json>(item)) {
        const params = op.parameters.map((p: Json) => (p.$ref ? resolve(p.$ref) : p));
        expect(params.filter((p: Json) => p.in === 'path').map((p: Json) => p.name)).toEqual(vars);
        for (const p of params.filter((q: Json) => q.in === 'path')) expect(p.required).toBe(true);
        expect(
          params
            .filter((p: Json) => p.in === 'query')
            .map((p: Json) => p.name)
            .sort(),
        ).toEqual(Object.keys(discovery.parameters).sort());
      }
    }
  });

  it("schemas: Discovery's, as JSON Schema (google-datetime → date-time)", () => {
    const s = doc.components.schemas;
    for (const name of Object.keys(discovery.schemas)) expect(s[name], name).toMatchObject({ type: 'object' });
    expect(s.InitiatePortabilityArchiveRequest.properties).toMatchObject({
      resources: { type: 'array', items: { type: 'string' } },
      startTime: { type: 'string', format: 'date-time' },
      endTime: { type: 'string', format: 'date-time' },
    });
    expect(s.InitiatePortabilityArchiveResponse.properties.accessType.enum).toEqual([
      'ACCESS_TYPE_UNSPECIFIED',
      'ACCESS_TYPE_ONE_TIME',
      'ACCESS_TYPE_TIME_BASED',
    ]);
    expect(Object.keys(s.PortabilityArchiveState.properties).sort()).toEqual(['exportTime', 'name', 'startTime', 'state', 'urls']);
    expect(doc.components.parameters.prettyPrint.schema).toEqual({ type: 'boolean', default: true });
    expect(doc.components.parameters.xgafv).toMatchObject({ name: '$.xgafv', in: 'query' });
  });

  it('errors: Google’s body for 400/401/403/404/409/429, only where the method can give them', () => {
    expect(doc.components.schemas.Status).toMatchObject({
      required: ['code', 'message', 'status'],
      properties: {
        code: { type: 'integer' },
        message: { type: 'string' },
        status: { type: 'string' },
        details: { type: 'array' },
      },
    });
    expect(doc.components.schemas.ErrorResponse.properties.error.$ref).toBe('#/components/schemas/Status');
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('/v1/portabilityArchive:initiate', 'post')).toEqual(['200', '400', '401', '403', '409', '429', 'default'].sort());
    expect(statuses('/v1/archiveJobs/{archiveJobId}:retry', 'post')).toEqual(['200', '400', '401', '403', '404', 'default'].sort());
    expect(statuses('/v1/accessType:check', 'post')).toEqual(['200', '400', '401', '403', 'default'].sort());
    const tooMany = doc.components.responses.Error429.content['application/json'];
    expect(tooMany.schema.allOf[1].properties.error.properties).toEqual({
      code: { const: 429 },
      status: { enum: ['RESOURCE_EXHAUSTED'] },
    });
    expect(tooMany.example.error.details[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'RESOURCE_EXHAUSTED_TIME_BASED',
      domain: 'dataportability.googleapis.com',
    });
    const badRequest = doc.components.responses.Error400.content['application/json'].schema;
    expect(badRequest.allOf[1].properties.error.properties.status.enum).toEqual(expect.arrayContaining(['INVALID_ARGUMENT', 'FAILED_PRECONDITION']));
  });

  it('security: OAuth2 authorization code at the server, one alternative per catalog scope', () => {
    const flow = doc.components.securitySchemes.oauth2.flows.authorizationCode;
    expect(flow.authorizationUrl).toBe(`${SERVER}/oauth/authorize`);
    expect(flow.tokenUrl).toBe(`${SERVER}/oauth/token`);
    expect(Object.keys(flow.scopes)).toHaveLength(74);
    expect(flow.scopes).toEqual(Object.fromEntries(Object.entries<Json>(discovery.auth.oauth2.scopes).map(([s, v]) => [s, v.description])));
    expect(doc.security).toHaveLength(74);
    for (const req of doc.security) {
      expect(Object.keys(req)).toEqual(['oauth2']);
      expect(req.oauth2).toHaveLength(1);
      expect(flow.scopes).toHaveProperty([req.oauth2[0]]);
    }
  });

  it("an operator's catalog → only its scopes", () => {
    const catalog = createCatalog([
      {
        name: 'photos.albums',
        scope: 'https://photos.example.org/auth/photos.albums',
        description: 'Move a copy of your albums',
        supportsTimeFilter: false,
        source: 'photos',
      },
    ]);
    const d: Json = buildOpenApiDocument(catalog, SERVER);
    expect(d.components.securitySchemes.oauth2.flows.authorizationCode.scopes).toEqual({
      'https://photos.example.org/auth/photos.albums': 'Move a copy of your albums',
    });
    expect(d.security).toEqual([{ oauth2: ['https://photos.example.org/auth/photos.albums'] }]);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
