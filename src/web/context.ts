/**
 * What every rendered page needs to know about its request: the language, a CSRF token for its forms,
 * the signed-in organiser if any, and where the assets are.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionUser } from './session.ts';
import { cookieName } from './cookies.ts';
import { csrfTokenFor } from './csrf.ts';
import { DEFAULT_LOCALE, isLocale, localeFromAcceptLanguage, translator, type Locale, type Translate } from './i18n.ts';
import { isAnonymousPublicRequest, isPublicRoute } from './public-cache.ts';

/** The language cookie's name over http; over https it is `__Host-outcry_lang` (see cookieName). */
export const LANG_COOKIE = 'outcry_lang';

/** A link a feature adds to the organisers' navigation, shown to roles that hold `permission`, or one of them (all, if unset). */
export interface NavLink {
  readonly href: string;
  readonly labelKey: string;
  readonly permission?: string | readonly string[];
}

export interface PageContext {
  readonly locale: Locale;
  readonly t: Translate;
  /** The request path without its query string. */
  readonly path: string;
  readonly user: SessionUser | undefined;
  readonly cssUrl: string;
  readonly jsUrl: string;
  /** The organisers' script (passkeys), which only their pages load. */
  readonly adminJsUrl: string;
  /** The organisers' navigation, as the features declare it. */
  readonly adminNav: readonly NavLink[];
  csrfToken(): string;
}

export function resolveLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const { secureCookies } = request.server.deps.config;
  const name = cookieName(LANG_COOKIE, secureCookies);
  const requested = (request.query as Record<string, unknown> | undefined)?.['lang'];
  if (isAnonymousPublicRequest(request)) {
    // A page a shared cache keeps neither sets nor reads the cookie: its address and Accept-Language say it all.
    return isLocale(requested) ? requested : (localeFromAcceptLanguage(request.headers['accept-language']) ?? DEFAULT_LOCALE);
  }
  if (isLocale(requested)) {
    if (request.cookies[name] !== requested) {
      reply.setCookie(name, requested, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, secure: secureCookies });
    }
    return requested;
  }
  const remembered = request.cookies[name];
  if (isLocale(remembered)) return remembered;
  return localeFromAcceptLanguage(request.headers['accept-language']) ?? DEFAULT_LOCALE;
}

/**
 * An address on this site that keeps the page's language: public pages take it from the address rather than a cookie,
 * so their links carry it on. The fragment, if any, stays last.
 */
export function localeHref(ctx: Pick<PageContext, 'locale'>, href: string): string {
  const hash = href.indexOf('#');
  const [path, fragment] = hash === -1 ? [href, ''] : [href.slice(0, hash), href.slice(hash)];
  return `${path}${path.includes('?') ? '&' : '?'}lang=${ctx.locale}${fragment}`;
}

// Kept on the request itself rather than in a WeakMap keyed by requests: no ephemeron table for the collector to
// process (the two measured alike under the signing benchmark).
const CONTEXT = Symbol('pageContext');
type WithContext = FastifyRequest & { [CONTEXT]?: PageContext };

/** The request's page context, made once: the language is resolved (and its cookie set) a single time per request. */
export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  return ((request as WithContext)[CONTEXT] ??= new RequestPageContext(request, reply, resolveLocale(request, reply)));
}

/**
 * A class, not an object literal with a getter and closures: V8 makes the getter's accessor pair of each such literal
 * in the old generation, and young-generation collections keep whatever an old object points to until the next full
 * collection. Through the getter's closure that was the whole request, its headers and its response: each was copied
 * and promoted (signing benchmark: scavenges of ~11 ms every ~70 ms before, 2-3 ms with this class).
 */
class RequestPageContext implements PageContext {
  readonly t: Translate;
  readonly path: string;
  readonly cssUrl: string;
  readonly jsUrl: string;
  readonly adminJsUrl: string;
  readonly adminNav: readonly NavLink[];
  private token: string | undefined;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    readonly locale: Locale,
  ) {
    const { deps } = request.server;
    this.t = translator(locale);
    this.path = request.url.split('?')[0] ?? '/';
    this.cssUrl = deps.assets.css.url;
    this.jsUrl = deps.assets.js.url;
    this.adminJsUrl = deps.assets.adminJs.url;
    this.adminNav = deps.adminNav;
  }

  get user(): SessionUser | undefined {
    return this.request.user;
  }

  csrfToken(): string {
    // Everyone who gets the shared copy would get this visitor's token: such a page must not ask for one.
    if (isPublicRoute(this.request)) throw new Error(`A publicly cached page may not carry a CSRF token: ${this.request.routeOptions.url}`);
    const { deps } = this.request.server;
    return (this.token ??= csrfTokenFor(this.request, this.reply, { key: deps.keys.csrf, secureCookies: deps.config.secureCookies }));
  }
}
