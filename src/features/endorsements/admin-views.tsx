/** The organisers' endorsement pages: the summary on a campaign's admin page, the list with its review queue, the form. */
import type { FieldErrors } from '../../errors.ts';
import type { PageContext } from '../../web/context.ts';
import { Checkbox, ErrorSummary, TextArea, TextField, valueOf, type FormValues } from '../../web/fields.tsx';
import { formatNumber, LOCALES } from '../../web/i18n.ts';
import { CsrfField } from '../../web/layout.tsx';
import { AdminLayout, can } from '../admin/index.ts';
import { type Campaign, textFor } from '../campaigns/index.ts';
import { type Endorsement, LIMITS } from './model.ts';
import type { EndorsementCounts } from './queries.ts';
import { EndorsementDate } from './views.tsx';

function canEditEndorsements(ctx: PageContext): boolean {
  return ctx.user !== undefined && can(ctx.user.role, 'campaigns:edit');
}

/** The endorsements' part of a campaign's admin page. */
export function CampaignEndorsementsSummary({ ctx, campaign, counts }: { ctx: PageContext; campaign: Campaign; counts: EndorsementCounts }) {
  const { t, locale } = ctx;
  return (
    <section id="endorsements" aria-labelledby="endorsements-admin-heading">
      <h2 id="endorsements-admin-heading">{t('endorsementsAdmin.heading')}</h2>
      <p>
        {t('endorsementsAdmin.counts', {
          verified: formatNumber(locale, counts.verified),
          waiting: formatNumber(locale, counts.unverified),
        })}
      </p>
      <div class="actions">
        <a class="button" href={`/admin/campaigns/${campaign.id}/endorsements`}>
          {t('endorsementsAdmin.manage')}
        </a>
        {canEditEndorsements(ctx) ? (
          <a class="button primary" href={`/admin/campaigns/${campaign.id}/endorsements/new`}>
            {t('endorsementsAdmin.add')}
          </a>
        ) : null}
      </div>
    </section>
  );
}

function BackToCampaign({ ctx, campaign }: { ctx: PageContext; campaign: Campaign }) {
  const { text } = textFor(campaign, ctx.locale);
  return (
    <p>
      <a href={`/admin/campaigns/${campaign.id}#endorsements`}>{ctx.t('endorsementsAdmin.backToCampaign', { title: text.title })}</a>
    </p>
  );
}

function DeleteButton({ ctx, endorsement }: { ctx: PageContext; endorsement: Endorsement }) {
  const label = ctx.t(endorsement.status === 'verified' ? 'endorsementsAdmin.delete' : 'endorsementsAdmin.reject');
  return (
    <form method="post" action={`/admin/endorsements/${endorsement.id}/delete`}>
      <CsrfField ctx={ctx} />
      <button type="submit" class="danger">
        {label}
        <span class="visually-hidden">{`: ${endorsement.name}`}</span>
      </button>
    </form>
  );
}

function EndorsementRows({ ctx, endorsements }: { ctx: PageContext; endorsements: readonly Endorsement[] }) {
  const { t } = ctx;
  const canEdit = canEditEndorsements(ctx);
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('endorsementsAdmin.fields.name')}</th>
          <th scope="col">{t('endorsementsAdmin.fields.date')}</th>
          <th scope="col">{t('endorsementsAdmin.fields.url')}</th>
          <th scope="col">{t('endorsementsAdmin.origin')}</th>
          <th scope="col">{t('endorsementsAdmin.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {endorsements.map((endorsement) => (
          <tr>
            <td lang={endorsement.lang === ctx.locale ? undefined : endorsement.lang}>
              <a href={`/admin/endorsements/${endorsement.id}`}>{endorsement.name}</a>
              {endorsement.description ? <span class="hint">{` — ${endorsement.description}`}</span> : null}
              {endorsement.featured ? <strong>{` (${t('endorsementsAdmin.featured')})`}</strong> : null}
            </td>
            <td>{endorsement.date ? <EndorsementDate ctx={ctx} date={endorsement.date} approximate={endorsement.dateApproximate} /> : '—'}</td>
            <td>
              {endorsement.url ? (
                <a href={endorsement.url} rel="noopener noreferrer">
                  {t('endorsementsAdmin.openLink')}
                  <span class="visually-hidden">{`: ${endorsement.name}`}</span>
                </a>
              ) : (
                '—'
              )}
            </td>
            <td>{t(`endorsementsAdmin.source_${endorsement.source}`)}</td>
            <td>
              <div class="actions">
                <a class="button" href={`/admin/endorsements/${endorsement.id}`}>
                  {t(!canEdit ? 'endorsementsAdmin.open' : endorsement.status === 'verified' ? 'endorsementsAdmin.edit' : 'endorsementsAdmin.review')}
                  <span class="visually-hidden">{`: ${endorsement.name}`}</span>
                </a>
                {canEdit ? <DeleteButton ctx={ctx} endorsement={endorsement} /> : null}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every endorsement of a campaign: those waiting for review (suggestions among them) first, then the verified ones. */
export function EndorsementsAdminPage(props: { ctx: PageContext; campaign: Campaign; endorsements: readonly Endorsement[]; flash: string | undefined }) {
  const { ctx, campaign, endorsements, flash } = props;
  const { t } = ctx;
  const waiting = endorsements.filter((e) => e.status === 'unverified');
  const verified = endorsements.filter((e) => e.status === 'verified');
  return (
    <AdminLayout ctx={ctx} title={t('endorsementsAdmin.title')} flash={flash}>
      <BackToCampaign ctx={ctx} campaign={campaign} />
      <h1>{t('endorsementsAdmin.title')}</h1>
      <p>{t('endorsementsAdmin.intro')}</p>
      {canEditEndorsements(ctx) ? (
        <p>
          <a class="button primary" href={`/admin/campaigns/${campaign.id}/endorsements/new`}>
            {t('endorsementsAdmin.add')}
          </a>
        </p>
      ) : (
        <p class="notice">{t('endorsementsAdmin.readOnly')}</p>
      )}
      <section aria-labelledby="endorsements-waiting">
        <h2 id="endorsements-waiting">{t('endorsementsAdmin.waiting', { count: waiting.length })}</h2>
        <p class="hint">{t('endorsementsAdmin.waitingHint')}</p>
        {waiting.length === 0 ? <p>{t('endorsementsAdmin.noneWaiting')}</p> : <EndorsementRows ctx={ctx} endorsements={waiting} />}
      </section>
      <section aria-labelledby="endorsements-verified">
        <h2 id="endorsements-verified">{t('endorsementsAdmin.verified', { count: verified.length })}</h2>
        {verified.length === 0 ? <p>{t('endorsementsAdmin.noneVerified')}</p> : <EndorsementRows ctx={ctx} endorsements={verified} />}
        <p>
          <a href={`/c/${campaign.slug}/endorsements`}>{t('endorsementsAdmin.publicPage')}</a>
        </p>
      </section>
    </AdminLayout>
  );
}

/** Form values as the organiser last saw them: from the stored endorsement, or from their rejected submission. */
export function endorsementFormValues(endorsement: Endorsement): FormValues {
  return {
    name: endorsement.name,
    description: endorsement.description,
    quote: endorsement.quote,
    platform: endorsement.platform,
    url: endorsement.url,
    lang: endorsement.lang,
    date: endorsement.date ?? '',
    date_approximate: endorsement.dateApproximate ? '1' : '',
    status: endorsement.status,
    evidence_url: endorsement.evidenceUrl,
    evidence_note: endorsement.evidenceNote,
    featured: endorsement.featured ? '1' : '',
  };
}

export const ENDORSEMENT_FIELDS = [
  'name',
  'description',
  'quote',
  'platform',
  'url',
  'lang',
  'date',
  'date_approximate',
  'status',
  'evidence_url',
  'evidence_note',
  'featured',
] as const;

/** A group of radio buttons with a legend, its error tied to it as the campaign form's languages are. */
function RadioGroup(props: { ctx: PageContext; name: string; legend: string; options: [string, string][]; values: FormValues; errors: FieldErrors }) {
  const { ctx, name, legend, options, values, errors } = props;
  const chosen = valueOf(values, name);
  const error = errors[name];
  return (
    <fieldset class="field" aria-describedby={error ? `${name}-error` : undefined}>
      <legend id={name}>{legend}</legend>
      {error ? (
        <p class="error" id={`${name}-error`}>
          {ctx.t(error)}
        </p>
      ) : null}
      {options.map(([value, label]) => (
        <div class="checkbox">
          <input type="radio" id={`${name}-${value}`} name={name} value={value} checked={chosen === value} />
          <label for={`${name}-${value}`}>{label}</label>
        </div>
      ))}
    </fieldset>
  );
}

export function EndorsementFormPage(props: {
  ctx: PageContext;
  campaign: Campaign;
  endorsement: Endorsement | undefined;
  values: FormValues;
  errors: FieldErrors;
  flash?: string | undefined;
}) {
  const { ctx, campaign, endorsement, values, errors, flash } = props;
  const { t } = ctx;
  const canEdit = canEditEndorsements(ctx);
  const f = (key: string) => t(`endorsementsAdmin.fields.${key}`);
  const labels: Record<string, string> = {};
  for (const field of ENDORSEMENT_FIELDS) labels[field] = f(field);
  const title = !endorsement ? t('endorsementsAdmin.add') : canEdit ? t('endorsementsAdmin.editTitle') : t('endorsementsAdmin.viewTitle');
  const action = endorsement ? `/admin/endorsements/${endorsement.id}` : `/admin/campaigns/${campaign.id}/endorsements/new`;
  return (
    <AdminLayout ctx={ctx} title={title} flash={flash}>
      <p>
        <a href={`/admin/campaigns/${campaign.id}/endorsements`}>{t('endorsementsAdmin.backToList')}</a>
      </p>
      <h1>{title}</h1>
      {endorsement ? (
        <p class="subtitle">
          <span lang={endorsement.lang === ctx.locale ? undefined : endorsement.lang}>{endorsement.name}</span>
          {` — ${t(`endorsementsAdmin.status_${endorsement.status}`)}; ${t(`endorsementsAdmin.source_${endorsement.source}`)}`}
        </p>
      ) : null}
      {canEdit ? null : <p class="notice">{t('endorsementsAdmin.readOnly')}</p>}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={action} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <fieldset disabled={!canEdit}>
          <legend class="visually-hidden">{title}</legend>
          <TextField ctx={ctx} name="name" label={labels['name']!} errors={errors} values={values} required maxLength={LIMITS.name} autocomplete="off" />
          <TextField
            ctx={ctx}
            name="description"
            label={labels['description']!}
            hint={f('descriptionHint')}
            errors={errors}
            values={values}
            maxLength={LIMITS.description}
            autocomplete="off"
          />
          <TextArea ctx={ctx} name="quote" label={labels['quote']!} hint={f('quoteHint')} errors={errors} values={values} rows={5} maxLength={LIMITS.quote} />
          <RadioGroup ctx={ctx} name="lang" legend={labels['lang']!} options={LOCALES.map((l) => [l, t(`languages.${l}`)])} values={values} errors={errors} />
          <TextField
            ctx={ctx}
            name="platform"
            label={labels['platform']!}
            hint={f('platformHint')}
            errors={errors}
            values={values}
            maxLength={LIMITS.platform}
            autocomplete="off"
          />
          <TextField
            ctx={ctx}
            name="url"
            label={labels['url']!}
            hint={f('urlHint')}
            errors={errors}
            values={values}
            maxLength={LIMITS.url}
            autocomplete="off"
          />
          <TextField ctx={ctx} name="date" type="date" label={labels['date']!} hint={f('dateHint')} errors={errors} values={values} />
          <Checkbox name="date_approximate" label={labels['date_approximate']!} checked={valueOf(values, 'date_approximate') !== ''} />
          <fieldset>
            <legend>{t('endorsementsAdmin.verification')}</legend>
            <p class="hint">{t('endorsementsAdmin.verificationHint')}</p>
            <RadioGroup
              ctx={ctx}
              name="status"
              legend={labels['status']!}
              options={[
                ['unverified', t('endorsementsAdmin.status_unverified')],
                ['verified', t('endorsementsAdmin.status_verified')],
              ]}
              values={values}
              errors={errors}
            />
            <TextField
              ctx={ctx}
              name="evidence_url"
              label={labels['evidence_url']!}
              hint={f('evidenceUrlHint')}
              errors={errors}
              values={values}
              maxLength={LIMITS.url}
              autocomplete="off"
            />
            <TextArea
              ctx={ctx}
              name="evidence_note"
              label={labels['evidence_note']!}
              hint={f('evidenceNoteHint')}
              errors={errors}
              values={values}
              rows={3}
              maxLength={LIMITS.evidenceNote}
            />
          </fieldset>
          <Checkbox name="featured" label={labels['featured']!} checked={valueOf(values, 'featured') !== ''} />
          <button type="submit" class="primary">
            {t('endorsementsAdmin.save')}
          </button>
        </fieldset>
      </form>
      {endorsement && canEdit ? (
        <section aria-labelledby="endorsement-delete">
          <h2 id="endorsement-delete">{t(endorsement.status === 'verified' ? 'endorsementsAdmin.deleteHeading' : 'endorsementsAdmin.rejectHeading')}</h2>
          <p>{t('endorsementsAdmin.deleteExplain')}</p>
          <DeleteButton ctx={ctx} endorsement={endorsement} />
        </section>
      ) : null}
    </AdminLayout>
  );
}
