import { generateKeyPairSync } from 'node:crypto';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import querystring from 'node:querystring';
import Provider from 'oidc-provider';

/** A person in the upstream directory: `sub` is the provider's own opaque id, `email` what people type. */
export interface UpstreamUser {
  sub: string;
  email: string;
  password: string;
  name: string;
  /** What the provider says in `email_verified`: true when left out; null leaves the claim out altogether. */
  emailVerified?: boolean | string | null;
  /** The person's groups in the directory, released with the `profile` scope (as some providers do). */
  groups?: string[];
}

export interface UpstreamProvider {
  /** The issuer, on 127.0.0.1 so its cookies never mix with Dataport's on localhost (both run oidc-provider). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers Dataport's callback URIs; call once, after the Dataports listen (their URLs are known only then). */
  register(redirectUris: string[]): void;
  /** When set, the token endpoint's ID token is passed through this before it is sent (a forged token). */
  tamperIdToken: ((idToken: string) => string | Promise<string>) | undefined;
  /**
   * Signs a token with the provider's own key (so its signature verifies): for ID tokens whose claims a real
   * provider with a bug, or a replayed token, would have.
   */
  sign(claims: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A second, real OpenID Connect provider (oidc-provider, RS256 ID tokens, PKCE) standing in for an operator's
 * existing login. Its login page is a plain form checked against `users`; consent is skipped for its one
 * client, as a company's own login does for its own apps.
 */
export async function startUpstreamProvider(users: UpstreamUser[]): Promise<UpstreamProvider> {
  let handler: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;
  let provider: Provider | undefined;
  const server = http.createServer((req, res) => {
    if (!handler || !provider) {
      res.writeHead(503).end('not ready');
      return;
    }
    const login = /^\/login\/([\w-]+)$/.exec(req.url ?? '');
    if (login) {
      loginPage(provider, login[1]!, req, res).catch((error: Error) => res.writeHead(500).end(String(error.message)));
      return;
    }
    if (self.tamperIdToken && req.method === 'POST' && req.url?.startsWith('/token')) tamperTokenResponse(res, self.tamperIdToken);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: 'upstream-1',
    alg: 'RS256',
    use: 'sig',
  };
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function loginPage(p: Provider, uid: string, req: http.IncomingMessage, res: http.ServerResponse) {
    const details = await p.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    let error = '';
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = querystring.parse(Buffer.concat(chunks).toString());
      const user = users.find((u) => u.email === form.email && u.password === form.password);
      if (user) {
        const location = await p.interactionResult(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
        res.writeHead(303, { location }).end();
        return;
      }
      error = '<p role="alert">Wrong email or password.</p>';
    }
    res.writeHead(error ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme login</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}input{display:block;box-sizing:border-box;width:100%;padding:.5rem;font:inherit}button{padding:.5rem 1.25rem;font:inherit}</style></head>
<body><h1>Acme staff login</h1>${error}
<form method="post" action="/login/${esc(uid)}">
<label>Email <input type="email" name="email" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Log in</button></form></body></html>`);
  }

  const self: UpstreamProvider = {
    issuer,
    clientId: 'dataport',
    clientSecret: 'upstream-client-secret-for-tests',
    tamperIdToken: undefined,
    async sign(claims) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid }).sign(await importJWK(signingKey, 'RS256'));
    },
    register(redirectUris) {
      provider = new Provider(issuer, {
        clients: [
          {
            client_id: self.clientId,
            client_secret: self.clientSecret,
            redirect_uris: redirectUris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        findAccount: async (_ctx: unknown, sub: string) => {
          const user = users.find((u) => u.sub === sub);
          return (
            user && {
              accountId: sub,
              claims: async () => ({
                sub,
                email: user.email,
                name: user.name,
                ...(user.emailVerified === null ? {} : { email_verified: user.emailVerified ?? true }),
                ...(user.groups ? { groups: user.groups } : {}),
              }),
            }
          );
        },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
        interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/login/${interaction.uid}` },
        features: { devInteractions: { enabled: false } },
        // A first-party login: no consent screen for its own client.
        loadExistingGrant: async (ctx: any) => {
          const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
          if (grantId) return ctx.oidc.provider.Grant.find(grantId);
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
          grant.addOIDCScope('openid email profile');
          await grant.save();
          return grant;
        },
        cookies: { keys: ['upstream test cookie key'] },
        ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
        jwks: { keys: [signingKey] },
      });
      const callback = provider.callback();
      handler = (req, res) => void callback(req, res);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return self;
}

/** Rewrites the ID token in the token endpoint's JSON answer before it leaves (a man in the middle, or a bug). */
function tamperTokenResponse(res: http.ServerResponse, tamper: (idToken: string) => string | Promise<string>) {
  const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => http.ServerResponse;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) {
      const body = JSON.parse(chunk.toString()) as { id_token?: string };
      if (body.id_token) {
        void Promise.resolve(tamper(body.id_token)).then((idToken) => {
          const text = JSON.stringify({ ...body, id_token: idToken });
          if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(text));
          end(text, ...rest);
        });
        return res;
      }
    }
    return end(chunk, ...rest);
  }) as typeof res.end;
}
