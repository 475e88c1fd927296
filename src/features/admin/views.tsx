import type { ComponentChildren } from 'preact';
import type { PageContext } from '../../web/context.ts';
import { CsrfField, Layout } from '../../web/layout.tsx';
import { ErrorSummary, TextField, type FormValues } from '../../web/fields.tsx';
import type { FieldErrors } from '../../errors.ts';
import { formatDate } from '../../web/i18n.ts';
import type { AuditRow } from '../audit/index.ts';
import { can } from './auth.ts';

export function AdminLayout({
  ctx,
  title,
  children,
  flash,
  script,
}: {
  ctx: PageContext;
  title: string;
  children: ComponentChildren;
  flash?: string | undefined;
  /** A script of this page's own, besides the organisers' one. */
  script?: string | undefined;
}) {
  const { t, user } = ctx;
  return (
    <Layout ctx={ctx} title={`${title} · ${t('admin.title')}`} script={script ? [ctx.adminJsUrl, script] : ctx.adminJsUrl}>
      {user ? (
        <nav class="admin-nav" aria-label={t('admin.title')}>
          <ul>
            {ctx.adminNav
              .filter((link) => link.permission === undefined || [link.permission].flat().some((permission) => can(user.role, permission)))
              .map((link) => (
                <li>
                  <a href={link.href}>{t(link.labelKey)}</a>
                </li>
              ))}
            <li>
              <form method="post" action="/admin/logout">
                <CsrfField ctx={ctx} />
                <button type="submit">{t('admin.logout')}</button>
              </form>
            </li>
          </ul>
          <p>{t('admin.signedInAs', { email: user.email, role: t(`admin.role_${user.role}`) })}</p>
        </nav>
      ) : null}
      {flash ? (
        <p class="notice ok" role="status">
          {flash}
        </p>
      ) : null}
      {children}
    </Layout>
  );
}

export function LoginPage({
  ctx,
  values,
  errors,
  failed,
  next,
  notice,
}: {
  ctx: PageContext;
  values: FormValues;
  errors: FieldErrors;
  failed: boolean;
  next: string;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  const labels = { email: t('admin.email'), password: t('admin.password') };
  return (
    <AdminLayout ctx={ctx} title={t('admin.login')}>
      <h1>{t('admin.loginTitle')}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      {failed ? (
        <p class="notice" role="alert">
          {t('admin.loginFailed')}
        </p>
      ) : null}
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form method="post" action="/admin/login" class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="next" value={next} />
        <TextField ctx={ctx} name="email" type="email" label={labels.email} autocomplete="username" required errors={errors} values={values} maxLength={254} />
        <TextField
          ctx={ctx}
          name="password"
          type="password"
          label={labels.password}
          autocomplete="current-password"
          required
          errors={errors}
          values={values}
          maxLength={1024}
        />
        <button type="submit" class="primary">
          {t('admin.login')}
        </button>
      </form>
    </AdminLayout>
  );
}

export function AuditPage({ ctx, entries, nextBeforeId }: { ctx: PageContext; entries: AuditRow[]; nextBeforeId: number | undefined }) {
  const { t, locale } = ctx;
  return (
    <AdminLayout ctx={ctx} title={t('admin.audit')}>
      <h1>{t('admin.audit')}</h1>
      {entries.length === 0 ? (
        <p>{t('admin.auditEmpty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('admin.when')}</th>
              <th scope="col">{t('admin.who')}</th>
              <th scope="col">{t('admin.what')}</th>
              <th scope="col">{t('admin.changes')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr>
                <td>
                  <time dateTime={entry.createdAt}>{formatDate(locale, entry.createdAt, { dateStyle: 'medium', timeStyle: 'short' })}</time>
                </td>
                <td>{entry.userEmail ?? t('admin.system')}</td>
                <td>{`${entry.action} ${entry.entityType}${entry.entityId ? ` #${entry.entityId}` : ''}`}</td>
                <td>
                  <pre class="changes">{formatChanges(entry.changes)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBeforeId !== undefined ? (
        <p>
          <a href={`/admin/audit?before=${nextBeforeId}`}>{t('admin.older')}</a>
        </p>
      ) : null}
    </AdminLayout>
  );
}

function formatChanges(changes: AuditRow['changes']): string {
  return Object.entries(changes)
    .map(([field, [before, after]]) => `${field}: ${shorten(before)} → ${shorten(after)}`)
    .join('\n');
}

function shorten(value: unknown): string {
  const text = value === null || value === undefined ? '∅' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
