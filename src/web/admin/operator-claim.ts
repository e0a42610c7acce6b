/**
 * Which upstream identities are operators: DATAPORT_ADMIN_OIDC_CLAIM=`name=value`, e.g. `groups=dataport-admins`
 * or `role=operator`. The claim must equal the value, or be an array (a groups claim) that holds it.
 */
export interface OperatorClaim {
  name: string;
  value: string;
}

export function operatorClaimMatches(claim: OperatorClaim, claims: Record<string, unknown>): boolean {
  const found = claims[claim.name];
  if (Array.isArray(found)) return found.some((v) => v === claim.value);
  return found === claim.value;
}
