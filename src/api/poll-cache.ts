import { hashToken, type Authenticated } from '../auth/index.js';
import type { Caller } from '../jobs/index.js';
import type { ChangeWatch } from '../store/index.js';

/**
 * The polling path's one cache: what a bearer token stands for, and the text of each polled job's answer.
 * Only on the embedded database (a change watch, store/change-watch.ts); without one every request reads.
 *
 * Correctness first: an entry is used only while nothing it was read from has changed and its time has not
 * run out, so a cancel, a reset, a revocation or a state change is seen by the very next request.
 * - A write by this process drops what it touches, inside the writing statement: a token's row
 *   (`access_tokens`, the OAuth server's `oidc_payloads`, both keyed by the token's sha256) drops that token;
 *   a job's row or its parts drop that job's answers; any write to `grants` (a consent or a revocation,
 *   rare) drops everything, as an answer depends on the grant of its job as well as on the caller's.
 * - A commit by another connection (the `dataport` CLI, another process) drops everything, seen once per
 *   request before anything is used.
 * - By time: a caller holds until its token or grant expires, an answer until its job's grant expires or,
 *   with URLs, until the end of the second they were signed in (TimedArchiveState).
 * - A read that a watched write overtook while it was in flight is not kept.
 * An answer is kept per caller object: a token read afresh (after any drop) starts without answers.
 */
export interface PollCache {
  /** The caller a bearer token stands for: from memory (no promise) while it holds, else `authenticate`. */
  caller(token: string | undefined, request: object, authenticate: (token: string | undefined) => Promise<Authenticated>): Caller | Promise<Caller>;
  /**
   * The text of the answer to `caller`'s poll of `jobId` (indented or compact): from memory (no promise)
   * while it holds, else `read`.
   */
  answer(caller: Caller, jobId: string, pretty: boolean, request: object, read: () => Promise<TimedText>): string | Promise<string>;
}

/** An answer's text and until when it holds by the clock (ms since the epoch). */
export interface TimedText {
  text: string;
  holdsUntil: number;
}

/** Tokens, and polled jobs, remembered at most (the oldest goes first); a miss costs one indexed read. */
const MAX_TOKENS = 10_000;
const MAX_JOBS = 10_000;

interface Held<T> {
  value: T;
  holdsUntil: number;
}

/** One caller's answers for one job, in each form asked for. */
interface JobAnswers {
  pretty?: Held<string>;
  compact?: Held<string>;
}

export function createPollCache(options: { watch: ChangeWatch | undefined; now: () => number }): PollCache {
  const { watch, now } = options;
  if (!watch) {
    return {
      caller: async (token, _request, authenticate) => (await authenticate(token)).caller,
      answer: async (_caller, _jobId, _pretty, _request, read) => (await read()).text,
    };
  }

  // Keyed by the token's sha256, never the token itself (and so by the key the watch reports for its rows).
  const callers = new Map<string, Held<Caller>>();
  // Keyed by job id, then by the caller object: a caller dropped from `callers` takes its answers with it.
  const answers = new Map<string, WeakMap<Caller, JobAnswers>>();
  // Counts watched changes, to tell whether one happened while a read was in flight.
  let changes = 0;

  watch.subscribe(['access_tokens', 'oidc_payloads', 'grants', 'jobs', 'archive_parts'], (table, key) => {
    changes++;
    if (table === undefined || table === 'grants' || key === undefined) {
      callers.clear();
      answers.clear();
    } else if (table === 'jobs' || table === 'archive_parts') {
      answers.delete(key);
    } else {
      callers.delete(key);
    }
  });

  function keep<V>(map: Map<string, V>, key: string, value: V, max: number): void {
    if (!map.has(key) && map.size >= max) map.delete(map.keys().next().value!);
    map.set(key, value);
  }

  return {
    caller(token, request, authenticate) {
      if (!token) return authenticate(token).then((found) => found.caller);
      watch.sync(request);
      const tokenHash = hashToken(token);
      const held = callers.get(tokenHash);
      if (held) {
        if (now() < held.holdsUntil) return held.value;
        callers.delete(tokenHash);
      }
      const before = changes;
      return authenticate(token).then((found) => {
        if (changes === before && now() < found.holdsUntil) keep(callers, tokenHash, { value: found.caller, holdsUntil: found.holdsUntil }, MAX_TOKENS);
        return found.caller;
      });
    },

    answer(caller, jobId, pretty, request, read) {
      watch.sync(request);
      const held = answers.get(jobId)?.get(caller)?.[pretty ? 'pretty' : 'compact'];
      if (held && now() < held.holdsUntil) return held.value;
      const before = changes;
      return read().then(({ text, holdsUntil }) => {
        if (changes === before && now() < holdsUntil) {
          let byCaller = answers.get(jobId);
          if (!byCaller) keep(answers, jobId, (byCaller = new WeakMap()), MAX_JOBS);
          let forCaller = byCaller.get(caller);
          if (!forCaller) byCaller.set(caller, (forCaller = {}));
          forCaller[pretty ? 'pretty' : 'compact'] = { value: text, holdsUntil };
        }
        return text;
      });
    },
  };
}
