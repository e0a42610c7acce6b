import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { auditSql, grants, oauthClients, oidcPayloads, webhooksSql, type AuditOrigin, type Db, type OauthClientRow } from '../store/index.js';

export interface NewClient {
  name: string;
  redirectUris: readonly string[];
  /** Public clients (native apps, single-page apps) have no secret and must use PKCE. */
  public: boolean;
}

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  name: string;
  redirect_uris: string[];
  public: boolean;
  created_at: string;
}

export class ClientError extends Error {
  override readonly name = 'ClientError';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Exact-match redirect URIs: absolute, no fragment (RFC 6749 3.1.2), plain http only on loopback. */
function checkRedirectUri(uri: string): string {
  const url = URL.parse(uri);
  if (!url) throw new ClientError(`redirect URI is not an absolute URI: ${uri}`);
  if (uri.includes('#')) throw new ClientError(`redirect URI must not contain a fragment: ${uri}`);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw new ClientError(`redirect URI must use https (plain http only for localhost): ${uri}`);
  }
  return uri;
}

/**
 * A client secret as stored: its sha256. Secrets are 256 random bits, so a fast hash is enough (no salt or
 * stretching needed: there is nothing to guess), and a leaked database holds nothing that authenticates.
 */
function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Whether `presented` is the secret whose hash is stored, compared in constant time. */
export function clientSecretMatches(storedSha256: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(storedSha256, 'hex');
  const given = Buffer.from(hashClientSecret(presented), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The metadata oidc-provider validates clients against; built from our row on every look-up. */
export function providerClientMetadata(row: OauthClientRow): Record<string, unknown> {
  const redirectUris = JSON.parse(row.redirect_uris) as string[];
  return {
    client_id: row.id,
    client_name: row.name,
    redirect_uris: redirectUris,
    // RFC 8252 §7.3: a native app (a public client redirecting to a loopback IP) picks an ephemeral port at run
    // time, so the provider ignores the port of such URIs; every other client keeps exact matching.
    ...(row.secret_sha256 === null && redirectUris.every(isLoopbackIpRedirect) ? { application_type: 'native' } : {}),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // No ID tokens are issued (only data portability scopes), but the provider validates this against its key.
    id_token_signed_response_alg: 'ES256',
    ...(row.secret_sha256 === null
      ? { token_endpoint_auth_method: 'none' }
      : // Google's client libraries (googleapis included) send the secret in the form body. The provider
        // insists on a client_secret for this method; it gets the hash, and the OAuth server replaces the
        // provider's comparison with clientSecretMatches (oauth-server.ts).
        { token_endpoint_auth_method: 'client_secret_post', client_secret: row.secret_sha256 }),
  };
}

function isLoopbackIpRedirect(uri: string): boolean {
  const url = new URL(uri);
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
}

function describe(row: OauthClientRow): RegisteredClient {
  return {
    client_id: row.id,
    name: row.name,
    redirect_uris: JSON.parse(row.redirect_uris) as string[],
    public: row.secret_sha256 === null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function createClientService(deps: { db: Db; now: () => number }) {
  const { db, now } = deps;

  /** `origin`, when given, records the addition in the audit log (the console does; `dataport clients add` predates it). */
  async function addClient(client: NewClient, origin?: AuditOrigin): Promise<RegisteredClient> {
    const name = client.name.trim();
    if (!name) throw new ClientError('a client needs a name');
    if (client.redirectUris.length === 0) throw new ClientError('a client needs at least one redirect URI');
    const redirectUris = [...new Set(client.redirectUris.map(checkRedirectUri))];
    // Shown once, here; only its hash is stored.
    const secret = client.public ? null : randomBytes(32).toString('base64url');
    const row: OauthClientRow = {
      id: `dpc_${randomBytes(12).toString('base64url')}`,
      name,
      secret_sha256: secret === null ? null : hashClientSecret(secret),
      redirect_uris: JSON.stringify(redirectUris),
      created_at: now(),
    };
    await oauthClients.insertClient(db, row);
    if (origin)
      await auditSql.appendAudit(db, {
        at: row.created_at,
        action: 'client.add',
        actor: 'operator',
        operator: origin.operator,
        ip: origin.ip,
        clientId: row.id,
        detail: { name },
      });
    return { ...describe(row), ...(secret === null ? {} : { client_secret: secret }) };
  }

  async function listClients(): Promise<RegisteredClient[]> {
    return (await oauthClients.listClients(db)).map(describe);
  }

  async function findClientName(id: string): Promise<string | undefined> {
    return (await oauthClients.findClient(db, id))?.name;
  }

  /**
   * A new secret for a confidential client, shown once; the old one stops working at once. Undefined when
   * there is no such client or it is public (it has no secret).
   */
  async function rotateSecret(id: string, origin: AuditOrigin = { operator: 'cli' }): Promise<string | undefined> {
    const secret = randomBytes(32).toString('base64url');
    const at = now();
    const rotated = await oauthClients.replaceSecret(db, id, hashClientSecret(secret));
    if (!rotated) return undefined;
    await auditSql.appendAudit(db, { at, action: 'client.rotate', actor: 'operator', operator: origin.operator, ip: origin.ip, clientId: id });
    return secret;
  }

  /** Removes the client and ends every grant it holds, with their codes and tokens. */
  async function removeClient(id: string, origin: AuditOrigin = { operator: 'cli' }): Promise<boolean> {
    const removed = await oauthClients.deleteClient(db, id);
    const at = now();
    const revoked = await grants.revokeGrantsOfClient(db, id, at);
    await oidcPayloads.destroyByGrantIds(db, revoked);
    // Its webhook endpoint and the events still owed to it go too: nobody is there to receive them.
    await webhooksSql.deleteEndpoint(db, id);
    // An operator's act (`dataport clients remove`): one entry for the client, naming the grants it ended.
    if (removed || revoked.length > 0) {
      await auditSql.appendAudit(db, {
        at,
        action: 'revoke',
        actor: 'operator',
        operator: origin.operator,
        ip: origin.ip,
        clientId: id,
        detail: { grantIds: revoked, clientRemoved: true },
      });
    }
    return removed;
  }

  return { addClient, listClients, findClientName, removeClient, rotateSecret };
}

export type ClientService = ReturnType<typeof createClientService>;
