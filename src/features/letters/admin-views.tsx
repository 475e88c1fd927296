/** The organisers' pages: a campaign's letters, one letter with its form, its verification queue and signatories. */
import type { FieldErrors } from '../../errors.ts';
import type { PageContext } from '../../web/context.ts';
import { Checkbox, ErrorSummary, SelectField, TextArea, TextField, type FormValues, valueOf } from '../../web/fields.tsx';
import { formatNumber } from '../../web/i18n.ts';
import { CsrfField } from '../../web/layout.tsx';
import { AdminLayout } from '../admin/index.ts';
import { type Target, targetText } from '../accountability/index.ts';
import { type Campaign, textFor } from '../campaigns/index.ts';
import { readCheckboxGroup } from '../../web/form.ts';
import { LIMITS } from './forms.ts';
import { LETTER_STATES, type Letter, type Signatory } from './model.ts';
import { categoryOptions, letterPath } from './views.tsx';

export interface FormState {
  /** 'letter', 'signatory', or 'verify-{id}' for one signatory's verification. */
  form: string;
  values: FormValues;
  errors: FieldErrors;
}

function stateFor(state: FormState | undefined, form: string): { values: FormValues; errors: FieldErrors } {
  return state?.form === form ? state : { values: {}, errors: {} };
}

function letterLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx;
  return {
    title: t('letters.admin.letterTitle'),
    body: t('letters.admin.body'),
    lang: t('letters.admin.lang'),
    state: t('letters.admin.state'),
    dated_on: t('letters.admin.datedOn'),
    delivered_on: t('letters.admin.deliveredOn'),
    targets: t('letters.addressedTo'),
    reported_count: t('letters.admin.reportedCount'),
    reported_publisher: t('letters.admin.reportedPublisher'),
    reported_url: t('letters.admin.reportedUrl'),
    response_text: t('letters.admin.responseText'),
    response_url: t('letters.admin.responseUrl'),
  };
}

function signatoryLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx;
  return {
    name: t('letters.admin.signatoryName'),
    office: t('letters.admin.signatoryTitle'),
    affiliation: t('letters.admin.affiliation'),
    category: t('letters.admin.category'),
    signed_on: t('letters.admin.signedOn'),
    evidence_url: t('letters.admin.evidenceUrl'),
    evidence_note: t('letters.admin.evidenceNote'),
  };
}

export function letterFormValues(letter: Letter): FormValues {
  return {
    title: letter.title,
    body: letter.bodyMd,
    lang: letter.lang,
    state: letter.state,
    dated_on: letter.datedOn ?? '',
    date_approximate: letter.dateApproximate ? '1' : '',
    delivered_on: letter.deliveredOn ?? '',
    delivered_approximate: letter.deliveredApproximate ? '1' : '',
    targets: letter.targetIds.map(String),
    reported_count: letter.reported ? String(letter.reported.count) : '',
    reported_publisher: letter.reported?.publisher ?? '',
    reported_url: letter.reported?.url ?? '',
    response_text: letter.responseText,
    response_url: letter.responseUrl,
  };
}

function LetterFields({ ctx, values, errors, targets }: { ctx: PageContext; values: FormValues; errors: FieldErrors; targets: readonly Target[] }) {
  const { t, locale } = ctx;
  const labels = letterLabels(ctx);
  const chosen = new Set(readCheckboxGroup(values, 'targets'));
  return (
    <>
      <TextField ctx={ctx} name="title" label={labels['title']!} errors={errors} values={values} required maxLength={LIMITS.title} />
      <TextArea ctx={ctx} name="body" label={labels['body']!} hint={t('letters.admin.bodyHint')} errors={errors} values={values} rows={10} required />
      <TextField
        ctx={ctx}
        name="lang"
        label={labels['lang']!}
        hint={t('letters.admin.langHint')}
        errors={errors}
        values={{ lang: 'en', ...values }}
        required
        maxLength={20}
      />
      <SelectField
        ctx={ctx}
        name="state"
        label={labels['state']!}
        errors={errors}
        values={values}
        options={LETTER_STATES.map((state) => ({ value: state, label: t(`letters.state_${state}`) }))}
      />
      <fieldset aria-describedby={errors['targets'] ? 'targets-error' : undefined}>
        <legend id="targets">{labels['targets']}</legend>
        {errors['targets'] ? (
          <p class="error" id="targets-error">
            {t(errors['targets'])}
          </p>
        ) : null}
        {targets.length === 0 ? <p class="hint">{t('letters.admin.noTargets')}</p> : null}
        {targets.map((target) => (
          <Checkbox
            name="targets"
            id={`target-${target.id}`}
            value={String(target.id)}
            label={targetText(target, locale).name}
            checked={chosen.has(String(target.id))}
          />
        ))}
      </fieldset>
      <TextField ctx={ctx} name="dated_on" type="date" label={labels['dated_on']!} errors={errors} values={values} />
      <Checkbox name="date_approximate" label={t('letters.admin.approximate')} checked={valueOf(values, 'date_approximate') !== ''} />
      <TextField
        ctx={ctx}
        name="delivered_on"
        type="date"
        label={labels['delivered_on']!}
        hint={t('letters.admin.deliveredHint')}
        errors={errors}
        values={values}
      />
      <Checkbox name="delivered_approximate" label={t('letters.admin.deliveredApproximate')} checked={valueOf(values, 'delivered_approximate') !== ''} />
      <TextField
        ctx={ctx}
        name="reported_count"
        label={labels['reported_count']!}
        hint={t('letters.admin.reportedHint')}
        errors={errors}
        values={values}
        inputMode="numeric"
        maxLength={13}
      />
      <TextField ctx={ctx} name="reported_publisher" label={labels['reported_publisher']!} errors={errors} values={values} maxLength={LIMITS.publisher} />
      <TextField ctx={ctx} name="reported_url" label={labels['reported_url']!} errors={errors} values={values} maxLength={LIMITS.url} />
      <TextArea ctx={ctx} name="response_text" label={labels['response_text']!} errors={errors} values={values} rows={4} maxLength={LIMITS.response} />
      <TextField ctx={ctx} name="response_url" label={labels['response_url']!} errors={errors} values={values} maxLength={LIMITS.url} />
    </>
  );
}

export function LettersAdminPage({
  ctx,
  campaign,
  letters,
  counts,
  targets,
  state,
  flash,
}: {
  ctx: PageContext;
  campaign: Campaign;
  letters: readonly Letter[];
  counts: ReadonlyMap<number, { verified: number; waiting: number }>;
  targets: readonly Target[];
  state?: FormState | undefined;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const form = stateFor(state, 'letter');
  return (
    <AdminLayout ctx={ctx} title={t('letters.admin.title')} flash={flash}>
      <p>
        <a href={`/admin/campaigns/${campaign.id}`}>{textFor(campaign, locale).text.title}</a>
      </p>
      <h1>{t('letters.admin.title')}</h1>
      {letters.length === 0 ? (
        <p>{t('letters.admin.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('letters.admin.letterTitle')}</th>
              <th scope="col">{t('letters.admin.state')}</th>
              <th scope="col">{t('letters.admin.verified')}</th>
              <th scope="col">{t('letters.admin.queue')}</th>
            </tr>
          </thead>
          <tbody>
            {letters.map((letter) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/letters/${letter.id}`} lang={letter.lang}>
                    {letter.title}
                  </a>
                </th>
                <td>{t(`letters.state_${letter.state}`)}</td>
                <td>{formatNumber(locale, counts.get(letter.id)?.verified ?? 0)}</td>
                <td>{formatNumber(locale, counts.get(letter.id)?.waiting ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="new-letter">{t('letters.admin.addLetter')}</h2>
      <ErrorSummary ctx={ctx} errors={form.errors} labels={letterLabels(ctx)} />
      <form method="post" action={`/admin/campaigns/${campaign.id}/letters`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <LetterFields ctx={ctx} values={form.values} errors={form.errors} targets={targets} />
        <button type="submit" class="primary">
          {t('letters.admin.addLetter')}
        </button>
      </form>
    </AdminLayout>
  );
}

function SmallInput({
  id,
  name,
  label,
  value,
  error,
  ctx,
}: {
  id: string;
  name: string;
  label: string;
  value: string;
  error?: string | undefined;
  ctx: PageContext;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {error ? (
        <p class="error" id={`${id}-error`}>
          {ctx.t(error)}
        </p>
      ) : null}
      <input type="text" id={id} name={name} value={value} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} />
    </div>
  );
}

/** One signatory in the organisers' lists, with what may be done next. */
function SignatoryItem({ ctx, signatory, state }: { ctx: PageContext; signatory: Signatory; state: FormState | undefined }) {
  const { t } = ctx;
  const s = signatory;
  const verify = stateFor(state, `verify-${s.id}`);
  const who = [s.name, s.title, s.affiliation].filter(Boolean).join(', ');
  return (
    <li id={`signatory-${s.id}`}>
      <strong>{who}</strong>
      {` · ${t(`letters.categoryOne_${s.category}`)} · ${s.signedOn} · ${t(`letters.admin.source_${s.source}`)}`}
      {s.status === 'verified' ? <p class="hint">{`${t('letters.admin.evidence')} ${[s.evidence.url, s.evidence.note].filter(Boolean).join(' — ')}`}</p> : null}
      {s.status === 'unverified' || s.status === 'rejected' ? (
        <form method="post" action={`/admin/letter-signatories/${s.id}/verify`} class="stacked">
          <CsrfField ctx={ctx} />
          <SmallInput
            ctx={ctx}
            id={`evidence_url-${s.id}`}
            name="evidence_url"
            label={t('letters.admin.evidenceUrl')}
            value={valueOf(verify.values, 'evidence_url')}
            error={verify.errors['evidence_url']}
          />
          <SmallInput
            ctx={ctx}
            id={`evidence_note-${s.id}`}
            name="evidence_note"
            label={t('letters.admin.evidenceNote')}
            value={valueOf(verify.values, 'evidence_note')}
            error={verify.errors['evidence_note']}
          />
          <button type="submit">{t('letters.admin.verify', { name: s.name })}</button>
        </form>
      ) : null}
      {s.status !== 'rejected' ? (
        <form method="post" action={`/admin/letter-signatories/${s.id}/reject`} class="inline">
          <CsrfField ctx={ctx} />
          <button type="submit">{t('letters.admin.reject', { name: s.name })}</button>
        </form>
      ) : null}
    </li>
  );
}

function SignatoryList({
  ctx,
  heading,
  id,
  signatories,
  state,
}: {
  ctx: PageContext;
  heading: string;
  id: string;
  signatories: readonly Signatory[];
  state: FormState | undefined;
}) {
  const { t, locale } = ctx;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{`${heading} (${formatNumber(locale, signatories.length)})`}</h2>
      {signatories.length === 0 ? (
        <p>{t('letters.admin.nobody')}</p>
      ) : (
        <ul class="signatories">
          {signatories.map((s) => (
            <SignatoryItem ctx={ctx} signatory={s} state={state} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** A rejected verification: the summary links to the fields of that signatory's own form. */
function VerifyErrorSummary({ ctx, state }: { ctx: PageContext; state: FormState | undefined }) {
  const id = state?.form.startsWith('verify-') ? state.form.slice('verify-'.length) : undefined;
  if (!state || id === undefined) return null;
  const errors = Object.fromEntries(Object.entries(state.errors).map(([field, key]) => [`${field}-${id}`, key]));
  const labels = { [`evidence_url-${id}`]: ctx.t('letters.admin.evidenceUrl'), [`evidence_note-${id}`]: ctx.t('letters.admin.evidenceNote') };
  return <ErrorSummary ctx={ctx} errors={errors} labels={labels} />;
}

export function LetterAdminPage({
  ctx,
  campaign,
  letter,
  signatories,
  targets,
  state,
  flash,
}: {
  ctx: PageContext;
  campaign: Campaign;
  letter: Letter;
  signatories: readonly Signatory[];
  targets: readonly Target[];
  state?: FormState | undefined;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const form = state?.form === 'letter' ? state : { values: letterFormValues(letter), errors: {} };
  const added = stateFor(state, 'signatory');
  const signatoryFieldLabels = signatoryLabels(ctx);
  const byStatus = (status: Signatory['status']) => signatories.filter((s) => s.status === status);
  return (
    <AdminLayout ctx={ctx} title={letter.title} flash={flash}>
      <p>
        <a href={`/admin/campaigns/${campaign.id}/letters`}>{`${textFor(campaign, locale).text.title} · ${t('letters.admin.title')}`}</a>
      </p>
      <h1 lang={letter.lang}>{letter.title}</h1>
      {letter.state === 'draft' ? null : (
        <p>
          <a href={letterPath(campaign.slug, letter.id)}>{t('letters.admin.publicPage')}</a>
        </p>
      )}
      <VerifyErrorSummary ctx={ctx} state={state} />
      <SignatoryList ctx={ctx} heading={t('letters.admin.queue')} id="queue-heading" signatories={byStatus('unverified')} state={state} />
      <SignatoryList ctx={ctx} heading={t('letters.admin.verified')} id="verified-heading" signatories={byStatus('verified')} state={state} />
      <p>{t('letters.admin.pendingCount', { count: byStatus('pending').length, formatted: formatNumber(locale, byStatus('pending').length) })}</p>
      <SignatoryList ctx={ctx} heading={t('letters.admin.rejected')} id="rejected-heading" signatories={byStatus('rejected')} state={state} />

      <h2 id="add-signatory">{t('letters.admin.addSignatory')}</h2>
      <p class="hint">{t('letters.admin.evidenceHint')}</p>
      <ErrorSummary ctx={ctx} errors={added.errors} labels={signatoryFieldLabels} />
      <form method="post" action={`/admin/letters/${letter.id}/signatories`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <TextField ctx={ctx} name="name" label={signatoryFieldLabels['name']!} errors={added.errors} values={added.values} required maxLength={LIMITS.name} />
        <TextField ctx={ctx} name="office" label={signatoryFieldLabels['office']!} errors={added.errors} values={added.values} maxLength={LIMITS.office} />
        <TextField
          ctx={ctx}
          name="affiliation"
          label={signatoryFieldLabels['affiliation']!}
          errors={added.errors}
          values={added.values}
          maxLength={LIMITS.affiliation}
        />
        <SelectField
          ctx={ctx}
          name="category"
          label={signatoryFieldLabels['category']!}
          errors={added.errors}
          values={added.values}
          options={categoryOptions(ctx)}
        />
        <TextField ctx={ctx} name="signed_on" type="date" label={signatoryFieldLabels['signed_on']!} errors={added.errors} values={added.values} required />
        <Checkbox name="verified" label={t('letters.admin.verifiedBox')} checked={valueOf(added.values, 'verified') !== ''} />
        <TextField
          ctx={ctx}
          name="evidence_url"
          label={signatoryFieldLabels['evidence_url']!}
          errors={added.errors}
          values={added.values}
          maxLength={LIMITS.url}
        />
        <TextArea ctx={ctx} name="evidence_note" label={signatoryFieldLabels['evidence_note']!} errors={added.errors} values={added.values} rows={3} />
        <button type="submit" class="primary">
          {t('letters.admin.addSignatory')}
        </button>
      </form>

      <h2 id="edit-letter">{t('letters.admin.editLetter')}</h2>
      <ErrorSummary ctx={ctx} errors={form.errors} labels={letterLabels(ctx)} />
      <form method="post" action={`/admin/letters/${letter.id}`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        <LetterFields ctx={ctx} values={form.values} errors={form.errors} targets={targets} />
        <button type="submit" class="primary">
          {t('letters.admin.save')}
        </button>
      </form>
    </AdminLayout>
  );
}
