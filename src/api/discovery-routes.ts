import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../catalog/index.js';
import { buildDiscoveryDocument } from './discovery.js';
import { buildOpenApiDocument } from './openapi.js';

/** `/$discovery/rest?version=v1` (what `google.discoverAPI()` loads) and `/openapi.json`, from the live catalog. */
export async function discoveryRoutes(app: FastifyInstance, deps: { catalog: Catalog; publicUrl: () => string }): Promise<void> {
  const root = () => `${deps.publicUrl().replace(/\/+$/, '')}/`;
  app.get('/$discovery/rest', async (request, reply) => {
    const version = (request.query as Record<string, string | undefined>).version;
    if (version !== undefined && version !== 'v1') {
      return reply.code(404).send({ error: { code: 404, message: `No discovery document for version ${version}.`, status: 'NOT_FOUND' } });
    }
    return buildDiscoveryDocument(deps.catalog, root());
  });
  app.get('/discovery/v1/apis/dataportability/v1/rest', async () => buildDiscoveryDocument(deps.catalog, root()));
  app.get('/openapi.json', async () => buildOpenApiDocument(deps.catalog, deps.publicUrl().replace(/\/+$/, '')));
}
