import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyDelivery } from '../../webhooks/signature.js';

/** A request body larger than this is not one of ours (Dataport's events are a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

export interface NotifyReceiver {
  url: string;
  /** Resolves when a verified `archive_job.*` event for `jobId` has come (or had come), or after `ms`. */
  waitForJob(jobId: string, ms: number, signal: AbortSignal): Promise<'notified' | 'timeout'>;
  /** Verified deliveries so far, refused ones so far. */
  counts(): { verified: number; refused: number };
  close(): Promise<void>;
}

/**
 * `dataport export --notify`: a loopback receiver for the job's signed notification (docs/webhooks.md). The
 * operator registers `http://127.0.0.1:<port>/` as the client's webhook URL; this verifies each delivery
 * with the client's `whsec_` secret and wakes the export as soon as its job has ended.
 */
export async function startNotifyReceiver(port: number, secret: string): Promise<NotifyReceiver> {
  const ended = new Set<string>();
  const waiters = new Set<() => void>();
  let verified = 0;
  let refused = 0;
  const server: Server = createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        const event = verifyDelivery(secret, Buffer.concat(chunks).toString('utf8'), request.headers as Record<string, string>);
        verified++;
        const jobId = event.data.archive_job_id;
        if (event.type.startsWith('archive_job.') && typeof jobId === 'string') {
          ended.add(jobId);
          for (const wake of waiters) wake();
        }
        response.writeHead(204).end();
      } catch {
        refused++;
        response.writeHead(400, { 'content-type': 'text/plain' }).end('signature refused');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/`,
    counts: () => ({ verified, refused }),
    waitForJob(jobId, ms, signal) {
      if (ended.has(jobId)) return Promise.resolve('notified');
      return new Promise((resolve, reject) => {
        const done = (outcome: 'notified' | 'timeout') => {
          clearTimeout(timer);
          waiters.delete(check);
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        };
        const check = () => {
          if (ended.has(jobId)) done('notified');
        };
        const onAbort = () => {
          clearTimeout(timer);
          waiters.delete(check);
          reject(signal.reason);
        };
        const timer = setTimeout(() => done('timeout'), ms);
        waiters.add(check);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
