/**
 * Cross-site request forgery, refused twice over. First, every state-changing request from a browser must come from
 * this site: browsers say where a request comes from (`Sec-Fetch-Site`, or at least `Origin`), and anything from
 * another site is refused before any route runs, whatever its content type. Second, every form carries a token: a
 * random per-browser nonce in a cookie, and in the form an HMAC of it, which another site cannot read to forge.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, hmacBase64Url } from '../crypto/keys.ts';
import { AppError } from '../errors.ts';
import { cookieName } from './cookies.ts';

/** The nonce cookie's name over http; over https it is `__Host-outcry_csrf` (see cookieName). */
export const CSRF_COOKIE = 'outcry_csrf';
export const CSRF_FIELD = '_csrf';

export interface CsrfOptions {
  key: Buffer;
  secureCookies: boolean;
}

/**
 * Returns the token to embed in a form, setting the nonce cookie first if the browser has none. The response then
 * carries this visitor's token (and perhaps their cookie, or values they typed): no cache may store it, not even the
 * public campaign page, whose cached copy holds a placeholder that each response fills in.
 */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply, options: CsrfOptions): string {
  reply.header('cache-control', 'no-store');
  const name = cookieName(CSRF_COOKIE, options.secureCookies);
  let nonce = request.cookies[name];
  if (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
    nonce = randomBytes(32).toString('base64url');
    request.cookies[name] = nonce;
    reply.setCookie(name, nonce, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies,
    });
  }
  return hmacBase64Url(options.key, nonce);
}

export function assertValidCsrf(request: FastifyRequest, options: CsrfOptions): void {
  const nonce = request.cookies[cookieName(CSRF_COOKIE, options.secureCookies)];
  const body = request.body as Record<string, unknown> | undefined;
  const token = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  if (!nonce || typeof token !== 'string' || !constantTimeEqual(token, hmacBase64Url(options.key, nonce))) {
    throw new AppError('csrf_failed', 'The form token is missing or does not match');
  }
}

/** The media type of a request body, lower-cased and without parameters: what Fastify parsed it as. */
export function mediaType(request: FastifyRequest): string {
  return String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/**
 * Refuses a state-changing request that a browser says comes from another site. `Sec-Fetch-Site` is sent by every
 * current browser; where it is missing, `Origin` must be this site's (the public URL's, or the host's it was sent to).
 * A request with neither comes from no browser (an API client, curl), which a cross-site page cannot make.
 */
export function assertSameSite(request: FastifyRequest, publicOrigin: string): void {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    // same-site is a sibling subdomain, which may be someone else's: only this origin, or the person themselves.
    if (site === 'same-origin' || site === 'none') return;
    throw new AppError('csrf_failed', `A ${site} request may not change anything here`);
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (origin === publicOrigin || origin === `${request.protocol}://${request.host}`) return;
  throw new AppError('csrf_failed', 'A request from another site may not change anything here');
}
