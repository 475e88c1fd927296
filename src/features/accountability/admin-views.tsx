import type { FieldErrors } from '../../errors.ts';
import type { PageContext } from '../../web/context.ts';
import { countryOptions } from '../../web/countries.ts';
import { Checkbox, ErrorSummary, SelectField, TextArea, TextField, type FormValues } from '../../web/fields.tsx';
import { formatDate, LOCALES } from '../../web/i18n.ts';
import { CsrfField } from '../../web/layout.tsx';
import { AdminLayout } from '../admin/index.ts';
import type { Campaign } from '../campaigns/index.ts';
import { textFor } from '../campaigns/index.ts';
import { MAX_SOURCES } from './forms.ts';
import { type Ask, CHANNELS, type Statement, STANCES, type Target, TARGET_KINDS, targetText } from './model.ts';
import type { MilestoneAsk } from './milestone-asks.ts';
import type { ScoreboardEntry } from './scoreboard.ts';
import { SilenceText, StanceText } from './views.tsx';

export type FormName = 'target' | 'ask' | 'statement' | 'promise' | 'picture';
export interface FormState {
  form: FormName;
  values: FormValues;
  errors: FieldErrors;
}

function stateFor(state: FormState | undefined, form: FormName): { values: FormValues; errors: FieldErrors } {
  return state?.form === form ? state : { values: {}, errors: {} };
}

function fieldLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx;
  const labels: Record<string, string> = {
    kind: t('accountability.admin.kind'),
    country: t('accountability.admin.country'),
    links: t('accountability.admin.links'),
    asked_on: t('accountability.admin.askedOn'),
    channel: t('accountability.admin.channel'),
    summary: t('accountability.admin.summary'),
    summary_lang: t('accountability.admin.lang'),
    quote_lang: t('accountability.admin.lang'),
    stated_on: t('accountability.admin.statedOn'),
    stance: t('accountability.stance'),
    quote: t('accountability.admin.quote'),
  };
  for (const locale of LOCALES) {
    labels[`name_${locale}`] = `${t('accountability.admin.name')} (${t(`languages.${locale}`)})`;
    labels[`office_${locale}`] = `${t('accountability.admin.office')} (${t(`languages.${locale}`)})`;
  }
  for (let i = 1; i <= MAX_SOURCES; i += 1) {
    labels[`source_publisher_${i}`] = t('accountability.admin.sourcePublisher', { n: i });
    labels[`source_url_${i}`] = t('accountability.admin.sourceUrl', { n: i });
    labels[`source_date_${i}`] = t('accountability.admin.sourceDate', { n: i });
  }
  return labels;
}

export function targetFormValues(target: Target): FormValues {
  const values: Record<string, string> = { kind: target.kind, country: target.country ?? '', links: target.links.join('\n') };
  for (const [locale, text] of Object.entries(target.texts)) {
    values[`name_${locale}`] = text.name;
    values[`office_${locale}`] = text.office;
  }
  return values;
}

function TargetFields({ ctx, values, errors }: { ctx: PageContext; values: FormValues; errors: FieldErrors }) {
  const { t, locale } = ctx;
  const labels = fieldLabels(ctx);
  return (
    <>
      {LOCALES.map((l) => (
        <>
          <TextField ctx={ctx} name={`name_${l}`} label={labels[`name_${l}`]!} errors={errors} values={values} maxLength={200} />
          <TextField ctx={ctx} name={`office_${l}`} label={labels[`office_${l}`]!} errors={errors} values={values} maxLength={200} />
        </>
      ))}
      <SelectField
        ctx={ctx}
        name="kind"
        label={labels['kind']!}
        errors={errors}
        values={values}
        options={TARGET_KINDS.map((kind) => ({ value: kind, label: t(`accountability.kind_${kind}`) }))}
      />
      <SelectField
        ctx={ctx}
        name="country"
        label={labels['country']!}
        errors={errors}
        values={values}
        options={[{ value: '', label: t('accountability.admin.noCountry') }, ...countryOptions(locale).map((c) => ({ value: c.code, label: c.name }))]}
      />
      <TextArea ctx={ctx} name="links" label={labels['links']!} hint={t('accountability.admin.linksHint')} errors={errors} values={values} rows={3} />
    </>
  );
}

export function TargetsPage({
  ctx,
  campaign,
  entries,
  state,
  flash,
}: {
  ctx: PageContext;
  campaign: Campaign;
  entries: readonly ScoreboardEntry[];
  state?: FormState | undefined;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const target = stateFor(state, 'target');
  return (
    <AdminLayout ctx={ctx} title={t('accountability.admin.title')} flash={flash}>
      <p>
        <a href={`/admin/campaigns/${campaign.id}`}>{textFor(campaign, locale).text.title}</a>
      </p>
      <h1>{t('accountability.admin.title')}</h1>
      {entries.length === 0 ? (
        <p>{t('accountability.noTargets')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('accountability.target')}</th>
              <th scope="col">{t('accountability.stance')}</th>
              <th scope="col">{t('accountability.silence')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/accountability/targets/${entry.target.id}`}>{targetText(entry.target, locale).name}</a>
                </th>
                <td>
                  <StanceText ctx={ctx} standing={entry.standing} />
                </td>
                <td>
                  <SilenceText ctx={ctx} standing={entry.standing} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a href={`/c/${campaign.slug}/accountability`}>{t('accountability.admin.publicPage')}</a>
      </p>
      <h2 id="new-target">{t('accountability.admin.addTarget')}</h2>
      <ErrorSummary ctx={ctx} errors={target.errors} labels={fieldLabels(ctx)} />
      <form method="post" action={`/admin/campaigns/${campaign.id}/accountability/targets`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <TargetFields ctx={ctx} values={target.values} errors={target.errors} />
        <button type="submit" class="primary">
          {t('accountability.admin.addTarget')}
        </button>
      </form>
    </AdminLayout>
  );
}

function DeleteButton({ ctx, action, label }: { ctx: PageContext; action: string; label: string }) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField ctx={ctx} />
      <button type="submit">{label}</button>
    </form>
  );
}

function AskRow({ ctx, ask }: { ctx: PageContext; ask: Ask }) {
  const { t, locale } = ctx;
  return (
    <li>
      <time dateTime={ask.askedOn}>{`${ask.dateApproximate ? '≈ ' : ''}${formatDate(locale, ask.askedOn)}`}</time>
      {` · ${t(`accountability.channel_${ask.channel}`)} · `}
      <span lang={ask.lang}>{ask.summary}</span>{' '}
      <DeleteButton ctx={ctx} action={`/admin/accountability/asks/${ask.id}/delete`} label={t('accountability.admin.deleteAsk', { date: ask.askedOn })} />
    </li>
  );
}

function StatementRow({ ctx, statement }: { ctx: PageContext; statement: Statement }) {
  const { t, locale } = ctx;
  return (
    <li>
      <time dateTime={statement.statedOn}>{`${statement.dateApproximate ? '≈ ' : ''}${formatDate(locale, statement.statedOn)}`}</time>
      {` · ${t(`accountability.stance_${statement.stance}`)} · ${statement.answersAsk ? t('accountability.answers') : t('accountability.doesNotAnswer')} · `}
      {statement.verbatim ? <q lang={statement.lang}>{statement.quote}</q> : <span lang={statement.lang}>{statement.quote}</span>}{' '}
      <DeleteButton
        ctx={ctx}
        action={`/admin/accountability/statements/${statement.id}/delete`}
        label={t('accountability.admin.deleteStatement', { date: statement.statedOn })}
      />
    </li>
  );
}

/** The target's picture: shown if there is one, replaced or removed; its metadata is removed on upload. */
function TargetPicture({ ctx, target, url, errors }: { ctx: PageContext; target: Target; url: string | undefined; errors: FieldErrors }) {
  const { t } = ctx;
  return (
    <>
      <h2>{t('accountability.admin.picture')}</h2>
      {url ? <img class="portrait" src={url} alt={t('accountability.admin.currentPicture')} width={96} height={96} /> : null}
      <ErrorSummary ctx={ctx} errors={errors} labels={{ picture: t('accountability.admin.pictureFile') }} />
      <form method="post" action={`/admin/accountability/targets/${target.id}/picture`} enctype="multipart/form-data" class="stacked">
        <CsrfField ctx={ctx} />
        <div class="field">
          <label for="picture">{t('accountability.admin.pictureFile')}</label>
          <p class="hint" id="picture-hint">
            {t('accountability.admin.pictureHint')}
          </p>
          {errors['picture'] ? (
            <p class="error" id="picture-error">
              {t(errors['picture'])}
            </p>
          ) : null}
          <input
            type="file"
            id="picture"
            name="picture"
            accept="image/jpeg,image/png,image/webp"
            required
            aria-describedby={errors['picture'] ? 'picture-hint picture-error' : 'picture-hint'}
          />
        </div>
        <button type="submit">{t('accountability.admin.uploadPicture')}</button>
      </form>
      {url ? (
        <DeleteButton ctx={ctx} action={`/admin/accountability/targets/${target.id}/picture/delete`} label={t('accountability.admin.removePicture')} />
      ) : null}
    </>
  );
}

export interface MilestoneOption {
  value: string;
  label: string;
}

/** Deliveries promised for petition milestones: waiting, or the ask they recorded. */
function MilestonePromises({
  ctx,
  target,
  promises,
  options,
  state,
}: {
  ctx: PageContext;
  target: Target;
  promises: readonly MilestoneAsk[];
  options: readonly MilestoneOption[];
  state: { values: FormValues; errors: FieldErrors };
}) {
  const { t, locale } = ctx;
  const labelOf = (p: MilestoneAsk) => options.find((o) => o.value === `${p.petitionId}:${p.milestone}`)?.label ?? `#${p.petitionId} · ${p.milestone}`;
  const labels = {
    petition_milestone: t('accountability.admin.promiseMilestone'),
    promise_summary: t('accountability.admin.promiseSummary'),
    promise_lang: t('accountability.admin.lang'),
  };
  return (
    <>
      <h2>{t('accountability.admin.promises')}</h2>
      <p>{t('accountability.admin.promisesIntro')}</p>
      {promises.length > 0 ? (
        <ul>
          {promises.map((p) => (
            <li>
              {`${labelOf(p)} · `}
              {p.recordedAt ? t('accountability.admin.promiseDone', { date: formatDate(locale, p.recordedAt) }) : t('accountability.admin.promiseWaiting')}{' '}
              <DeleteButton
                ctx={ctx}
                action={`/admin/accountability/milestone-asks/${p.id}/delete`}
                label={t('accountability.admin.deletePromise', { milestone: labelOf(p) })}
              />
            </li>
          ))}
        </ul>
      ) : null}
      {options.length === 0 ? (
        <p>{t('accountability.admin.noMilestones')}</p>
      ) : (
        <>
          <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
          <form method="post" action={`/admin/accountability/targets/${target.id}/milestone-asks`} class="stacked" novalidate>
            <CsrfField ctx={ctx} />
            <SelectField ctx={ctx} name="petition_milestone" label={labels.petition_milestone} errors={state.errors} values={state.values} options={options} />
            <TextArea
              ctx={ctx}
              name="promise_summary"
              label={labels.promise_summary}
              required
              errors={state.errors}
              values={state.values}
              rows={2}
              maxLength={2000}
            />
            <TextField
              ctx={ctx}
              name="promise_lang"
              label={labels.promise_lang}
              hint={t('accountability.admin.langHint')}
              errors={state.errors}
              values={{ promise_lang: locale, ...state.values }}
              maxLength={20}
            />
            <button type="submit">{t('accountability.admin.addPromise')}</button>
          </form>
        </>
      )}
    </>
  );
}

export function TargetPage({
  ctx,
  campaign,
  entry,
  promises,
  milestoneOptions,
  state,
  flash,
}: {
  ctx: PageContext;
  campaign: Campaign;
  entry: ScoreboardEntry;
  promises: readonly MilestoneAsk[];
  milestoneOptions: readonly MilestoneOption[];
  state?: FormState | undefined;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const { target } = entry;
  const labels = fieldLabels(ctx);
  const targetState = state?.form === 'target' ? state : { values: targetFormValues(target), errors: {} };
  const ask = stateFor(state, 'ask');
  const statement = stateFor(state, 'statement');
  const langValues = (name: string, values: FormValues) => ({ [name]: campaign.locales[0] ?? 'en', ...values });
  const name = targetText(target, locale).name;
  return (
    <AdminLayout ctx={ctx} title={name} flash={flash}>
      <p>
        <a href={`/admin/campaigns/${campaign.id}/accountability`}>{t('accountability.admin.title')}</a>
      </p>
      <h1>{name}</h1>
      <p>
        <StanceText ctx={ctx} standing={entry.standing} /> · <SilenceText ctx={ctx} standing={entry.standing} />
      </p>

      <h2>{t('accountability.admin.asks')}</h2>
      {entry.asks.length > 0 ? (
        <ul>
          {entry.asks.map((a) => (
            <AskRow ctx={ctx} ask={a} />
          ))}
        </ul>
      ) : (
        <p>{t('accountability.nothingYet')}</p>
      )}
      <h3 id="new-ask">{t('accountability.admin.addAsk')}</h3>
      <ErrorSummary ctx={ctx} errors={ask.errors} labels={labels} />
      <form method="post" action={`/admin/accountability/targets/${target.id}/asks`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <TextField ctx={ctx} name="asked_on" type="date" label={labels['asked_on']!} required errors={ask.errors} values={ask.values} />
        <Checkbox
          name="date_approximate"
          id="ask_date_approximate"
          label={t('accountability.admin.approximate')}
          checked={ask.values['date_approximate'] !== undefined}
        />
        <SelectField
          ctx={ctx}
          name="channel"
          label={labels['channel']!}
          errors={ask.errors}
          values={ask.values}
          options={CHANNELS.map((c) => ({ value: c, label: t(`accountability.channel_${c}`) }))}
        />
        <TextArea ctx={ctx} name="summary" label={labels['summary']!} required errors={ask.errors} values={ask.values} rows={3} maxLength={2000} />
        <TextField
          ctx={ctx}
          name="summary_lang"
          label={labels['summary_lang']!}
          hint={t('accountability.admin.langHint')}
          errors={ask.errors}
          values={langValues('summary_lang', ask.values)}
          maxLength={20}
        />
        <button type="submit">{t('accountability.admin.addAsk')}</button>
      </form>

      <h2>{t('accountability.admin.statements')}</h2>
      {entry.statements.length > 0 ? (
        <ul>
          {entry.statements.map((s) => (
            <StatementRow ctx={ctx} statement={s} />
          ))}
        </ul>
      ) : (
        <p>{t('accountability.nothingYet')}</p>
      )}
      <h3 id="new-statement">{t('accountability.admin.addStatement')}</h3>
      <ErrorSummary ctx={ctx} errors={statement.errors} labels={labels} />
      <form method="post" action={`/admin/accountability/targets/${target.id}/statements`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <TextField ctx={ctx} name="stated_on" type="date" label={labels['stated_on']!} required errors={statement.errors} values={statement.values} />
        <Checkbox
          name="date_approximate"
          id="statement_date_approximate"
          label={t('accountability.admin.approximate')}
          checked={statement.values['date_approximate'] !== undefined}
        />
        <SelectField
          ctx={ctx}
          name="stance"
          label={labels['stance']!}
          errors={statement.errors}
          values={statement.values}
          options={STANCES.map((s) => ({ value: s, label: t(`accountability.stance_${s}`) }))}
        />
        <Checkbox name="answers_ask" label={t('accountability.admin.answersAsk')} checked={statement.values['answers_ask'] !== undefined} />
        <TextArea ctx={ctx} name="quote" label={labels['quote']!} required errors={statement.errors} values={statement.values} rows={4} maxLength={4000} />
        <Checkbox name="verbatim" label={t('accountability.admin.verbatim')} checked={statement.values['verbatim'] !== undefined} />
        <TextField
          ctx={ctx}
          name="quote_lang"
          label={labels['quote_lang']!}
          hint={t('accountability.admin.langHint')}
          errors={statement.errors}
          values={langValues('quote_lang', statement.values)}
          maxLength={20}
        />
        {Array.from({ length: MAX_SOURCES }, (_, i) => i + 1).map((n) => (
          <fieldset>
            <legend>{t('accountability.admin.source', { n })}</legend>
            <TextField
              ctx={ctx}
              name={`source_publisher_${n}`}
              label={labels[`source_publisher_${n}`]!}
              errors={statement.errors}
              values={statement.values}
              maxLength={200}
            />
            <TextField
              ctx={ctx}
              name={`source_url_${n}`}
              label={labels[`source_url_${n}`]!}
              errors={statement.errors}
              values={statement.values}
              maxLength={500}
            />
            <TextField
              ctx={ctx}
              name={`source_date_${n}`}
              type="date"
              label={labels[`source_date_${n}`]!}
              errors={statement.errors}
              values={statement.values}
            />
          </fieldset>
        ))}
        <button type="submit">{t('accountability.admin.addStatement')}</button>
      </form>

      <TargetPicture ctx={ctx} target={target} url={entry.pictureUrl} errors={stateFor(state, 'picture').errors} />

      <MilestonePromises ctx={ctx} target={target} promises={promises} options={milestoneOptions} state={stateFor(state, 'promise')} />

      <h2>{t('accountability.admin.editTarget')}</h2>
      <ErrorSummary ctx={ctx} errors={targetState.errors} labels={labels} />
      <form method="post" action={`/admin/accountability/targets/${target.id}`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <TargetFields ctx={ctx} values={targetState.values} errors={targetState.errors} />
        <button type="submit" class="primary">
          {t('admin.save')}
        </button>
      </form>
      <h2>{t('accountability.admin.deleteTarget')}</h2>
      <p>{t('accountability.admin.deleteTargetWarning')}</p>
      <DeleteButton ctx={ctx} action={`/admin/accountability/targets/${target.id}/delete`} label={t('accountability.admin.deleteTargetButton', { name })} />
    </AdminLayout>
  );
}
