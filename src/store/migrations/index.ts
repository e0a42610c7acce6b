import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-init.js';
import * as m0002 from './0002-accounts-oauth.js';
import * as m0004 from './0004-emulator-settings.js';
import * as m0005 from './0005-sign-in-throttle-sessions.js';
import * as m0006 from './0006-hashed-oauth-secrets.js';
import * as m0007 from './0007-upstream-identities.js';
import * as m0008 from './0008-consent-lookups.js';
import * as m0012 from './0012-job-outputs-swept.js';
import * as m0013 from './0013-webhooks.js';
import * as m0015 from './0015-audit-log.js';
import * as m0017 from './0017-job-request-trace.js';
import * as m0018 from './0018-operators.js';
import * as m0019 from './0019-job-runs.js';
import * as m0020 from './0020-jobs-owner-state.js';

/** Ordered list of migrations; append only, never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '0001-init': m0001,
  '0002-accounts-oauth': m0002,
  '0004-emulator-settings': m0004,
  '0005-sign-in-throttle-sessions': m0005,
  '0006-hashed-oauth-secrets': m0006,
  '0007-upstream-identities': m0007,
  '0008-consent-lookups': m0008,
  '0012-job-outputs-swept': m0012,
  '0013-webhooks': m0013,
  '0015-audit-log': m0015,
  '0017-job-request-trace': m0017,
  '0018-operators': m0018,
  '0019-job-runs': m0019,
  '0020-jobs-owner-state': m0020,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
