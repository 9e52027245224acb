// The Authorization header for a Fly token. Tokens from `fly tokens create`
// are macaroons (comma-separated, each `fm1r_`, `fm1a_` or `fm2_`...) and go
// with the `FlyV1` scheme; a personal token from `fly auth token` is a
// Bearer token. Users often paste the scheme along with the token.

const MACAROON_PREFIXES = ['fm1r_', 'fm1a_', 'fm2_'];
const PASTED_SCHEME = /^(?:flyv1|bearer)(?:\s+|$)/i;

/** The token without a pasted scheme or stray whitespace. */
export function normalizeToken(raw: string): string {
  let token = raw.trim();
  while (PASTED_SCHEME.test(token)) token = token.replace(PASTED_SCHEME, '').trim();
  return token
    .split(',')
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '')
    .join(',');
}

export function isMacaroonToken(token: string): boolean {
  return token.split(',').some((segment) => MACAROON_PREFIXES.some((p) => segment.trim().startsWith(p)));
}

/** `FlyV1 <macaroons>` or `Bearer <token>`; throws (without the token) when empty. */
export function authorizationHeader(raw: string): string {
  const token = normalizeToken(raw);
  if (token === '') throw new Error('The Fly API token is empty: set the fly-api-token input (a token from `fly tokens create deploy`).');
  return isMacaroonToken(token) ? `FlyV1 ${token}` : `Bearer ${token}`;
}
