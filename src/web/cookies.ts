/**
 * What this site's cookies are called. Over https each name gets the `__Host-` prefix: a browser keeps such a cookie
 * only if this very host set it with `Secure`, `Path=/` and no `Domain`, so a sibling subdomain or someone on the
 * network cannot plant one (a planted session or CSRF nonce would be fixed by the attacker). Browsers refuse the
 * prefix without `Secure`, so over plain http the name stays as it is. Set every cookie with `path: '/'`, `secure`
 * as given here, and never a `domain`.
 */
export function cookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}
