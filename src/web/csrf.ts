/**
 * CSRF protection for every form: a random per-browser nonce in a cookie, and in each form an HMAC of that nonce.
 * A cross-site page can make the browser send the cookie (or not, with SameSite) but cannot read it to forge the HMAC.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, hmacBase64Url } from '../crypto/keys.ts';
import { AppError } from '../errors.ts';

export const CSRF_COOKIE = 'outcry_csrf';
export const CSRF_FIELD = '_csrf';

export interface CsrfOptions {
  key: Buffer;
  secureCookies: boolean;
}

/** Returns the token to embed in a form, setting the nonce cookie first if the browser has none. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply, options: CsrfOptions): string {
  let nonce = request.cookies[CSRF_COOKIE];
  if (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
    nonce = randomBytes(32).toString('base64url');
    request.cookies[CSRF_COOKIE] = nonce;
    reply.setCookie(CSRF_COOKIE, nonce, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies,
    });
  }
  return hmacBase64Url(options.key, nonce);
}

export function assertValidCsrf(request: FastifyRequest, options: CsrfOptions): void {
  const nonce = request.cookies[CSRF_COOKIE];
  const body = request.body as Record<string, unknown> | undefined;
  const token = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  if (!nonce || typeof token !== 'string' || !constantTimeEqual(token, hmacBase64Url(options.key, nonce))) {
    throw new AppError('csrf_failed', 'The form token is missing or does not match');
  }
}
