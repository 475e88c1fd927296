import type { PageContext } from '../../web/context.ts';
import type { FieldErrors } from '../../errors.ts';
import { CsrfField } from '../../web/layout.tsx';
import { ErrorSummary, TextArea, TextField, type FormValues } from '../../web/fields.tsx';
import { formatNumber, LOCALES } from '../../web/i18n.ts';
import { AdminLayout, can } from '../admin/index.ts';
import { textFor, type Campaign } from '../campaigns/index.ts';
import type { PetitionSummary } from './admin-service.ts';
import { petitionTextFor, type Petition } from './model.ts';

function canEditPetitions(ctx: PageContext): boolean {
  return ctx.user !== undefined && can(ctx.user.role, 'campaigns:edit');
}

function canModerate(ctx: PageContext): boolean {
  return ctx.user !== undefined && can(ctx.user.role, 'signatures:moderate');
}

/** The petitions of a campaign, listed on its edit page. */
export function CampaignPetitions({ ctx, campaign, summaries }: { ctx: PageContext; campaign: Campaign; summaries: PetitionSummary[] }) {
  const { t, locale } = ctx;
  return (
    <section class="admin-petitions" id="petitions" aria-labelledby="petitions-heading">
      <h2 id="petitions-heading">{t('petitionsAdmin.heading')}</h2>
      {canEditPetitions(ctx) ? (
        <p>
          <a class="button primary" href={`/admin/campaigns/${campaign.id}/petitions/new`}>
            {t('petitionsAdmin.newPetition')}
          </a>
        </p>
      ) : null}
      {summaries.length === 0 ? (
        <p>{t('petitionsAdmin.none')}</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('petitionsAdmin.title')}</th>
                <th scope="col">{t('petitionsAdmin.status')}</th>
                <th scope="col" class="number">
                  {t('petitionsAdmin.confirmed')}
                </th>
                <th scope="col" class="number">
                  {t('petitionsAdmin.suspects')}
                </th>
                <th scope="col">{t('petitionsAdmin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {summaries.map(({ petition, confirmed, suspects }) => {
                const { text, locale: textLocale } = petitionTextFor(petition, locale, campaign.locales);
                return (
                  <tr>
                    <td>
                      <a href={`/admin/petitions/${petition.id}`} lang={textLocale === locale ? undefined : textLocale}>
                        {text.title}
                      </a>
                    </td>
                    <td>
                      <span class="status">{t(`petitionsAdmin.status_${petition.status}`)}</span>
                    </td>
                    <td class="number">{formatNumber(locale, confirmed)}</td>
                    <td class="number">{formatNumber(locale, suspects)}</td>
                    <td>
                      <div class="actions">
                        <a class="button" href={`/admin/petitions/${petition.id}`}>
                          {t(canEditPetitions(ctx) ? 'petitionsAdmin.edit' : 'petitionsAdmin.open')}
                          <span class="visually-hidden">{`: ${text.title}`}</span>
                        </a>
                        {canModerate(ctx) ? (
                          <a class="button" href={`/admin/petitions/${petition.id}/suspects`}>
                            {t('petitionsAdmin.reviewSuspects')}
                            <span class="visually-hidden">{`: ${text.title}`}</span>
                          </a>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p class="hint">{t('petitionsAdmin.countNote')}</p>
        </>
      )}
    </section>
  );
}

/** Form values as the organiser last saw them: from the stored petition, or from their rejected submission. */
export function petitionFormValues(petition: Petition): FormValues {
  const values: FormValues = { goal: String(petition.goal), milestones: petition.milestones.join(', ') };
  for (const [locale, text] of Object.entries(petition.texts)) {
    values[`title_${locale}`] = text.title;
    values[`target_${locale}`] = text.target;
    values[`body_${locale}`] = text.bodyMd;
  }
  return values;
}

function BackToCampaign({ ctx, campaign }: { ctx: PageContext; campaign: Campaign }) {
  const { text } = textFor(campaign, ctx.locale);
  return (
    <p>
      <a href={`/admin/campaigns/${campaign.id}#petitions`}>{ctx.t('petitionsAdmin.backToCampaign', { title: text.title })}</a>
    </p>
  );
}

export function PetitionFormPage(props: {
  ctx: PageContext;
  campaign: Campaign;
  petition: PetitionSummary | undefined;
  values: FormValues;
  errors: FieldErrors;
  flash?: string | undefined;
}) {
  const { ctx, campaign, petition, values, errors, flash } = props;
  const { t, locale } = ctx;
  const canEdit = canEditPetitions(ctx);
  const title = petition ? (canEdit ? t('petitionsAdmin.editPetition') : t('petitionsAdmin.viewPetition')) : t('petitionsAdmin.newPetition');
  const f = (key: string) => t(`petitionsAdmin.fields.${key}`);
  const labels: Record<string, string> = {
    goal: f('goal'),
    milestones: f('milestones'),
    confirm_close: t('petitionsAdmin.closeConfirm'),
    confirm_reopen: t('petitionsAdmin.reopenConfirm'),
  };
  for (const l of LOCALES) {
    const language = t(`languages.${l}`);
    labels[`title_${l}`] = `${f('title')} (${language})`;
    labels[`target_${l}`] = `${f('target')} (${language})`;
    labels[`body_${l}`] = `${f('body')} (${language})`;
  }
  const action = petition ? `/admin/petitions/${petition.petition.id}` : `/admin/campaigns/${campaign.id}/petitions/new`;
  const shown = petition ? petitionTextFor(petition.petition, locale, campaign.locales) : undefined;

  return (
    <AdminLayout ctx={ctx} title={title} flash={flash}>
      <BackToCampaign ctx={ctx} campaign={campaign} />
      <h1>{title}</h1>
      {petition && shown ? (
        <>
          <p class="subtitle" lang={shown.locale === locale ? undefined : shown.locale}>
            {shown.text.title}
          </p>
          <dl class="facts">
            <div>
              <dt>{t('petitionsAdmin.status')}</dt>
              <dd class="status">{t(`petitionsAdmin.status_${petition.petition.status}`)}</dd>
            </div>
            <div>
              <dt>{t('petitionsAdmin.confirmed')}</dt>
              <dd>{formatNumber(locale, petition.confirmed)}</dd>
            </div>
            <div>
              <dt>{t('petitionsAdmin.suspects')}</dt>
              <dd>
                {formatNumber(locale, petition.suspects)}
                {canModerate(ctx) ? (
                  <>
                    {' · '}
                    <a href={`/admin/petitions/${petition.petition.id}/suspects`}>{t('petitionsAdmin.reviewSuspects')}</a>
                  </>
                ) : null}
              </dd>
            </div>
          </dl>
          <p>
            <a href={campaign.status === 'draft' ? `/admin/campaigns/${campaign.id}/preview` : `/c/${campaign.slug}`}>{t('admin.view')}</a>
          </p>
        </>
      ) : null}
      {canEdit ? null : <p class="notice">{t('petitionsAdmin.readOnly')}</p>}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={action} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <fieldset disabled={!canEdit}>
          <legend class="visually-hidden">{title}</legend>
          <TextField
            ctx={ctx}
            name="goal"
            label={labels['goal']!}
            errors={errors}
            values={values}
            required
            inputMode="numeric"
            maxLength={13}
            autocomplete="off"
          />
          <TextField
            ctx={ctx}
            name="milestones"
            label={labels['milestones']!}
            hint={f('milestonesHint')}
            errors={errors}
            values={values}
            maxLength={600}
            autocomplete="off"
          />
          {LOCALES.map((l) => {
            const required = campaign.locales.includes(l);
            return (
              <fieldset>
                <legend>{t('petitionsAdmin.fields.textsIn', { language: t(`languages.${l}`) })}</legend>
                <p class="hint">{f(required ? 'textsHintRequired' : 'textsHintOptional')}</p>
                <TextField ctx={ctx} name={`title_${l}`} label={labels[`title_${l}`]!} errors={errors} values={values} required={required} maxLength={200} />
                <TextField
                  ctx={ctx}
                  name={`target_${l}`}
                  label={labels[`target_${l}`]!}
                  hint={f('targetHint')}
                  errors={errors}
                  values={values}
                  required={required}
                  maxLength={200}
                />
                <TextArea
                  ctx={ctx}
                  name={`body_${l}`}
                  label={labels[`body_${l}`]!}
                  hint={f('bodyHint')}
                  errors={errors}
                  values={values}
                  required={required}
                  rows={12}
                  maxLength={50000}
                />
              </fieldset>
            );
          })}
          <button type="submit" class="primary">
            {t('petitionsAdmin.save')}
          </button>
        </fieldset>
      </form>
      {petition ? <StatusSection ctx={ctx} petition={petition.petition} errors={errors} /> : null}
    </AdminLayout>
  );
}

function StatusSection({ ctx, petition, errors }: { ctx: PageContext; petition: Petition; errors: FieldErrors }) {
  const { t } = ctx;
  const open = petition.status === 'open';
  const error = errors['confirm_close'];
  const reopenError = errors['confirm_reopen'];
  return (
    <section aria-labelledby="petition-status">
      <h2 id="petition-status">{t('petitionsAdmin.statusHeading')}</h2>
      <p>{t(open ? 'petitionsAdmin.isOpen' : 'petitionsAdmin.isClosed')}</p>
      {!canEditPetitions(ctx) ? null : open ? (
        <form method="post" action={`/admin/petitions/${petition.id}/status`} class="stacked">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="status" value="closed" />
          <p id="close-explain">{t('petitionsAdmin.closeExplain')}</p>
          <div class="field">
            {error ? (
              <p class="error" id="confirm_close-error">
                {t(error)}
              </p>
            ) : null}
            <div class="checkbox">
              <input
                type="checkbox"
                id="confirm_close"
                name="confirm"
                value="1"
                aria-describedby={error ? 'close-explain confirm_close-error' : 'close-explain'}
                aria-invalid={error ? 'true' : undefined}
              />
              <label for="confirm_close">{t('petitionsAdmin.closeConfirm')}</label>
            </div>
          </div>
          <button type="submit" class="danger">
            {t('petitionsAdmin.close')}
          </button>
        </form>
      ) : (
        <form method="post" action={`/admin/petitions/${petition.id}/status`} class="stacked">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="status" value="open" />
          <p>{t('petitionsAdmin.reopenExplain')}</p>
          <p id="reopen-explain">
            <strong>{t('petitionsAdmin.reopenDuplicates')}</strong>
          </p>
          <div class="field">
            {reopenError ? (
              <p class="error" id="confirm_reopen-error">
                {t(reopenError)}
              </p>
            ) : null}
            <div class="checkbox">
              <input
                type="checkbox"
                id="confirm_reopen"
                name="confirm"
                value="1"
                aria-describedby={reopenError ? 'reopen-explain confirm_reopen-error' : 'reopen-explain'}
                aria-invalid={reopenError ? 'true' : undefined}
              />
              <label for="confirm_reopen">{t('petitionsAdmin.reopenConfirm')}</label>
            </div>
          </div>
          <button type="submit">{t('petitionsAdmin.reopen')}</button>
        </form>
      )}
    </section>
  );
}
