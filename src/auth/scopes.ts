/** The scope parameter as a list: space-separated (RFC 6749 3.3), duplicates and empty entries dropped. */
export function readRequestedScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))];
}
