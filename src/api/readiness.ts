import type { FastifyInstance } from 'fastify';

/** A named check of one dependency: resolves when it can be reached, rejects (or hangs) when it can't. */
export type ReadinessProbes = Readonly<Record<string, () => Promise<unknown>>>;

/** A probe's failure whose message the body shows as the check's value (instead of `unavailable`). */
export class ReadinessDetail extends Error {
  override readonly name = 'ReadinessDetail';
}

/** A probe that has not answered by then counts as failed: a black-holed host must not hang the check. */
const PROBE_TIMEOUT_MS = 3000;

/**
 * `GET /readyz`: 200 while every dependency (database, blob store, queue) answers and the database's schema is
 * the code's (every migration applied), else 503 and which did not.
 * `/healthz` says only that the process serves HTTP (a liveness check: restarting would not help an
 * outage of the database); this one is for load balancers, so traffic goes elsewhere during an outage.
 */
export function registerReadiness(app: FastifyInstance, probes: ReadinessProbes): void {
  app.get('/readyz', async (request, reply) => {
    const results = await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            probe(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
            }),
          ]);
          return [name, 'ok'] as const;
        } catch (err) {
          request.log.warn({ err, dependency: name }, 'readiness check failed');
          return [name, err instanceof ReadinessDetail ? err.message : 'unavailable'] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
}
