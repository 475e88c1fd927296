import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { FastifyReply } from 'fastify';
import { CSRF_FIELD } from './csrf.ts';
import { localeHref, type PageContext } from './context.ts';
import { LOCALES } from './i18n.ts';

export interface LayoutProps {
  ctx: PageContext;
  title: string;
  description?: string;
  /** Absolute URL for link previews when the page is shared. */
  canonicalUrl?: string;
  /** Scripts this page loads besides the site's own (the organisers' pages load theirs). */
  script?: string | readonly string[] | undefined;
  children: ComponentChildren;
}

export function Layout({ ctx, title, description, canonicalUrl, script, children }: LayoutProps) {
  const { t } = ctx;
  return (
    <html lang={ctx.locale} dir="ltr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t('site.name')}`}</title>
        {description ? <meta name="description" content={description} /> : null}
        {canonicalUrl ? <link rel="canonical" href={canonicalUrl} /> : null}
        <meta property="og:title" content={title} />
        {description ? <meta property="og:description" content={description} /> : null}
        {canonicalUrl ? <meta property="og:url" content={canonicalUrl} /> : null}
        <meta name="referrer" content="same-origin" />
        <link rel="stylesheet" href={ctx.cssUrl} />
        <script type="module" src={ctx.jsUrl}></script>
        {[script ?? []].flat().map((src) => (
          <script type="module" src={src}></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t('site.skip')}
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href={localeHref(ctx, '/')}>
              {t('site.name')}
            </a>
            <LanguageSwitch ctx={ctx} />
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="bar">
            <p>{t('site.footer')}</p>
            <p>
              <a href="/admin">{t('site.admin')}</a>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

function LanguageSwitch({ ctx }: { ctx: PageContext }) {
  return (
    <nav class="lang-switch" aria-label={ctx.t('site.language')}>
      <ul>
        {LOCALES.map((locale) => (
          <li>
            <a href={`${ctx.path}?lang=${locale}`} hreflang={locale} lang={locale} aria-current={locale === ctx.locale ? 'true' : undefined}>
              {ctx.t(`languages.${locale}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function CsrfField({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken()} />;
}

export function renderPage(page: VNode): string {
  return `<!DOCTYPE html>${renderToString(page)}`;
}

/** Sends a full HTML page. Pages vary by language cookie and Accept-Language, so caches must key on them. */
export function sendPage(reply: FastifyReply, page: VNode | string | Buffer, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('vary', 'Cookie, Accept-Language')
    .send(typeof page === 'string' || Buffer.isBuffer(page) ? page : renderPage(page));
}
