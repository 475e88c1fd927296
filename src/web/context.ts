/**
 * What every rendered page needs to know about its request: the language, a CSRF token for its forms,
 * the signed-in organiser if any, and where the assets are.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionUser } from './session.ts';
import { csrfTokenFor } from './csrf.ts';
import { DEFAULT_LOCALE, isLocale, localeFromAcceptLanguage, translator, type Locale, type Translate } from './i18n.ts';

export const LANG_COOKIE = 'outcry_lang';

export interface PageContext {
  readonly locale: Locale;
  readonly t: Translate;
  /** The request path without its query string. */
  readonly path: string;
  readonly user: SessionUser | undefined;
  readonly cssUrl: string;
  readonly jsUrl: string;
  csrfToken(): string;
}

export function resolveLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const requested = (request.query as Record<string, unknown> | undefined)?.['lang'];
  if (isLocale(requested)) {
    if (request.cookies[LANG_COOKIE] !== requested) {
      reply.setCookie(LANG_COOKIE, requested, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, secure: request.server.deps.config.secureCookies });
    }
    return requested;
  }
  const remembered = request.cookies[LANG_COOKIE];
  if (isLocale(remembered)) return remembered;
  return localeFromAcceptLanguage(request.headers['accept-language']) ?? DEFAULT_LOCALE;
}

const contexts = new WeakMap<FastifyRequest, PageContext>();

/** The request's page context, made once: the language is resolved (and its cookie set) a single time per request. */
export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  let ctx = contexts.get(request);
  if (!ctx) contexts.set(request, (ctx = createPageContext(request, reply)));
  return ctx;
}

function createPageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  const locale = resolveLocale(request, reply);
  const { deps } = request.server;
  let token: string | undefined;
  return {
    locale,
    t: translator(locale),
    path: request.url.split('?')[0] ?? '/',
    get user() {
      return request.user;
    },
    cssUrl: deps.assets.css.url,
    jsUrl: deps.assets.js.url,
    csrfToken: () => (token ??= csrfTokenFor(request, reply, { key: deps.keys.csrf, secureCookies: deps.config.secureCookies })),
  };
}
