import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClientError, type ClientService, type OperatorService, type SignInResult, type TokenService, type UpstreamSignIn } from '../../auth/index.js';
import type { Catalog } from '../../catalog/index.js';
import { DurationSyntaxError, formatDuration, parseDuration } from '../../durations.js';
import {
  clearRuntimeFaults,
  formatFault,
  listRuntimeFaults,
  parseDemoFaults,
  readClockOffsetMs,
  readDemoSourceStatus,
  setRuntimeFaults,
  writeClockOffsetMs,
} from '../../emulator/index.js';
import { JOB_STATES, JobError, type OperatorJobs } from '../../jobs/index.js';
import { accounts as accountsSql, auditSql, consoleSql, jobsSql, type Db } from '../../store/index.js';
import type { Locales, Messages } from '../i18n.js';
import { cookie, readCookie, type Signer } from '../signed-values.js';
import { auditPage, AUDIT_PAGE_LIMIT, type AuditFilterView } from './audit-page.js';
import { clientsPage, type ClientsView } from './clients-page.js';
import { emulatorPage } from './emulator-page.js';
import { jobPage } from './job-page.js';
import { JOB_LIST_LIMIT, jobsPage, type JobsFilterView } from './jobs-page.js';
import { adminBarePage, type AdminFrame, type AdminSection } from './layout.js';
import { overviewPage, type OverviewView } from './overview-page.js';
import { adminSignInPage } from './sign-in-page.js';
import { operatorClaimMatches, type OperatorClaim } from './operator-claim.js';
import { usersPage, type UserView } from './users-page.js';
import { html as markup } from '../html.js';

export interface AdminDeps {
  db: Db;
  operators: OperatorService;
  jobs: OperatorJobs;
  clients: Pick<ClientService, 'addClient' | 'listClients' | 'removeClient' | 'rotateSecret' | 'findClientName'>;
  tokens: Pick<TokenService, 'revokeAuthorization'>;
  catalog: Catalog;
  locales: Locales;
  signer: Signer;
  now: () => number;
  /** The demo source runs: the emulator page is shown. */
  emulator: boolean;
  /** Operators may also sign in at the upstream provider when they carry this claim (DATAPORT_ADMIN_OIDC_CLAIM). */
  upstream: { signIn: UpstreamSignIn; claim: OperatorClaim } | undefined;
  issuer: () => string;
  secure: () => boolean;
}

/** Its own cookie, scoped to the console's path: an end user's session never reaches here, nor this one /account. */
const ADMIN_COOKIE = 'dp_admin';
const PRE_SESSION_COOKIE = 'dp_admin_presession';
const UPSTREAM_COOKIE = 'dp_admin_upstream';
const ADMIN_PATH = '/admin';
/** A working day; operators can revoke anyone's access, so not longer. */
const SESSION_MS = 8 * 3_600_000;
const PRE_SESSION_MS = 12 * 3_600_000;
const UPSTREAM_STATE_MS = 10 * 60_000;
const UPSTREAM_CALLBACK = '/admin/upstream/callback';
const OVERVIEW_DAYS = 14;
const DAY_MS = 86_400_000;

type Form = Record<string, string | string[] | undefined>;
type Session = { sub: string; sid: string };

/**
 * The operator's console at /admin: its own sign-in (operator accounts, or the upstream provider with a
 * configured claim), its own session, CSRF on every POST, and job, grant and client actions through the same
 * domain functions as the API and the CLI, recorded in the audit log with the operator's name. Registered
 * inside the web pages' plugin, so it shares their form parser, security headers and error page.
 */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const { signer, locales } = deps;

  const language = (request: FastifyRequest): Messages => {
    const q = request.query as Record<string, unknown> | undefined;
    return locales.pick(typeof q?.hl === 'string' ? q.hl : undefined, request.headers['accept-language']);
  };
  const send = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);
  const form = (request: FastifyRequest): Form => (request.body ?? {}) as Form;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
  const setCookie = (reply: FastifyReply, value: string) => reply.header('set-cookie', value);

  async function session(request: FastifyRequest): Promise<Session | undefined> {
    const s = signer.verify<Session>('admin', readCookie(request.headers.cookie, ADMIN_COOKIE));
    if (!s || typeof s.sub !== 'string' || typeof s.sid !== 'string') return undefined;
    return (await deps.operators.sessionIsLive(s.sub, s.sid)) ? s : undefined;
  }

  async function startSession(reply: FastifyReply, operatorId: string, method: 'password' | 'oidc') {
    const sid = await deps.operators.startSession(operatorId, method, SESSION_MS);
    setCookie(
      reply,
      cookie(ADMIN_COOKIE, signer.sign('admin', { sub: operatorId, sid }, SESSION_MS), {
        maxAgeSeconds: SESSION_MS / 1000,
        path: ADMIN_PATH,
        secure: deps.secure(),
      }),
    );
  }

  function preSession(request: FastifyRequest, reply: FastifyReply): string {
    const existing = readCookie(request.headers.cookie, PRE_SESSION_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
    const value = signer.newId();
    setCookie(reply, cookie(PRE_SESSION_COOKIE, value, { maxAgeSeconds: PRE_SESSION_MS / 1000, path: ADMIN_PATH, secure: deps.secure() }));
    return value;
  }

  function signInPage(request: FastifyRequest, reply: FastifyReply, extra: { operatorId?: string; error?: string } = {}, status = 200) {
    const t = language(request);
    const csrfToken = signer.csrfToken(`admin-login:${preSession(request, reply)}`);
    return send(reply, adminSignInPage(t, { csrfToken, ...extra, ...(deps.upstream ? { upstream: deps.upstream.signIn.displayName } : {}) }), status);
  }

  function refusedPage(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
    const t = language(request);
    return send(
      reply,
      adminBarePage(t, t.t('error.title'), markup`<p role="alert">${message}</p><p><a class="button secondary" href="/admin">${t.t('error.back')}</a></p>`),
      status,
    );
  }

  const frameFor = (s: Session, section: AdminSection): AdminFrame => ({
    operator: s.sub,
    csrfToken: signer.csrfToken(`admin:${s.sid}`),
    section,
    emulator: deps.emulator,
  });

  /**
   * A page's handler for a signed-in operator; anyone else gets the sign-in form (GET) or 403 (POST). A POST
   * also needs the CSRF token bound to this session.
   */
  type PageContext = { request: FastifyRequest; reply: FastifyReply; t: Messages; session: Session; origin: { operator: string; ip: string } };
  function page(handler: (ctx: PageContext) => Promise<unknown>) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const s = await session(request);
      const t = language(request);
      if (request.method === 'POST') {
        if (!s || !signer.checkCsrf(`admin:${s.sid}`, one(form(request).csrf))) return refusedPage(request, reply, 403, t.t('error.csrf'));
      } else if (!s) {
        return signInPage(request, reply);
      }
      return handler({ request, reply, t, session: s, origin: { operator: s.sub, ip: request.ip } });
    };
  }

  // --- sign-in and sign-out ---

  app.get('/admin/login', async (request, reply) => ((await session(request)) ? reply.redirect('/admin', 303) : signInPage(request, reply)));

  app.post('/admin/login', async (request, reply) => {
    const t = language(request);
    const body = form(request);
    const pre = readCookie(request.headers.cookie, PRE_SESSION_COOKIE);
    if (!pre || !signer.checkCsrf(`admin-login:${pre}`, one(body.csrf))) return refusedPage(request, reply, 403, t.t('error.csrf'));
    const operatorId = one(body.operator) ?? '';
    const result: SignInResult = await deps.operators.signIn(operatorId, (Array.isArray(body.password) ? body.password[0] : body.password) ?? '', request.ip);
    if (!result.ok) {
      if (result.reason === 'throttled') reply.header('retry-after', Math.ceil(result.retryAfterMs / 1000));
      const error = result.reason === 'throttled' ? t.t('signIn.throttledSeconds', { seconds: Math.ceil(result.retryAfterMs / 1000) }) : t.t('signIn.invalid');
      return signInPage(request, reply, { operatorId, error }, result.reason === 'throttled' ? 429 : 401);
    }
    await startSession(reply, result.accountId, 'password');
    await auditSql.appendAudit(deps.db, {
      at: deps.now(),
      action: 'operator.sign-in',
      actor: 'operator',
      operator: result.accountId,
      ip: request.ip,
      detail: { method: 'password' },
    });
    return reply.redirect('/admin', 303);
  });

  app.post('/admin/logout', async (request, reply) => {
    const s = await session(request);
    if (s && signer.checkCsrf(`admin:${s.sid}`, one(form(request).csrf))) {
      await deps.operators.endSession(s.sid);
      setCookie(reply, cookie(ADMIN_COOKIE, '', { maxAgeSeconds: 0, path: ADMIN_PATH, secure: deps.secure() }));
    }
    return reply.redirect('/admin', 303);
  });

  // --- sign-in at the upstream provider, for operators carrying the configured claim ---

  app.get('/admin/upstream', async (_request, reply) => {
    if (!deps.upstream) return reply.callNotFound();
    // The operator claim (e.g. groups) comes with the profile scopes at most providers, even when end users are
    // named by `sub` alone.
    const start = await deps.upstream.signIn.start(deps.issuer() + UPSTREAM_CALLBACK, { profileScopes: true });
    const state = signer.sign('admin-upstream', { state: start.state, nonce: start.nonce, codeVerifier: start.codeVerifier }, UPSTREAM_STATE_MS);
    setCookie(reply, cookie(UPSTREAM_COOKIE, state, { maxAgeSeconds: UPSTREAM_STATE_MS / 1000, path: UPSTREAM_CALLBACK, secure: deps.secure() }));
    return reply.redirect(start.url, 303);
  });

  app.get<{ Querystring: { code?: string; state?: string } }>(UPSTREAM_CALLBACK, async (request, reply) => {
    if (!deps.upstream) return reply.callNotFound();
    const t = language(request);
    const saved = signer.verify<{ state: string; nonce: string; codeVerifier: string }>('admin-upstream', readCookie(request.headers.cookie, UPSTREAM_COOKIE));
    const refused = () => refusedPage(request, reply, 403, t.t('admin.signIn.upstreamRefused', { provider: deps.upstream!.signIn.displayName }));
    if (!saved || !request.query.code || request.query.state !== saved.state) return refused();
    setCookie(reply, cookie(UPSTREAM_COOKIE, '', { maxAgeSeconds: 0, path: UPSTREAM_CALLBACK, secure: deps.secure() }));
    let identity;
    try {
      identity = await deps.upstream.signIn.complete({
        code: request.query.code,
        redirectUri: deps.issuer() + UPSTREAM_CALLBACK,
        nonce: saved.nonce,
        codeVerifier: saved.codeVerifier,
        extraClaims: [deps.upstream.claim.name],
      });
    } catch (error) {
      request.log.warn({ err: error }, 'operator upstream sign-in failed');
      return refused();
    }
    if (!operatorClaimMatches(deps.upstream.claim, identity.claims)) {
      request.log.warn({ subject: identity.subject }, `operator upstream sign-in refused: no ${deps.upstream.claim.name}=${deps.upstream.claim.value}`);
      return refused();
    }
    await startSession(reply, identity.accountId, 'oidc');
    await auditSql.appendAudit(deps.db, {
      at: deps.now(),
      action: 'operator.sign-in',
      actor: 'operator',
      operator: identity.accountId,
      ip: request.ip,
      detail: { method: 'oidc', subject: identity.subject },
    });
    return reply.redirect('/admin', 303);
  });

  // --- overview ---

  app.get(
    '/admin',
    page(async ({ reply, t, session: s }) => send(reply, overviewPage(t, frameFor(s, 'overview'), await overview()))),
  );

  async function overview(): Promise<OverviewView> {
    const now = deps.now();
    const firstDay = Math.floor(now / DAY_MS) * DAY_MS - (OVERVIEW_DAYS - 1) * DAY_MS;
    const [running, queueDepth, storedBytes, finished] = await Promise.all([
      consoleSql.countRunning(deps.db, now),
      jobsSql.countWaitingJobs(deps.db, now),
      consoleSql.storedArchiveBytes(deps.db),
      consoleSql.listFinishedJobs(deps.db, firstDay, 100_000),
    ]);
    const days = Array.from({ length: OVERVIEW_DAYS }, (_, i) => ({
      label: new Date(firstDay + i * DAY_MS).toISOString().slice(5, 10),
      complete: 0,
      failed: 0,
      cancelled: 0,
      bytes: 0,
    }));
    const durations: number[] = [];
    for (const job of finished) {
      const day = days[Math.floor((job.finished_at - firstDay) / DAY_MS)];
      if (!day) continue;
      if (job.state === 'COMPLETE') {
        day.complete++;
        day.bytes += job.bytes;
        durations.push(job.finished_at - job.created_at);
      } else if (job.state === 'FAILED') day.failed++;
      else day.cancelled++;
    }
    durations.sort((a, b) => a - b);
    // Nearest rank: the smallest duration at or above the given share of jobs.
    const rank = (p: number) => durations[Math.max(0, Math.ceil(p * durations.length) - 1)] ?? 0;
    return {
      inProgress: running.inProgress,
      queueDepth,
      busyJobs: running.leased,
      busyWorkers: running.workers,
      storedBytes,
      days,
      durations: { p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), count: durations.length },
    };
  }

  // --- jobs ---

  /** A `YYYY-MM-DD` date as epoch ms (UTC); undefined when empty; throws on anything else. */
  function day(text: string | undefined, t: Messages): number | undefined {
    if (!text) return undefined;
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
    if (Number.isNaN(ms)) throw new RangeError(t.t('admin.badDate', { value: text }));
    return ms;
  }

  app.get(
    '/admin/jobs',
    page(async ({ request, reply, t, session: s }) => {
      const q = request.query as JobsFilterView;
      const filter: JobsFilterView = { state: one(q.state), user: one(q.user), client: one(q.client), group: one(q.group), from: one(q.from), to: one(q.to) };
      const state = JOB_STATES.find((x) => x === filter.state);
      let jobs: jobsSql.JobRow[] = [];
      let error: string | undefined;
      try {
        const since = day(filter.from, t);
        const until = day(filter.to, t);
        jobs = await deps.jobs.listJobs({
          state,
          userId: filter.user,
          clientId: filter.client,
          group: filter.group,
          createdSince: since,
          createdUntil: until === undefined ? undefined : until + DAY_MS,
          limit: JOB_LIST_LIMIT,
        });
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        error = e.message;
      }
      return send(reply, jobsPage(t, frameFor(s, 'jobs'), { filter, jobs, states: JOB_STATES, ...(error ? { error } : {}) }), error ? 400 : 200);
    }),
  );

  async function renderJob(reply: FastifyReply, t: Messages, s: Session, jobId: string, extra: { notice?: string; error?: string } = {}, status = 200) {
    let details;
    try {
      details = await deps.jobs.showJob(jobId);
    } catch (error) {
      if (error instanceof JobError && error.code === 'JOB_NOT_FOUND')
        return send(reply, jobsPage(t, frameFor(s, 'jobs'), { filter: {}, jobs: [], states: JOB_STATES, error: error.message }), 404);
      throw error;
    }
    const [audit, clientName] = await Promise.all([auditSql.listJobTrail(deps.db, jobId, 200), deps.clients.findClientName(details.job.client_id)]);
    return send(reply, jobPage(t, frameFor(s, 'jobs'), { details, audit, clientName: clientName ?? details.job.client_id, ...extra }), status);
  }

  app.get(
    '/admin/jobs/:id',
    page(async ({ request, reply, t, session: s }) => {
      const done = (request.query as { done?: string }).done;
      return renderJob(
        reply,
        t,
        s,
        (request.params as { id: string }).id,
        done === 'retried' || done === 'cancelled' ? { notice: t.t(`admin.job.${done}`) } : {},
      );
    }),
  );

  for (const action of ['retry', 'cancel'] as const) {
    app.post(
      `/admin/jobs/:id/${action}`,
      page(async ({ request, reply, t, session: s, origin }) => {
        const jobId = (request.params as { id: string }).id;
        try {
          if (action === 'retry') {
            const { archiveJobId } = await deps.jobs.retryJob(jobId, origin.operator, origin.ip);
            return reply.redirect(`/admin/jobs/${encodeURIComponent(archiveJobId)}?done=retried`, 303);
          }
          await deps.jobs.cancelJob(jobId, origin.operator, origin.ip);
          return reply.redirect(`/admin/jobs/${encodeURIComponent(jobId)}?done=cancelled`, 303);
        } catch (error) {
          // The domain's refusal, as the API and the CLI give it: not found, or not allowed in the job's state.
          if (!(error instanceof JobError)) throw error;
          return renderJob(reply, t, s, jobId, { error: error.message }, error.code === 'JOB_NOT_FOUND' ? 404 : 409);
        }
      }),
    );
  }

  // --- users and their grants ---

  async function renderUsers(reply: FastifyReply, t: Messages, s: Session, notice?: string) {
    const [accounts, grants, clients] = await Promise.all([
      accountsSql.listAccounts(deps.db),
      consoleSql.listLiveGrants(deps.db, deps.now(), 2000),
      deps.clients.listClients(),
    ]);
    const names = new Map(clients.map((c) => [c.client_id, c.name]));
    const users = new Map<string, UserView>();
    for (const a of accounts) users.set(a.id, { id: a.id, password: a.password_hash !== null, grants: [] });
    for (const g of grants) {
      const user = users.get(g.user_id) ?? { id: g.user_id, password: false, grants: [] };
      users.set(g.user_id, user);
      user.grants.push({
        clientId: g.client_id,
        clientName: names.get(g.client_id) ?? g.client_id,
        groups: JSON.parse(g.resources) as string[],
        access: g.access,
        createdAt: Number(g.created_at),
        expiresAt: g.expires_at === null ? null : Number(g.expires_at),
      });
    }
    const list = [...users.values()].sort((a, b) => a.id.localeCompare(b.id));
    return send(reply, usersPage(t, frameFor(s, 'users'), { users: list, ...(notice ? { notice } : {}) }));
  }

  app.get(
    '/admin/users',
    page(async ({ request, reply, t, session: s }) => {
      const revoked = one((request.query as { revoked?: string }).revoked);
      return renderUsers(reply, t, s, revoked ? t.t('admin.users.revoked', { grant: revoked }) : undefined);
    }),
  );

  app.post(
    '/admin/users/revoke',
    page(async ({ request, reply, t, origin }) => {
      const body = form(request);
      const user = one(body.user);
      const clientId = one(body.client_id);
      if (!user || !clientId) return refusedPage(request, reply, 400, t.t('error.title'));
      await deps.tokens.revokeAuthorization(user, clientId, 'revoked', { actor: 'operator', ...origin });
      return reply.redirect(`/admin/users?revoked=${encodeURIComponent(`${user} / ${clientId}`)}`, 303);
    }),
  );

  // --- clients ---

  async function renderClients(reply: FastifyReply, t: Messages, s: Session, extra: Omit<ClientsView, 'clients'> = {}, status = 200) {
    return send(reply, clientsPage(t, frameFor(s, 'clients'), { clients: await deps.clients.listClients(), ...extra }), status);
  }

  app.get(
    '/admin/clients',
    page(async ({ request, reply, t, session: s }) => {
      const removed = one((request.query as { removed?: string }).removed);
      return renderClients(reply, t, s, removed ? { notice: t.t('admin.clients.removed', { client: removed }) } : {});
    }),
  );

  app.post(
    '/admin/clients/add',
    page(async ({ request, reply, t, session: s, origin }) => {
      const body = form(request);
      try {
        const client = await deps.clients.addClient(
          {
            name: one(body.name) ?? '',
            redirectUris: [body.redirect_uri ?? []]
              .flat()
              .map((u) => u.trim())
              .filter(Boolean),
            public: one(body.public) === '1',
          },
          origin,
        );
        return renderClients(reply, t, s, {
          notice: t.t('admin.clients.added', { client: client.name }),
          ...(client.client_secret ? { secret: { clientId: client.client_id, secret: client.client_secret } } : {}),
        });
      } catch (error) {
        if (!(error instanceof ClientError)) throw error;
        return renderClients(reply, t, s, { error: error.message }, 400);
      }
    }),
  );

  app.post(
    '/admin/clients/rotate',
    page(async ({ request, reply, t, session: s, origin }) => {
      const clientId = one(form(request).client_id) ?? '';
      const secret = await deps.clients.rotateSecret(clientId, origin);
      if (!secret) return renderClients(reply, t, s, { error: t.t('admin.clients.noSecret', { client: clientId }) }, 404);
      return renderClients(reply, t, s, { notice: t.t('admin.clients.rotated', { client: clientId }), secret: { clientId, secret } });
    }),
  );

  app.post(
    '/admin/clients/remove',
    page(async ({ request, reply, t, session: s, origin }) => {
      const clientId = one(form(request).client_id) ?? '';
      if (!(await deps.clients.removeClient(clientId, origin)))
        return renderClients(reply, t, s, { error: t.t('admin.clients.unknown', { client: clientId }) }, 404);
      return reply.redirect(`/admin/clients?removed=${encodeURIComponent(clientId)}`, 303);
    }),
  );

  // --- the audit log ---

  app.get(
    '/admin/audit',
    page(async ({ request, reply, t, session: s }) => {
      const q = request.query as AuditFilterView;
      const filter: AuditFilterView = {
        action: one(q.action),
        user: one(q.user),
        client: one(q.client),
        operator: one(q.operator),
        from: one(q.from),
        to: one(q.to),
      };
      let rows: auditSql.AuditRow[] = [];
      let error: string | undefined;
      try {
        const since = day(filter.from, t);
        const until = day(filter.to, t);
        rows = await auditSql.listAudit(
          deps.db,
          {
            action: filter.action,
            userId: filter.user,
            clientId: filter.client,
            operator: filter.operator,
            since,
            until: until === undefined ? undefined : until + DAY_MS,
            limit: AUDIT_PAGE_LIMIT,
          },
          true,
        );
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        error = e.message;
      }
      return send(reply, auditPage(t, frameFor(s, 'audit'), { filter, actions: auditSql.AUDIT_ACTIONS, rows, ...(error ? { error } : {}) }), error ? 400 : 200);
    }),
  );

  // --- the emulator (demo source only): faults and the clock, as `dataport faults` and `dataport clock` ---

  async function renderEmulator(reply: FastifyReply, t: Messages, s: Session, extra: { notice?: string; error?: string } = {}, status = 200) {
    const [status_, runtime, offsetMs] = await Promise.all([readDemoSourceStatus(deps.db), listRuntimeFaults(deps.db), readClockOffsetMs(deps.db)]);
    return send(
      reply,
      emulatorPage(t, frameFor(s, 'emulator'), {
        configuredFaults: status_?.configuredFaults ?? '',
        runtimeFaults: runtime.map(formatFault),
        offsetMs,
        offsetText: offsetMs === 0 ? t.t('admin.emulator.systemTime') : `+${formatDuration(offsetMs)}`,
        emulatedTime: Date.now() + offsetMs,
        ...extra,
      }),
      status,
    );
  }

  const emulatorOnly = (handler: (ctx: PageContext) => Promise<unknown>) => page(async (ctx) => (deps.emulator ? handler(ctx) : ctx.reply.callNotFound()));

  app.get(
    '/admin/emulator',
    emulatorOnly(async ({ reply, t, session: s }) => renderEmulator(reply, t, s)),
  );

  app.post(
    '/admin/emulator/faults',
    emulatorOnly(async ({ request, reply, t, session: s, origin }) => {
      const body = form(request);
      const text = one(body.rules) ?? '';
      const at = deps.now();
      if (one(body.do) === 'clear') {
        const groups = text
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((g) => g.split('=')[0]!);
        await clearRuntimeFaults(deps.db, groups, at);
        await auditSql.appendAudit(deps.db, {
          at,
          action: 'emulator.faults',
          actor: 'operator',
          ...origin,
          detail: { cleared: groups.length === 0 ? 'all' : groups },
        });
        return renderEmulator(reply, t, s, { notice: t.t('admin.emulator.cleared') });
      }
      let rules;
      try {
        rules = parseDemoFaults(
          text.split(/\s+/).filter(Boolean).join(','),
          deps.catalog.groups.map((g) => g.name),
        );
        if (rules.length === 0) throw new Error(t.t('admin.emulator.noRules'));
      } catch (error) {
        return renderEmulator(reply, t, s, { error: (error as Error).message.replace(/^DATAPORT_DEMO_FAULTS: /, '') }, 400);
      }
      await setRuntimeFaults(deps.db, rules, at);
      await auditSql.appendAudit(deps.db, { at, action: 'emulator.faults', actor: 'operator', ...origin, detail: { set: rules.map(formatFault) } });
      return renderEmulator(reply, t, s, { notice: t.t('admin.emulator.faultsSet', { rules: rules.map(formatFault).join(', ') }) });
    }),
  );

  app.post(
    '/admin/emulator/clock',
    emulatorOnly(async ({ request, reply, t, session: s, origin }) => {
      const body = form(request);
      const at = deps.now();
      let offset = 0;
      if (one(body.do) !== 'reset') {
        let by: number;
        try {
          by = parseDuration(one(body.by) ?? '');
        } catch (error) {
          if (!(error instanceof DurationSyntaxError)) throw error;
          return renderEmulator(reply, t, s, { error: error.message }, 400);
        }
        offset = (await readClockOffsetMs(deps.db)) + by;
      }
      await writeClockOffsetMs(deps.db, offset, Date.now());
      await auditSql.appendAudit(deps.db, { at, action: 'emulator.clock', actor: 'operator', ...origin, detail: { offsetMs: offset } });
      return renderEmulator(reply, t, s, { notice: t.t('admin.emulator.clockSet') });
    }),
  );
}
