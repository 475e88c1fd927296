import type { ComponentChildren } from 'preact';
import type { PageContext } from '../../web/context.ts';
import type { FieldErrors } from '../../errors.ts';
import { CsrfField } from '../../web/layout.tsx';
import { Checkbox, ErrorSummary, TextArea, TextField, valueOf, type FormValues } from '../../web/fields.tsx';
import { LOCALES } from '../../web/i18n.ts';
import { AdminLayout, can } from '../admin/index.ts';
import { textFor, type Campaign } from './model.ts';

/** A part another feature adds to a campaign's admin page (see CampaignAdminSection). */
export interface AdminSection {
  jump?: ComponentChildren;
  body: ComponentChildren;
}

export function DashboardPage({
  ctx,
  campaigns,
  flash,
  notices = [],
}: {
  ctx: PageContext;
  campaigns: Campaign[];
  flash: string | undefined;
  notices?: ComponentChildren[];
}) {
  const { t, user } = ctx;
  const canEdit = user !== undefined && can(user.role, 'campaigns:edit');
  return (
    <AdminLayout ctx={ctx} title={t('admin.dashboard')} flash={flash}>
      <h1>{t('admin.dashboard')}</h1>
      {notices}
      {canEdit ? (
        <p>
          <a class="button primary" href="/admin/campaigns/new">
            {t('admin.newCampaign')}
          </a>
        </p>
      ) : (
        <p>{t('admin.readOnly')}</p>
      )}
      {campaigns.length === 0 ? (
        <p>{t('admin.noCampaigns')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('admin.fields.title')}</th>
              <th scope="col">{t('admin.status')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.map((campaign) => {
              const { text, locale } = textFor(campaign, ctx.locale);
              return (
                <tr>
                  <td>
                    <a href={`/admin/campaigns/${campaign.id}`} lang={locale === ctx.locale ? undefined : locale}>
                      {text.title}
                    </a>
                    <br />
                    <code>/c/{campaign.slug}</code>
                  </td>
                  <td>
                    <span class="status">{t(`admin.status_${campaign.status}`)}</span>
                    {campaign.featured ? ` · ${t('admin.featured')}` : ''}
                  </td>
                  <td>
                    <div class="actions">
                      <a class="button" href={campaign.status === 'draft' ? `/admin/campaigns/${campaign.id}/preview` : `/c/${campaign.slug}`}>
                        {t('admin.view')}
                        <span class="visually-hidden">{`: ${text.title}`}</span>
                      </a>
                      {canEdit ? <StatusButtons ctx={ctx} campaign={campaign} title={text.title} /> : null}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

function StatusButtons({ ctx, campaign, title }: { ctx: PageContext; campaign: Campaign; title: string }) {
  const { t } = ctx;
  const transitions: { status: string; label: string; className: string }[] = [];
  if (campaign.status !== 'published') transitions.push({ status: 'published', label: t('admin.publish'), className: 'primary' });
  if (campaign.status === 'published') transitions.push({ status: 'archived', label: t('admin.archive'), className: 'danger' });
  if (campaign.status === 'archived') transitions.push({ status: 'draft', label: t('admin.unarchive'), className: '' });
  return (
    <>
      {transitions.map((transition) => (
        <form method="post" action={`/admin/campaigns/${campaign.id}/status`}>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="status" value={transition.status} />
          <button type="submit" class={transition.className || undefined}>
            {transition.label}
            <span class="visually-hidden">{`: ${title}`}</span>
          </button>
        </form>
      ))}
    </>
  );
}

/** Form values as the organiser last saw them: from the stored campaign, or from their rejected submission. */
export function campaignFormValues(campaign: Campaign): FormValues {
  const values: FormValues = {
    slug: campaign.slug,
    hashtag: `#${campaign.hashtag}`,
    goal: String(campaign.goal),
    start_date: campaign.startDate,
    start_date_approximate: campaign.startDateApproximate ? '1' : undefined,
    locales: campaign.locales,
    featured: campaign.featured ? '1' : undefined,
  };
  for (const [locale, text] of Object.entries(campaign.texts)) {
    values[`title_${locale}`] = text.title;
    values[`summary_${locale}`] = text.summary;
    values[`story_${locale}`] = text.storyMd;
    values[`counter_label_${locale}`] = text.counterLabel;
  }
  return values;
}

function chosenLocales(values: FormValues): string[] {
  const raw = values['locales'];
  return typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v) => typeof v === 'string') : [];
}

export function CampaignFormPage({
  ctx,
  campaign,
  values,
  errors,
  flash,
  sections = [],
}: {
  ctx: PageContext;
  campaign: Campaign | undefined;
  values: FormValues;
  errors: FieldErrors;
  flash?: string | undefined;
  sections?: AdminSection[];
}) {
  const { t, user } = ctx;
  const canEdit = user !== undefined && can(user.role, 'campaigns:edit');
  const title = campaign ? t('admin.editCampaign') : t('admin.newCampaign');
  const f = (key: string) => t(`admin.fields.${key}`);
  const labels: Record<string, string> = {
    slug: f('slug'),
    hashtag: f('hashtag'),
    goal: f('goal'),
    start_date: f('startDate'),
    locales: f('locales'),
  };
  for (const locale of LOCALES) {
    const language = t(`languages.${locale}`);
    labels[`title_${locale}`] = `${f('title')} (${language})`;
    labels[`summary_${locale}`] = `${f('summary')} (${language})`;
    labels[`story_${locale}`] = `${f('story')} (${language})`;
    labels[`counter_label_${locale}`] = `${f('counterLabel')} (${language})`;
  }
  const locales = chosenLocales(values);
  const action = campaign ? `/admin/campaigns/${campaign.id}` : '/admin/campaigns';

  return (
    <AdminLayout ctx={ctx} title={title} flash={flash}>
      <h1>{title}</h1>
      {campaign ? (
        <p>
          <a href={campaign.status === 'draft' ? `/admin/campaigns/${campaign.id}/preview` : `/c/${campaign.slug}`}>{t('admin.view')}</a>
        </p>
      ) : null}
      {campaign ? sections.map((section) => section.jump) : null}
      {canEdit ? null : <p class="notice">{t('admin.readOnly')}</p>}
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={action} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <fieldset disabled={!canEdit}>
          <legend class="visually-hidden">{title}</legend>
          <TextField
            ctx={ctx}
            name="slug"
            label={labels['slug']!}
            hint={f('slugHint')}
            errors={errors}
            values={values}
            required
            maxLength={80}
            autocomplete="off"
          />
          <TextField
            ctx={ctx}
            name="hashtag"
            label={labels['hashtag']!}
            hint={f('hashtagHint')}
            errors={errors}
            values={values}
            required
            maxLength={101}
            autocomplete="off"
          />
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
          <TextField ctx={ctx} name="start_date" type="date" label={labels['start_date']!} hint={f('startDateHint')} errors={errors} values={values} required />
          <Checkbox name="start_date_approximate" label={f('startDateApproximate')} checked={valueOf(values, 'start_date_approximate') !== ''} />
          <fieldset class="field" aria-describedby={errors['locales'] ? 'locales-error' : undefined}>
            <legend id="locales">{labels['locales']}</legend>
            {errors['locales'] ? (
              <p class="error" id="locales-error">
                {t(errors['locales'])}
              </p>
            ) : null}
            {LOCALES.map((locale) => (
              <Checkbox name="locales" id={`locales-${locale}`} value={locale} label={t(`languages.${locale}`)} checked={locales.includes(locale)} />
            ))}
          </fieldset>
          <Checkbox name="featured" label={f('featured')} checked={valueOf(values, 'featured') !== ''} />
          {LOCALES.map((locale) => (
            <fieldset>
              <legend>{t('admin.fields.textsIn', { language: t(`languages.${locale}`) })}</legend>
              <TextField ctx={ctx} name={`title_${locale}`} label={labels[`title_${locale}`]!} errors={errors} values={values} maxLength={200} />
              <TextArea ctx={ctx} name={`summary_${locale}`} label={labels[`summary_${locale}`]!} errors={errors} values={values} rows={3} maxLength={500} />
              <TextArea
                ctx={ctx}
                name={`story_${locale}`}
                label={labels[`story_${locale}`]!}
                hint={f('storyHint')}
                errors={errors}
                values={values}
                rows={16}
                maxLength={50000}
              />
              <TextField
                ctx={ctx}
                name={`counter_label_${locale}`}
                label={labels[`counter_label_${locale}`]!}
                hint={f('counterLabelHint')}
                errors={errors}
                values={values}
                maxLength={100}
              />
            </fieldset>
          ))}
          <button type="submit" class="primary">
            {t('admin.save')}
          </button>
        </fieldset>
      </form>
      {campaign ? sections.map((section) => section.body) : null}
    </AdminLayout>
  );
}
