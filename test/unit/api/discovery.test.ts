import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createCatalog, googleCatalog } from '../../../src/catalog/index.js';
import { buildDiscoveryDocument, METHODS } from '../../../src/api/discovery.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the document is plain JSON; tests walk it untyped */
type Json = any;

// googleapis' package root, loaded untyped: its types cover all ~300 of Google's APIs, which costs every
// type-aware tool (tsc, eslint) ~1.5 GB and ~50 s. The calls below walk the clients untyped anyway.
const googleapis = () => createRequire(import.meta.url)('googleapis') as { google: Json };

const ROOT = 'https://dataport.example.org/';
const doc: Json = buildDiscoveryDocument(googleCatalog(), ROOT);

function allMethods(d: Json): Json[] {
  return Object.values(d.resources as Record<string, Json>).flatMap((r) => Object.values(r.methods));
}

describe('buildDiscoveryDocument', () => {
  it("Google's catalog → 74 scopes (73 listed, one retired), and the six methods each accept all of them", () => {
    const scopes = Object.keys(doc.auth.oauth2.scopes);
    expect(scopes).toHaveLength(74);
    expect(doc.auth.oauth2.scopes['https://www.googleapis.com/auth/dataportability.myactivity.search']).toEqual({
      description: 'Move a copy of your Google Search activity',
    });
    expect(
      allMethods(doc)
        .map((m) => m.id)
        .sort(),
    ).toEqual([
      'dataportability.accessType.check',
      'dataportability.archiveJobs.cancel',
      'dataportability.archiveJobs.getPortabilityArchiveState',
      'dataportability.archiveJobs.retry',
      'dataportability.authorization.reset',
      'dataportability.portabilityArchive.initiate',
    ]);
    for (const m of allMethods(doc)) expect([...m.scopes].sort()).toEqual([...scopes].sort());
  });

  it('top level matches Google: identity, root URLs and the standard parameters', () => {
    expect(doc).toMatchObject({
      kind: 'discovery#restDescription',
      discoveryVersion: 'v1',
      id: 'dataportability:v1',
      name: 'dataportability',
      version: 'v1',
      title: 'Data Portability API',
      protocol: 'rest',
      revision: '20260309',
      rootUrl: ROOT,
      mtlsRootUrl: ROOT,
      baseUrl: ROOT,
      servicePath: '',
      batchPath: 'batch',
    });
    expect(doc.description).toMatch(/^The Data Portability API lets you build applications/);
    // The webhook extension is told in the description, and is no method of the API.
    expect(doc.description).toMatch(/Dataport extension .*Standard Webhooks.*docs\/webhooks\.md/);
    expect(JSON.stringify(doc.resources)).not.toMatch(/webhook/i);
    expect(Object.keys(doc.parameters).sort()).toEqual(
      ['$.xgafv', 'access_token', 'alt', 'callback', 'fields', 'key', 'oauth_token', 'prettyPrint', 'quotaUser', 'uploadType', 'upload_protocol'].sort(),
    );
    expect(doc.parameters.alt).toMatchObject({ default: 'json', enum: ['json', 'media', 'proto'], location: 'query' });
    expect(doc.parameters['$.xgafv'].enum).toEqual(['1', '2']);
    expect(doc.parameters.prettyPrint).toMatchObject({ default: 'true', type: 'boolean' });
  });

  it('root URL without a trailing slash → one is added (googleapis concatenates rootUrl + path)', () => {
    const d: Json = buildDiscoveryDocument(googleCatalog(), 'http://localhost:8080');
    expect(d.rootUrl).toBe('http://localhost:8080/');
    expect(d.baseUrl).toBe('http://localhost:8080/');
  });

  it("an operator's catalog → its scopes and descriptions, nothing of Google's", () => {
    const catalog = createCatalog([
      {
        name: 'photos.albums',
        scope: 'https://photos.example.org/auth/photos.albums',
        description: 'Move a copy of your albums',
        supportsTimeFilter: false,
        source: 'photos',
      },
    ]);
    const d: Json = buildDiscoveryDocument(catalog, ROOT);
    expect(d.auth.oauth2.scopes).toEqual({
      'https://photos.example.org/auth/photos.albums': { description: 'Move a copy of your albums' },
    });
    for (const m of allMethods(d)) expect(m.scopes).toEqual(['https://photos.example.org/auth/photos.albums']);
  });

  it('methods: paths, flat paths, name parameters and message types as Google publishes them', () => {
    const r = doc.resources;
    expect(r.portabilityArchive.methods.initiate).toMatchObject({
      httpMethod: 'POST',
      path: 'v1/portabilityArchive:initiate',
      flatPath: 'v1/portabilityArchive:initiate',
      parameterOrder: [],
      parameters: {},
      request: { $ref: 'InitiatePortabilityArchiveRequest' },
      response: { $ref: 'InitiatePortabilityArchiveResponse' },
    });
    expect(r.archiveJobs.methods.getPortabilityArchiveState).toMatchObject({
      httpMethod: 'GET',
      path: 'v1/{+name}',
      flatPath: 'v1/archiveJobs/{archiveJobsId}/portabilityArchiveState',
      parameterOrder: ['name'],
      parameters: {
        name: {
          location: 'path',
          required: true,
          type: 'string',
          pattern: '^archiveJobs/[^/]+/portabilityArchiveState$',
        },
      },
      response: { $ref: 'PortabilityArchiveState' },
    });
    expect(r.archiveJobs.methods.getPortabilityArchiveState.request).toBeUndefined();
    expect(r.archiveJobs.methods.retry).toMatchObject({
      httpMethod: 'POST',
      path: 'v1/{+name}:retry',
      flatPath: 'v1/archiveJobs/{archiveJobsId}:retry',
      parameters: { name: { location: 'path', required: true, pattern: '^archiveJobs/[^/]+$' } },
      request: { $ref: 'RetryPortabilityArchiveRequest' },
      response: { $ref: 'RetryPortabilityArchiveResponse' },
    });
    expect(r.archiveJobs.methods.cancel).toMatchObject({
      httpMethod: 'POST',
      path: 'v1/{+name}:cancel',
      flatPath: 'v1/archiveJobs/{archiveJobsId}:cancel',
      parameters: { name: { location: 'path', required: true, pattern: '^archiveJobs/[^/]+$' } },
      request: { $ref: 'CancelPortabilityArchiveRequest' },
      response: { $ref: 'CancelPortabilityArchiveResponse' },
    });
    expect(r.authorization.methods.reset).toMatchObject({
      httpMethod: 'POST',
      path: 'v1/authorization:reset',
      request: { $ref: 'ResetAuthorizationRequest' },
      response: { $ref: 'Empty' },
    });
    expect(r.accessType.methods.check).toMatchObject({
      httpMethod: 'POST',
      path: 'v1/accessType:check',
      request: { $ref: 'CheckAccessTypeRequest' },
      response: { $ref: 'CheckAccessTypeResponse' },
    });
    for (const m of allMethods(doc)) {
      expect(m.description).toEqual(expect.any(String));
      expect(m.id).toBe(`dataportability.${m.id.split('.')[1]}.${m.id.split('.')[2]}`);
    }
  });

  it("schemas: Google's field names, types, formats and enums", () => {
    const s = doc.schemas;
    const fields = (name: string) => Object.keys(s[name].properties).sort();
    expect(Object.keys(s).sort()).toEqual([
      'CancelPortabilityArchiveRequest',
      'CancelPortabilityArchiveResponse',
      'CheckAccessTypeRequest',
      'CheckAccessTypeResponse',
      'Empty',
      'InitiatePortabilityArchiveRequest',
      'InitiatePortabilityArchiveResponse',
      'PortabilityArchiveState',
      'ResetAuthorizationRequest',
      'RetryPortabilityArchiveRequest',
      'RetryPortabilityArchiveResponse',
    ]);
    for (const [name, schema] of Object.entries<Json>(s)) expect(schema).toMatchObject({ id: name, type: 'object' });

    expect(fields('InitiatePortabilityArchiveRequest')).toEqual(['endTime', 'resources', 'startTime']);
    expect(s.InitiatePortabilityArchiveRequest.properties.resources).toMatchObject({
      type: 'array',
      items: { type: 'string' },
    });
    expect(s.InitiatePortabilityArchiveRequest.properties.startTime).toMatchObject({
      type: 'string',
      format: 'google-datetime',
    });
    expect(s.InitiatePortabilityArchiveRequest.properties.endTime.format).toBe('google-datetime');

    expect(fields('InitiatePortabilityArchiveResponse')).toEqual(['accessType', 'archiveJobId']);
    expect(s.InitiatePortabilityArchiveResponse.properties.accessType.enum).toEqual([
      'ACCESS_TYPE_UNSPECIFIED',
      'ACCESS_TYPE_ONE_TIME',
      'ACCESS_TYPE_TIME_BASED',
    ]);

    expect(fields('PortabilityArchiveState')).toEqual(['exportTime', 'name', 'startTime', 'state', 'urls']);
    expect(s.PortabilityArchiveState.properties.state.enum).toEqual(['STATE_UNSPECIFIED', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'CANCELLED']);
    expect(s.PortabilityArchiveState.properties.state.enumDescriptions).toHaveLength(5);
    expect(s.PortabilityArchiveState.properties.exportTime.format).toBe('google-datetime');
    expect(s.PortabilityArchiveState.properties.urls).toMatchObject({ type: 'array', items: { type: 'string' } });

    expect(fields('RetryPortabilityArchiveResponse')).toEqual(['archiveJobId']);
    expect(fields('CheckAccessTypeResponse')).toEqual(['oneTimeResources', 'timeBasedResources']);
    for (const empty of [
      'CancelPortabilityArchiveRequest',
      'CancelPortabilityArchiveResponse',
      'CheckAccessTypeRequest',
      'Empty',
      'ResetAuthorizationRequest',
      'RetryPortabilityArchiveRequest',
    ]) {
      expect(fields(empty)).toEqual([]);
    }
  });

  it('every $ref names a schema, and the document is plain JSON', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(Object.keys(doc.schemas)).toContain(r);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('building twice gives equal, independent documents', () => {
    const a: Json = buildDiscoveryDocument(googleCatalog(), ROOT);
    a.schemas.Empty.description = 'changed';
    a.parameters.alt.default = 'proto';
    const b: Json = buildDiscoveryDocument(googleCatalog(), ROOT);
    expect(b).toEqual(doc);
  });
});

interface Recorded {
  method: string;
  url: string;
  body: string;
}

/**
 * A stand-in for Dataport that serves the discovery document and records what the client sends. Answers
 * 200 `{}` to everything under /v1 so both clients see success.
 */
describe('googleapis discoverAPI against the document', () => {
  let app: FastifyInstance;
  let rootUrl: string;
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    app = Fastify();
    // Record the raw body: the comparison is about bytes on the wire, not parsed JSON.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.get('/$discovery/rest', async () => buildDiscoveryDocument(googleCatalog(), rootUrl));
    app.route({
      method: ['GET', 'POST'],
      url: '/v1/*',
      handler: async (request) => {
        recorded.push({ method: request.method, url: request.url, body: (request.body as string | undefined) ?? '' });
        return {};
      },
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    rootUrl = `${address}/`;
  });

  afterAll(async () => {
    await app.close();
  });

  /** The six calls, written once and run through any client with the dataportability surface. */
  async function callAll(api: Json): Promise<Recorded[]> {
    recorded.length = 0;
    await api.portabilityArchive.initiate({
      requestBody: { resources: ['myactivity.search'], startTime: '2026-01-01T00:00:00Z' },
    });
    await api.archiveJobs.getPortabilityArchiveState({ name: 'archiveJobs/abc/portabilityArchiveState' });
    await api.archiveJobs.retry({ name: 'archiveJobs/abc' });
    await api.archiveJobs.cancel({ name: 'archiveJobs/abc', requestBody: {} });
    await api.authorization.reset({});
    await api.accessType.check({ fields: 'oneTimeResources', prettyPrint: false });
    return recorded.splice(0);
  }

  it('each method → the method and path google.dataportability("v1") sends', async () => {
    const { google } = googleapis();
    const api: Json = await google.discoverAPI(`${rootUrl}$discovery/rest?version=v1`);
    const discovered = await callAll(api);
    expect(discovered.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'POST /v1/portabilityArchive:initiate',
      'GET /v1/archiveJobs/abc/portabilityArchiveState',
      'POST /v1/archiveJobs/abc:retry',
      'POST /v1/archiveJobs/abc:cancel',
      'POST /v1/authorization:reset',
      'POST /v1/accessType:check',
    ]);
    expect(JSON.parse(discovered[0]!.body)).toEqual({
      resources: ['myactivity.search'],
      startTime: '2026-01-01T00:00:00Z',
    });

    // The generated client is the reference: same calls, same requests, query strings and bodies included.
    const generated = await callAll(google.dataportability({ version: 'v1', rootUrl }));
    expect(discovered).toEqual(generated);
  });

  it('the method table drives both: every METHODS entry is callable on the discovered client', async () => {
    const { google } = googleapis();
    const api: Json = await google.discoverAPI(`${rootUrl}$discovery/rest`);
    for (const m of METHODS) expect(typeof api[m.resource][m.method]).toBe('function');
  });
});
