import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery, DeliveryOutcome, JobQueue } from '../../src/queue/index.js';

export interface JobQueueUnderTest {
  /** A queue over the shared backing store; call twice for two "processes" sharing one queue. */
  newQueue(): JobQueue;
  close(): Promise<void>;
}

export interface JobQueueContractOptions {
  name: string;
  /** A fresh, empty backing store per test. */
  create: () => Promise<JobQueueUnderTest>;
  skip?: string | undefined;
}

/** Polls `check` until it holds; fails with `what` after the deadline (no wall-clock assertion: a bound only). */
async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What every JobQueue must do (at-least-once delivery of job ids); called once per implementation. */
export function runJobQueueContract({ name, create, skip }: JobQueueContractOptions): void {
  describe.skipIf(skip !== undefined)(`JobQueue contract: ${name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let backing: JobQueueUnderTest | undefined;
    const queues: JobQueue[] = [];
    async function given(): Promise<JobQueueUnderTest> {
      backing = await create();
      return backing;
    }
    function queueOf(b: JobQueueUnderTest): JobQueue {
      const q = b.newQueue();
      queues.push(q);
      return q;
    }
    afterEach(async () => {
      for (const q of queues.splice(0)) await q.stop(500);
      await backing?.close();
      backing = undefined;
    });

    it('a dispatched job is pending until delivered; done → delivered once and no longer pending', async () => {
      const q = queueOf(await given());
      await q.dispatch('job-a');
      expect(await q.hasPending('job-a')).toBe(true);
      expect(await q.hasPending('job-b')).toBe(false);
      const seen: Delivery[] = [];
      await q.start(
        async (d) => {
          seen.push(d);
          return { kind: 'done' };
        },
        { concurrency: 1 },
      );
      await eventually(() => seen.length === 1, 'the delivery');
      await eventually(async () => !(await q.hasPending('job-a')), 'job-a to settle');
      expect(seen[0]).toMatchObject({ jobId: 'job-a', deliveries: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toHaveLength(1);
    });

    it('retry → delivered again later, with the delivery count going up; pending in between', async () => {
      const q = queueOf(await given());
      const seen: Delivery[] = [];
      await q.start(
        async (d) => {
          seen.push(d);
          return seen.length === 1 ? { kind: 'retry', afterMs: 50 } : { kind: 'done' };
        },
        { concurrency: 1 },
      );
      await q.dispatch('job-r');
      await eventually(() => seen.length === 2, 'the second delivery');
      expect(seen.map((d) => [d.jobId, d.deliveries])).toEqual([
        ['job-r', 1],
        ['job-r', 2],
      ]);
    });

    it('redispatch (a takeover) → delivered before jobs dispatched earlier and still waiting', async () => {
      const q = queueOf(await given());
      for (let i = 0; i < 3; i++) await q.dispatch(`job-w${i}`);
      await q.redispatch('job-lapsed');
      expect(await q.hasPending('job-lapsed')).toBe(true);
      const order: string[] = [];
      await q.start(
        async (d) => {
          order.push(d.jobId);
          return { kind: 'done' };
        },
        { concurrency: 1 },
      );
      await eventually(() => order.length === 4, 'all four jobs');
      expect(order[0]).toBe('job-lapsed');
    });

    it('redispatch of a job already waiting at the back → that delivery moves ahead, and it is delivered once', async () => {
      const q = queueOf(await given());
      for (let i = 0; i < 3; i++) await q.dispatch(`job-v${i}`);
      await q.dispatch('job-dup');
      await q.redispatch('job-dup');
      await q.redispatch('job-dup');
      const order: string[] = [];
      await q.start(
        async (d) => {
          order.push(d.jobId);
          return { kind: 'done' };
        },
        { concurrency: 1 },
      );
      await eventually(() => order.length === 4, 'all four jobs');
      await new Promise((r) => setTimeout(r, 300));
      expect(order).toHaveLength(4);
      expect(order[0]).toBe('job-dup');
    });

    it('ping resolves while the store answers', async () => {
      const q = queueOf(await given());
      await q.ping();
    });

    it('a handler that throws → the job is delivered again', async () => {
      const q = queueOf(await given());
      let calls = 0;
      await q.start(
        async () => {
          calls++;
          if (calls === 1) throw new Error('handler bug');
          return { kind: 'done' };
        },
        { concurrency: 1 },
      );
      await q.dispatch('job-t');
      await eventually(() => calls === 2, 'redelivery after a throw');
    });

    it('never more than `concurrency` handlers at once; all jobs delivered', async () => {
      const q = queueOf(await given());
      let running = 0;
      let peak = 0;
      const done = new Set<string>();
      for (let i = 0; i < 8; i++) await q.dispatch(`job-c${i}`);
      await q.start(
        async (d) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 40));
          running--;
          done.add(d.jobId);
          return { kind: 'done' };
        },
        { concurrency: 3 },
      );
      await eventually(() => done.size === 8, 'all eight jobs');
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThan(1);
    });

    it('two queues on one store (two processes) share the work: each job is delivered to exactly one of them', async () => {
      const b = await given();
      const [q1, q2] = [queueOf(b), queueOf(b)];
      const byJob = new Map<string, number>();
      const handler =
        (who: number) =>
        async (d: Delivery): Promise<DeliveryOutcome> => {
          byJob.set(d.jobId, (byJob.get(d.jobId) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 10 * who));
          return { kind: 'done' };
        };
      for (let i = 0; i < 20; i++) await q1.dispatch(`job-s${i}`);
      await q1.start(handler(1), { concurrency: 2 });
      await q2.start(handler(2), { concurrency: 2 });
      await eventually(() => byJob.size === 20, 'all twenty jobs');
      await new Promise((r) => setTimeout(r, 300));
      expect([...byJob.values()].every((n) => n === 1)).toBe(true);
    });

    it('stop waits for running handlers up to the deadline, then aborts their signal; the aborted job comes back', async () => {
      const b = await given();
      const q = queueOf(b);
      let aborted = false;
      let started = false;
      await q.start(
        async (d) => {
          started = true;
          await new Promise<void>((resolve) => d.signal.addEventListener('abort', () => resolve(), { once: true }));
          aborted = true;
          return { kind: 'retry', afterMs: 0 }; // what the export runner answers when it hands a job back
        },
        { concurrency: 1 },
      );
      await q.dispatch('job-stop');
      await eventually(() => started, 'the handler to start');
      await q.stop(200);
      expect(aborted).toBe(true);
      // The handed-back job is waiting for the next worker (another process), who gets it.
      const next = queueOf(b);
      expect(await next.hasPending('job-stop')).toBe(true);
      const seen: string[] = [];
      await next.start(
        async (d) => {
          seen.push(d.jobId);
          return { kind: 'done' };
        },
        { concurrency: 1 },
      );
      await eventually(() => seen.includes('job-stop'), 'the handed-back job');
    });
  });
}
