/**
 * Public pages a shared cache (the reverse proxy in front, a CDN) may keep and hand to every visitor without a session.
 * A route opts in with `publicRoute()`; its page must then be the same bytes for everyone: no cookie set or read, no
 * CSRF token (pageContext refuses one), nothing typed by the visitor. The language comes from `?lang=` or the
 * Accept-Language header (which the proxy narrows to one of ours), so each language is its own cache entry.
 * A visitor with a session (an organiser) gets the same page as `private, no-store`, and the proxy passes them by.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieName } from './cookies.ts';
import { SESSION_COOKIE } from './session.ts';

export interface PublicCachePolicy {
  /** Seconds a browser may keep it without asking again. */
  readonly maxAge: number;
  /** Seconds a shared cache may serve it; also the step Last-Modified is rounded down to. */
  readonly sMaxAge: number;
  /** Seconds a shared cache may serve it stale while it fetches a fresh copy. */
  readonly staleWhileRevalidate: number;
  /** Seconds a shared cache may serve it stale while the server is down or failing. */
  readonly staleIfError: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set (by publicRoute) on routes whose answer to a visitor without a session a shared cache may keep. */
    publicCache?: PublicCachePolicy;
  }
}

/**
 * Pages: ten seconds in the proxy, as the UK Parliament petitions site does (the live counter keeps the number fresh);
 * browsers ask again each time, which the proxy answers. A day of the last good copy if the server is down.
 */
export const PUBLIC_PAGE: PublicCachePolicy = { maxAge: 0, sMaxAge: 10, staleWhileRevalidate: 30, staleIfError: 86_400 };

/** The count polled by pages whose live stream failed, and by other sites: two seconds everywhere. */
export const PUBLIC_COUNT: PublicCachePolicy = { maxAge: 2, sMaxAge: 2, staleWhileRevalidate: 10, staleIfError: 3_600 };

/** Route options that make a GET route's 200 answer publicly cacheable for visitors without a session. */
export function publicRoute(policy: PublicCachePolicy = PUBLIC_PAGE) {
  return { config: { publicCache: policy }, onSend: publicCacheHeaders };
}

/** True for a request to a route that opted in: its page must be the same bytes for every visitor. */
export function isPublicRoute(request: FastifyRequest): boolean {
  return request.routeOptions.config?.publicCache !== undefined;
}

/** Any session cookie, valid or not: such a visitor is never given (or served) a shared copy. */
export function hasSessionCookie(request: FastifyRequest): boolean {
  const value = request.cookies?.[cookieName(SESSION_COOKIE, request.server.deps.config.secureCookies)];
  return value !== undefined && value !== '';
}

/** True when this request gets the shared copy: a public route, and no session. */
export function isAnonymousPublicRequest(request: FastifyRequest): boolean {
  return isPublicRoute(request) && !hasSessionCookie(request);
}

export function cacheControlOf(policy: PublicCachePolicy): string {
  return `public, max-age=${policy.maxAge}, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}, stale-if-error=${policy.staleIfError}`;
}

/**
 * The start of the current s-maxage step, as an HTTP date. A cache fetches a fresh copy only after s-maxage, so two
 * copies it holds in turn never share a Last-Modified, and its answers to If-Modified-Since are never wrong.
 */
export function roundedLastModified(policy: PublicCachePolicy, now = Date.now()): string {
  const step = policy.sMaxAge * 1000;
  return new Date(Math.floor(now / step) * step).toUTCString();
}

async function publicCacheHeaders(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const policy = request.routeOptions.config.publicCache;
  if (!policy) return payload;
  if (hasSessionCookie(request) || reply.hasHeader('set-cookie')) {
    // An organiser's copy is theirs alone. A cookie on a public page is a bug: better uncached than shared.
    reply.header('cache-control', 'private, no-store');
    return payload;
  }
  if (reply.statusCode !== 200 || (request.method !== 'GET' && request.method !== 'HEAD')) return payload;
  reply.header('cache-control', cacheControlOf(policy));
  reply.header('last-modified', roundedLastModified(policy));
  // Pages differ by language only (never by cookie); JSON not even by that.
  if (reply.hasHeader('vary')) reply.header('vary', 'Accept-Language');
  return payload;
}
