import { SpanKind } from '@opentelemetry/api';
import { withSpan } from '../tracing/index.js';
import type { JobQueue } from './types.js';

/**
 * The queue with a PRODUCER span around each dispatch (a child of the initiate that sent it). The worker's
 * span does not hang off this one: it is a child of the initiate's, whose traceparent the job row keeps
 * (the row, not the message, is the truth, and a takeover re-dispatch has no request to follow).
 */
export function withDispatchSpans(queue: JobQueue, system: 'embedded' | 'pg-boss'): JobQueue {
  const span = <T>(jobId: string, send: () => Promise<T>) =>
    withSpan(
      'queue.dispatch',
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': system, 'messaging.operation.type': 'send', 'dataport.job.id': jobId },
      },
      send,
    );
  const { dispatchWithin } = queue;
  return {
    ...queue,
    dispatch: (jobId) => span(jobId, () => queue.dispatch(jobId)),
    ...(dispatchWithin ? { dispatchWithin: (trx, jobId) => span(jobId, () => dispatchWithin(trx, jobId)) } : {}),
  };
}
