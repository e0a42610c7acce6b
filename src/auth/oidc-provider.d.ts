// oidc-provider ships no type declarations (and @types/oidc-provider trails its majors). This declares
// only the surface src/auth uses; everything else stays `any` on purpose rather than guessed.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload {
    [key: string]: unknown;
    grantId?: string;
    uid?: string;
    userCode?: string;
    consumed?: number | boolean;
    jti?: string;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown> & { client_id: string; scope?: string; redirect_uri?: string };
    session?: { accountId: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    rejectOIDCScope(scope: string): void;
    save(): Promise<string>;
    exp?: number;
  }

  export interface Middleware {
    (ctx: any, next: () => Promise<void>): Promise<void> | void;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: Middleware): void;
    on(event: string, listener: (...args: any[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    proxy: boolean;
    Grant: {
      new (properties: { accountId: string; clientId: string; expiresIn?: number }): GrantInstance;
      find(id: string): Promise<(GrantInstance & { exp?: number }) | undefined>;
    };
    RefreshToken: { find(value: string): Promise<{ exp?: number; grantId?: string } | undefined> };
    /** The client model; its prototype's compareClientSecret is the documented hook for hashed secrets. */
    Client: { prototype: { clientSecret: string; compareClientSecret(actual: unknown): Promise<boolean> } };
    /** The login session a request's cookie names; `new` when it names none that is stored. */
    Session: { get(ctx: { req: IncomingMessage; res: ServerResponse }): Promise<{ new?: boolean; accountId?: string; destroy(): Promise<void> }> };
  }

  export const errors: {
    InvalidScope: new (description: string, scope?: string) => Error;
    InvalidRequest: new (description: string) => Error;
    InvalidTarget: new (description?: string) => Error;
  };
}
