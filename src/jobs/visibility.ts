import type { jobsSql } from '../store/index.js';

/**
 * Consent is the key to an archive (DESIGN): a job may be polled, retried or cancelled, and its archive
 * downloaded, only while the grant that made it stands (not revoked, not expired) and covers the job's groups.
 * A later grant of the same app does not reopen a job of a withdrawn one, and a caller must itself hold every
 * group of the job it asks about: a token for other groups learns nothing about it.
 */
export function grantStandsFor(grant: jobsSql.GrantStanding | null, jobResources: readonly string[], at: number): boolean {
  if (!grant || grant.revoked_at !== null) return false;
  if (grant.expires_at !== null && grant.expires_at <= at) return false;
  return covers(JSON.parse(grant.resources) as string[], jobResources);
}

/** Whether `held` includes every one of `needed`. */
export function covers(held: readonly string[], needed: readonly string[]): boolean {
  const set = new Set(held);
  return needed.every((r) => set.has(r));
}
