import type { ComponentChildren } from 'preact';
import type { PageContext } from '../../web/context.ts';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { AdminLayout } from '../admin/index.ts';
import type { MailMessage, MailSummary } from './mailbox.ts';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/g;

/** Is `candidate` a link into this site (same origin, under the public URL's path)? Those alone become clickable. */
export function isOwnLink(candidate: string, publicUrl: string): boolean {
  let url: URL;
  let base: URL;
  try {
    url = new URL(candidate);
    base = new URL(publicUrl);
  } catch {
    return false;
  }
  if (url.origin !== base.origin || url.username !== '' || url.password !== '') return false;
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.pathname === base.pathname || url.pathname.startsWith(basePath);
}

/** The message text with links to this site made clickable; every other address stays plain text. */
export function linkifyOwnLinks(text: string, publicUrl: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    // Punctuation that ends a sentence is not part of the address.
    const candidate = match[0].replace(/[.,;:!?)\]}]+$/, '');
    const start = match.index;
    if (!isOwnLink(candidate, publicUrl)) continue;
    if (start > last) out.push(text.slice(last, start));
    out.push(<a href={new URL(candidate).href}>{candidate}</a>);
    last = start + candidate.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function MailDate({ ctx, date }: { ctx: PageContext; date: string | null }) {
  return date ? <time dateTime={date}>{formatDate(ctx.locale, date, { dateStyle: 'medium', timeStyle: 'medium' })}</time> : ctx.t('mailbox.noDate');
}

export function MailboxPage({
  ctx,
  smtp,
  folder,
  messages,
  total,
}: {
  ctx: PageContext;
  smtp: boolean;
  folder: string;
  messages: MailSummary[];
  total: number;
}) {
  const { t, locale } = ctx;
  return (
    <AdminLayout ctx={ctx} title={t('mailbox.title')}>
      <h1>{t('mailbox.title')}</h1>
      {smtp ? (
        <p class="notice">{t('mailbox.smtp')}</p>
      ) : (
        <>
          <p>
            {t('mailbox.intro')} <code>{folder}</code>
          </p>
          <p class="notice warning">{t('mailbox.warning')}</p>
          {messages.length === 0 ? (
            <p>{t('mailbox.empty')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('mailbox.date')}</th>
                  <th scope="col">{t('mailbox.to')}</th>
                  <th scope="col">{t('mailbox.subject')}</th>
                </tr>
              </thead>
              <tbody>
                {messages.map((message) => (
                  <tr>
                    <td>
                      <MailDate ctx={ctx} date={message.date} />
                    </td>
                    <td>{message.to || '—'}</td>
                    <td>
                      <a href={`/admin/mail/${encodeURIComponent(message.name)}`}>{message.subject || t('mailbox.noSubject')}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {total > messages.length ? (
            <p class="hint">{t('mailbox.more', { count: total - messages.length, formatted: formatNumber(locale, total - messages.length) })}</p>
          ) : null}
        </>
      )}
    </AdminLayout>
  );
}

export function MailMessagePage({ ctx, message, publicUrl }: { ctx: PageContext; message: MailMessage; publicUrl: string }) {
  const { t } = ctx;
  const title = message.subject || t('mailbox.noSubject');
  return (
    <AdminLayout ctx={ctx} title={t('mailbox.message')}>
      <p>
        <a href="/admin/mail">{t('mailbox.back')}</a>
      </p>
      <h1>{title}</h1>
      <dl class="facts mail-headers">
        <div>
          <dt>{t('mailbox.from')}</dt>
          <dd>{message.from || '—'}</dd>
        </div>
        <div>
          <dt>{t('mailbox.to')}</dt>
          <dd>{message.to || '—'}</dd>
        </div>
        <div>
          <dt>{t('mailbox.date')}</dt>
          <dd>
            <MailDate ctx={ctx} date={message.date} />
          </dd>
        </div>
      </dl>
      <p class="hint">{t('mailbox.linksNote')}</p>
      {message.noText ? <p class="notice">{t('mailbox.noText')}</p> : <pre class="mail-body">{linkifyOwnLinks(message.text, publicUrl)}</pre>}
      {message.truncated ? <p class="notice">{t('mailbox.truncated')}</p> : null}
    </AdminLayout>
  );
}
