/**
 * Headers every HTML page carries, Dataport's own and the OAuth server's (its error, sign-out and form_post
 * pages): no framing (clickjacking of the consent and sign-out buttons), no MIME sniffing, and a CSP that
 * allows inline styles only. No form-action: after consent the browser goes on to the client's redirect URI.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
});
