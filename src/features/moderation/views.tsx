/** The moderators' pages: a petition's suspect signatures, or all of them, a page at a time, each with its action. */
import type { PageContext } from '../../web/context.ts';
import { countryName } from '../../web/countries.ts';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { CsrfField } from '../../web/layout.tsx';
import { AdminLayout } from '../admin/index.ts';
import type { Campaign } from '../campaigns/index.ts';
import { petitionTextFor, suspectReasonLabelKeys, type Petition } from '../petitions/index.ts';
import type { ReviewedSignature, SuspectGroup } from './moderation.ts';

export type ReviewMode = 'suspects' | 'signatures';

export function SignatureReviewPage(props: {
  ctx: PageContext;
  campaign: Campaign;
  petition: Petition;
  mode: ReviewMode;
  signatures: ReviewedSignature[];
  before: number | undefined;
  nextBeforeId: number | undefined;
  /** On the suspects tab: the suspects to decide on, grouped. */
  groups?: SuspectGroup[];
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
      {props.groups && props.groups.length > 0 ? <SuspectGroups ctx={ctx} action={`${base}/suspects/groups`} groups={props.groups} /> : null}
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

/**
 * The suspects still to decide on, by reason, country and hour: in a spike, thousands of them come in a few such
 * groups, and a moderator restores or keeps aside a whole group at once.
 */
function SuspectGroups({ ctx, action, groups }: { ctx: PageContext; action: string; groups: SuspectGroup[] }) {
  const { t, locale } = ctx;
  const g = (key: string, options?: Record<string, unknown>) => t(`moderation.groups.${key}`, options);
  return (
    <section aria-labelledby="suspect-groups">
      <h2 id="suspect-groups">{g('heading')}</h2>
      <p>{g('intro')}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{g('reason')}</th>
            <th scope="col">{g('country')}</th>
            <th scope="col">{g('hour')}</th>
            <th scope="col" class="number">
              {g('suspects')}
            </th>
            <th scope="col" class="number">
              {g('confirmed')}
            </th>
            <th scope="col">{g('decide')}</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => {
            const label = `${reasonText(ctx, group.reason)}, ${countryName(locale, group.country)}, ${group.hour.replace('T', ' ')}:00 UTC`;
            return (
              <tr>
                <td>{reasonText(ctx, group.reason)}</td>
                <td>{`${countryName(locale, group.country)} (${group.country})`}</td>
                <td>
                  <time dateTime={`${group.hour}:00Z`}>{formatDate(locale, `${group.hour}:00:00Z`, { dateStyle: 'medium', timeStyle: 'short' })}</time>
                </td>
                <td class="number">{formatNumber(locale, group.suspects)}</td>
                <td class="number">{formatNumber(locale, group.confirmed)}</td>
                <td>
                  <div class="actions">
                    {(['restore', 'keep-aside'] as const).map((decision) => (
                      <form method="post" action={action}>
                        <CsrfField ctx={ctx} />
                        <input type="hidden" name="reason" value={group.reason} />
                        <input type="hidden" name="country" value={group.country} />
                        <input type="hidden" name="hour" value={group.hour} />
                        <input type="hidden" name="decision" value={decision} />
                        <button type="submit" class={decision === 'restore' ? 'primary' : undefined}>
                          {g(decision === 'restore' ? 'restore' : 'keepAside', { count: group.suspects, formatted: formatNumber(locale, group.suspects) })}
                          <span class="visually-hidden">{`: ${label}`}</span>
                        </button>
                      </form>
                    ))}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
