/** The moderators' pages: a petition's suspect signatures, or all of them, a page at a time, each with its action. */
import type { PageContext } from '../../web/context.ts';
import { countryName } from '../../web/countries.ts';
import { formatDate } from '../../web/i18n.ts';
import { CsrfField } from '../../web/layout.tsx';
import { AdminLayout } from '../admin/index.ts';
import type { Campaign } from '../campaigns/index.ts';
import { petitionTextFor, suspectReasonLabelKeys, type Petition } from '../petitions/index.ts';
import type { ReviewedSignature } from './moderation.ts';

export type ReviewMode = 'suspects' | 'signatures';

export function SignatureReviewPage(props: {
  ctx: PageContext;
  campaign: Campaign;
  petition: Petition;
  mode: ReviewMode;
  signatures: ReviewedSignature[];
  before: number | undefined;
  nextBeforeId: number | undefined;
  flash?: string | undefined;
}) {
  const { ctx, campaign, petition, mode, signatures, before, nextBeforeId, flash } = props;
  const { t, locale } = ctx;
  const r = (key: string, options?: Record<string, unknown>) => t(`moderation.review.${key}`, options);
  const title = r(mode === 'suspects' ? 'suspectsTitle' : 'allTitle');
  const shown = petitionTextFor(petition, locale, campaign.locales);
  const base = `/admin/petitions/${petition.id}`;
  return (
    <AdminLayout ctx={ctx} title={title} flash={flash}>
      <p>
        <a href={base}>
          {`${t('petitionsAdmin.viewPetition')}: `}
          <span lang={shown.locale === locale ? undefined : shown.locale}>{shown.text.title}</span>
        </a>
      </p>
      <h1>{title}</h1>
      <nav class="tabs" aria-label={t('petitionsAdmin.heading')}>
        <ul>
          <li>
            <a href={`${base}/suspects`} aria-current={mode === 'suspects' ? 'page' : undefined}>
              {r('suspectsTitle')}
            </a>
          </li>
          <li>
            <a href={`${base}/signatures`} aria-current={mode === 'signatures' ? 'page' : undefined}>
              {t('moderation.allSignatures')}
            </a>
          </li>
        </ul>
      </nav>
      <p>{r(mode === 'suspects' ? 'intro' : 'allIntro')}</p>
      <p class="hint">{r('privacy')}</p>
      {signatures.length === 0 ? (
        <p>{r(mode === 'suspects' ? 'empty' : 'allEmpty')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{r('number')}</th>
              <th scope="col">{r('country')}</th>
              <th scope="col">{r('status')}</th>
              <th scope="col">{r('reason')}</th>
              <th scope="col">{r('created')}</th>
              <th scope="col">{r('confirmedAt')}</th>
              <th scope="col">{r('action')}</th>
            </tr>
          </thead>
          <tbody>
            {signatures.map((signature) => (
              <tr>
                <td>{String(signature.id)}</td>
                <td>{`${countryName(locale, signature.country)} (${signature.country})`}</td>
                <td>{r(`sigStatus_${signature.status}`)}</td>
                <td>{signature.suspect ? reasonText(ctx, signature.reason) : '—'}</td>
                <td>
                  <time dateTime={signature.createdAt}>{formatDate(locale, signature.createdAt, { dateStyle: 'medium', timeStyle: 'short' })}</time>
                </td>
                <td>
                  {signature.confirmedAt ? (
                    <time dateTime={signature.confirmedAt}>{formatDate(locale, signature.confirmedAt, { dateStyle: 'medium', timeStyle: 'short' })}</time>
                  ) : (
                    r('notYet')
                  )}
                </td>
                <td>
                  <form method="post" action={signature.suspect ? `${base}/suspects/${signature.id}/restore` : `${base}/signatures/${signature.id}/suspect`}>
                    <CsrfField ctx={ctx} />
                    <input type="hidden" name="back" value={mode} />
                    {before !== undefined ? <input type="hidden" name="before" value={String(before)} /> : null}
                    <button type="submit" class={signature.suspect ? 'primary' : 'danger'}>
                      {r(signature.suspect ? 'restore' : 'markSuspect')}
                      <span class="visually-hidden">{`: ${r('signature', { id: signature.id })}`}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {before !== undefined || nextBeforeId !== undefined ? (
        <p class="actions">
          {before !== undefined ? <a href={`${base}/${mode}`}>{r('newest')}</a> : null}
          {nextBeforeId !== undefined ? <a href={`${base}/${mode}?before=${nextBeforeId}`}>{r('older')}</a> : null}
        </p>
      ) : null}
    </AdminLayout>
  );
}

/** Each signal of a stored reason in words ("Form sent too fast for a person; Disposable email domain"). */
export function reasonText(ctx: PageContext, reason: string | null): string {
  if (reason === null) return '—';
  const signals = reason.split(',');
  return suspectReasonLabelKeys(reason)
    .map((key, i) => (key ? ctx.t(key) : signals[i]!))
    .join('; ');
}
