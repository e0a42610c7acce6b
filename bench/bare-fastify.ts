/**
 * The reference for the API benchmark: a bare Fastify 5 server (same version as Dataport's, default options)
 * with a route at the same path, returning the same JSON Dataport returned for the job, and an initiate
 * route answering at once. No auth, no database, no hooks: the ceiling Fastify itself sets on this machine.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

// Without a file (`--only initiate`) only the initiate route is measured; the state route answers `{}`.
const body = process.argv[2] ? (JSON.parse(readFileSync(process.argv[2], 'utf8')) as object) : {};
const app = Fastify({ logger: false });
app.get('/v1/archiveJobs/:job/portabilityArchiveState', async (_request, reply) =>
  // Dataport answers pretty-printed (Google's prettyPrint defaults to true): send the same bytes.
  reply.type('application/json; charset=utf-8').send(JSON.stringify(body, null, 2)),
);
// The initiate reference: what a route that does nothing measures at the same steady rate from the same
// load generator (the floor the machine and autocannon set for initiate's latency).
app.post('/v1/portabilityArchive::initiate', async (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(JSON.stringify({ archiveJobId: '0'.repeat(32), accessType: 'ACCESS_TYPE_ONE_TIME' }, null, 2)),
);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${address}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
