/**
 * Organisers' pages for a campaign's evidence: the lists, the forms to add and change facts, sources and incidents,
 * their links, and each one's revision history. Nothing here deletes: the history cannot be quietly changed.
 */
import type { ComponentChildren } from 'preact';
import type { FieldErrors } from '../../errors.ts';
import type { PageContext } from '../../web/context.ts';
import { Checkbox, ErrorSummary, SelectField, TextArea, TextField, type FormValues } from '../../web/fields.tsx';
import { readCheckboxGroup } from '../../web/form.ts';
import { formatDate, formatNumber } from '../../web/i18n.ts';
import { CsrfField } from '../../web/layout.tsx';
import { AdminLayout } from '../admin/index.ts';
import { targetText, type CampaignStatement } from '../accountability/index.ts';
import type { Campaign } from '../campaigns/index.ts';
import { textFor } from '../campaigns/index.ts';
import { LIMITS } from './forms.ts';
import { COUNT_KINDS, FACT_STATUSES, FIGURE_QUALIFIERS, STATEMENT_RELATIONS, type Fact, type Incident, type RevisionSummary, type Source } from './model.ts';
import type { OrganiserEvidence } from './service.ts';
import { changedFields, FigureText, RELATION_SYMBOLS, StatusText } from './views.tsx';

export type FormName = 'fact' | 'source' | 'incident' | 'link-source' | 'link-statement' | 'link-fact';
export interface FormState {
  form: FormName;
  values: FormValues;
  errors: FieldErrors;
}

function stateFor(state: FormState | undefined, form: FormName, initial: FormValues = {}): { values: FormValues; errors: FieldErrors } {
  return state?.form === form ? state : { values: initial, errors: {} };
}

function fieldLabels(ctx: PageContext): Record<string, string> {
  const { t } = ctx;
  const labels: Record<string, string> = {
    claim: t('evidence.admin.claim'),
    lang: t('evidence.admin.lang'),
    figure_value: t('evidence.admin.figureValue'),
    figure_unit: t('evidence.admin.figureUnit'),
    figure_qualifier: t('evidence.admin.figureQualifier'),
    status: t('evidence.admin.status'),
    first_reported_on: t('evidence.admin.firstReportedOn'),
    public: t('evidence.admin.public'),
    sources: t('evidence.admin.sources'),
    facts: t('evidence.admin.facts'),
    publisher: t('evidence.admin.publisher'),
    title: t('evidence.admin.sourceTitle'),
    url: t('evidence.admin.url'),
    published_on: t('evidence.admin.publishedOn'),
    quote: t('evidence.admin.quote'),
    starts_on: t('evidence.admin.startsOn'),
    ends_on: t('evidence.admin.endsOn'),
    region: t('evidence.admin.region'),
    description: t('evidence.admin.description'),
    source: t('evidence.admin.source'),
    fact: t('evidence.admin.fact'),
    statement: t('evidence.admin.statement'),
    relation: t('evidence.admin.relation'),
  };
  for (const kind of COUNT_KINDS) labels[kind] = t(`evidence.count_${kind}`);
  return labels;
}

const flagValue = (on: boolean) => (on ? '1' : undefined);

export function factFormValues(fact: Fact): FormValues {
  return {
    claim: fact.claim,
    lang: fact.lang,
    figure_value: fact.figure ? String(fact.figure.value) : '',
    figure_unit: fact.figure?.unit ?? '',
    figure_qualifier: fact.figure?.qualifier ?? 'exact',
    status: fact.status,
    first_reported_on: fact.firstReportedOn,
    first_reported_approximate: flagValue(fact.firstReportedApproximate),
    public: flagValue(fact.public),
  };
}

export function sourceFormValues(source: Source): FormValues {
  return {
    publisher: source.publisher,
    title: source.title,
    url: source.url,
    published_on: source.publishedOn ?? '',
    published_approximate: flagValue(source.publishedApproximate),
    quote: source.quote,
    lang: source.lang,
    public: flagValue(source.public),
  };
}

export function incidentFormValues(incident: Incident): FormValues {
  const values: Record<string, string | undefined> = {
    starts_on: incident.startsOn,
    ends_on: incident.endsOn ?? '',
    date_approximate: flagValue(incident.approximate),
    region: incident.region,
    description: incident.description,
    lang: incident.lang,
    public: flagValue(incident.public),
  };
  for (const kind of COUNT_KINDS) values[kind] = incident.counts[kind] === null ? '' : String(incident.counts[kind]);
  return values;
}

const isOn = (values: FormValues, name: string) => values[name] !== undefined && values[name] !== '';

function PublicLabel({ ctx, on }: { ctx: PageContext; on: boolean }) {
  return <span>{on ? `● ${ctx.t('evidence.admin.isPublic')}` : `○ ${ctx.t('evidence.admin.isInternal')}`}</span>;
}

function FactFields({ ctx, values, errors }: { ctx: PageContext; values: FormValues; errors: FieldErrors }) {
  const { t } = ctx;
  const labels = fieldLabels(ctx);
  return (
    <>
      <TextArea
        ctx={ctx}
        name="claim"
        label={labels['claim']!}
        hint={t('evidence.admin.claimHint')}
        required
        errors={errors}
        values={values}
        rows={3}
        maxLength={LIMITS.claim}
      />
      <TextField
        ctx={ctx}
        name="lang"
        label={labels['lang']!}
        hint={t('accountability.admin.langHint')}
        errors={errors}
        values={values}
        maxLength={LIMITS.lang}
      />
      <fieldset>
        <legend>{t('evidence.admin.figure')}</legend>
        <p class="hint">{t('evidence.admin.figureHint')}</p>
        <SelectField
          ctx={ctx}
          name="figure_qualifier"
          label={labels['figure_qualifier']!}
          errors={errors}
          values={values}
          options={FIGURE_QUALIFIERS.map((q) => ({ value: q, label: t(`evidence.qualifier_${q}`) }))}
        />
        <TextField ctx={ctx} name="figure_value" label={labels['figure_value']!} inputMode="numeric" errors={errors} values={values} maxLength={20} />
        <TextField
          ctx={ctx}
          name="figure_unit"
          label={labels['figure_unit']!}
          hint={t('evidence.admin.figureUnitHint')}
          errors={errors}
          values={values}
          maxLength={LIMITS.unit}
        />
      </fieldset>
      <SelectField
        ctx={ctx}
        name="status"
        label={labels['status']!}
        hint={t('evidence.admin.statusHint')}
        errors={errors}
        values={values}
        options={FACT_STATUSES.map((s) => ({ value: s, label: t(`evidence.status_${s}`) }))}
      />
      <TextField ctx={ctx} name="first_reported_on" type="date" label={labels['first_reported_on']!} required errors={errors} values={values} />
      <Checkbox name="first_reported_approximate" label={t('evidence.admin.approximate')} checked={isOn(values, 'first_reported_approximate')} />
      <Checkbox name="public" label={t('evidence.admin.makePublic')} checked={isOn(values, 'public')} />
      {errors['public'] ? (
        <p class="error" id="public-error">
          {t(errors['public'])}
        </p>
      ) : null}
    </>
  );
}

function SourceFields({ ctx, values, errors }: { ctx: PageContext; values: FormValues; errors: FieldErrors }) {
  const { t } = ctx;
  const labels = fieldLabels(ctx);
  return (
    <>
      <TextField ctx={ctx} name="publisher" label={labels['publisher']!} required errors={errors} values={values} maxLength={LIMITS.publisher} />
      <TextField ctx={ctx} name="title" label={labels['title']!} required errors={errors} values={values} maxLength={LIMITS.title} />
      <TextField ctx={ctx} name="url" label={labels['url']!} required errors={errors} values={values} maxLength={LIMITS.url} />
      <TextField ctx={ctx} name="published_on" type="date" label={labels['published_on']!} errors={errors} values={values} />
      <Checkbox name="published_approximate" label={t('evidence.admin.approximate')} checked={isOn(values, 'published_approximate')} />
      <TextArea
        ctx={ctx}
        name="quote"
        label={labels['quote']!}
        hint={t('evidence.admin.quoteHint')}
        errors={errors}
        values={values}
        rows={4}
        maxLength={LIMITS.quote}
      />
      <TextField
        ctx={ctx}
        name="lang"
        label={labels['lang']!}
        hint={t('accountability.admin.langHint')}
        errors={errors}
        values={values}
        maxLength={LIMITS.lang}
      />
      <Checkbox name="public" label={t('evidence.admin.makePublic')} checked={isOn(values, 'public')} />
      {errors['public'] ? (
        <p class="error" id="public-error">
          {t(errors['public'])}
        </p>
      ) : null}
    </>
  );
}

function IncidentFields({ ctx, values, errors }: { ctx: PageContext; values: FormValues; errors: FieldErrors }) {
  const { t } = ctx;
  const labels = fieldLabels(ctx);
  return (
    <>
      <TextField ctx={ctx} name="starts_on" type="date" label={labels['starts_on']!} required errors={errors} values={values} />
      <TextField ctx={ctx} name="ends_on" type="date" label={labels['ends_on']!} errors={errors} values={values} />
      <Checkbox name="date_approximate" label={t('evidence.admin.approximate')} checked={isOn(values, 'date_approximate')} />
      <TextField
        ctx={ctx}
        name="region"
        label={labels['region']!}
        hint={t('evidence.regionHelp')}
        required
        errors={errors}
        values={values}
        maxLength={LIMITS.region}
      />
      <fieldset>
        <legend>{t('evidence.admin.counts')}</legend>
        <p class="hint">{t('evidence.admin.countsHint')}</p>
        {COUNT_KINDS.map((kind) => (
          <TextField ctx={ctx} name={kind} label={labels[kind]!} inputMode="numeric" errors={errors} values={values} maxLength={20} />
        ))}
      </fieldset>
      <TextArea ctx={ctx} name="description" label={labels['description']!} errors={errors} values={values} rows={3} maxLength={LIMITS.description} />
      <TextField
        ctx={ctx}
        name="lang"
        label={labels['lang']!}
        hint={t('accountability.admin.langHint')}
        errors={errors}
        values={values}
        maxLength={LIMITS.lang}
      />
      <Checkbox name="public" label={t('evidence.admin.makePublicIncident')} checked={isOn(values, 'public')} />
    </>
  );
}

/** Checkboxes to choose several of the campaign's records (`name` sent once per ticked box). */
function ChooseMany({
  legend,
  name,
  options,
  values,
}: {
  legend: string;
  name: string;
  options: readonly { id: number; label: string }[];
  values: FormValues;
}) {
  if (options.length === 0) return null;
  const ticked = new Set(readCheckboxGroup(values, name));
  return (
    <fieldset id={name}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <Checkbox name={name} id={`${name}_${o.id}`} value={String(o.id)} label={o.label} checked={ticked.has(String(o.id))} />
      ))}
    </fieldset>
  );
}

function PostButton({ ctx, action, label }: { ctx: PageContext; action: string; label: string }) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField ctx={ctx} />
      <button type="submit">{label}</button>
    </form>
  );
}

const shorten = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function sourceLabel(source: Source): string {
  return `${source.publisher}: ${shorten(source.title, 60)}${source.public ? '' : ' (internal)'}`;
}

interface LinkedRecord {
  id: number;
  href: string;
  label: string;
  /** The label cut short for an unlink button's name. */
  name: string;
  lang?: string | undefined;
}

const sourceRecord = (source: Source): LinkedRecord => ({
  id: source.id,
  href: `/admin/evidence/sources/${source.id}`,
  label: sourceLabel(source),
  name: shorten(source.title, 40),
});

const factRecord = (fact: Fact): LinkedRecord => ({
  id: fact.id,
  href: `/admin/evidence/facts/${fact.id}`,
  label: shorten(fact.claim),
  name: shorten(fact.claim, 40),
  lang: fact.lang,
});

/**
 * The records linked to this one, each with a button to unlink it, and a form to link another: sources of a fact or
 * an incident, facts of an incident. `base` links (POST); `${base}/${id}/unlink` unlinks.
 */
function LinkedRecords({
  ctx,
  id,
  heading,
  base,
  field,
  linked,
  others,
  form,
  labels,
  unlinkKey,
  linkKey,
}: {
  ctx: PageContext;
  id: string;
  heading: string;
  base: string;
  field: 'source' | 'fact';
  linked: readonly LinkedRecord[];
  others: readonly LinkedRecord[];
  form: { values: FormValues; errors: FieldErrors };
  labels: Record<string, string>;
  unlinkKey: string;
  linkKey: string;
}) {
  const { t } = ctx;
  return (
    <>
      <h2 id={id}>{heading}</h2>
      {linked.length === 0 ? (
        <p>{t('evidence.admin.none')}</p>
      ) : (
        <ul class="linked">
          {linked.map((record) => (
            <li>
              <a href={record.href} lang={record.lang}>
                {record.label}
              </a>{' '}
              <PostButton ctx={ctx} action={`${base}/${record.id}/unlink`} label={t(unlinkKey, { name: record.name })} />
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 ? (
        <>
          <ErrorSummary ctx={ctx} errors={form.errors} labels={labels} />
          <form method="post" action={base} class="stacked" novalidate>
            <CsrfField ctx={ctx} />
            <SelectField
              ctx={ctx}
              name={field}
              label={labels[field]!}
              errors={form.errors}
              values={form.values}
              options={others.map((record) => ({ value: String(record.id), label: record.label }))}
            />
            <button type="submit">{t(linkKey)}</button>
          </form>
        </>
      ) : null}
    </>
  );
}

function NoDeleteNote({ ctx }: { ctx: PageContext }) {
  return <p class="hint">{ctx.t('evidence.admin.noDelete')}</p>;
}

export function EvidenceAdminPage({
  ctx,
  campaign,
  evidence,
  flash,
}: {
  ctx: PageContext;
  campaign: Campaign;
  evidence: OrganiserEvidence;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  return (
    <AdminLayout ctx={ctx} title={t('evidence.admin.title')} flash={flash}>
      <p>
        <a href={`/admin/campaigns/${campaign.id}`}>{textFor(campaign, locale).text.title}</a>
      </p>
      <h1>{t('evidence.admin.title')}</h1>
      <p>{t('evidence.admin.intro')}</p>
      <NoDeleteNote ctx={ctx} />
      <p>
        <a href={`/c/${campaign.slug}/evidence`}>{t('evidence.admin.publicPage')}</a>
      </p>
      <ul class="actions">
        <li>
          <a href={`/admin/campaigns/${campaign.id}/evidence/sources/new`}>{t('evidence.admin.addSource')}</a>
        </li>
        <li>
          <a href={`/admin/campaigns/${campaign.id}/evidence/facts/new`}>{t('evidence.admin.addFact')}</a>
        </li>
        <li>
          <a href={`/admin/campaigns/${campaign.id}/evidence/incidents/new`}>{t('evidence.admin.addIncident')}</a>
        </li>
      </ul>

      <h2 id="facts">{t('evidence.admin.factsHeading')}</h2>
      {evidence.facts.length === 0 ? (
        <p>{t('evidence.admin.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('evidence.admin.claim')}</th>
              <th scope="col">{t('evidence.admin.status')}</th>
              <th scope="col">{t('evidence.admin.figure')}</th>
              <th scope="col">{t('evidence.admin.visibility')}</th>
            </tr>
          </thead>
          <tbody>
            {evidence.facts.map((f) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/evidence/facts/${f.id}`} lang={f.lang}>
                    {shorten(f.claim)}
                  </a>
                </th>
                <td>
                  <StatusText ctx={ctx} status={f.status} />
                </td>
                <td>{f.figure ? <FigureText ctx={ctx} figure={f.figure} lang={f.lang} /> : '—'}</td>
                <td>
                  <PublicLabel ctx={ctx} on={f.public} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 id="sources">{t('evidence.admin.sourcesHeading')}</h2>
      {evidence.sources.length === 0 ? (
        <p>{t('evidence.admin.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('evidence.admin.sourceTitle')}</th>
              <th scope="col">{t('evidence.admin.publisher')}</th>
              <th scope="col">{t('evidence.admin.publishedOn')}</th>
              <th scope="col">{t('evidence.admin.visibility')}</th>
            </tr>
          </thead>
          <tbody>
            {evidence.sources.map((s) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/evidence/sources/${s.id}`} lang={s.lang}>
                    {shorten(s.title)}
                  </a>
                </th>
                <td lang={s.lang}>{s.publisher}</td>
                <td>{s.publishedOn ? `${s.publishedApproximate ? '≈ ' : ''}${formatDate(locale, s.publishedOn)}` : '—'}</td>
                <td>
                  <PublicLabel ctx={ctx} on={s.public} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 id="incidents">{t('evidence.admin.incidentsHeading')}</h2>
      {evidence.incidents.length === 0 ? (
        <p>{t('evidence.admin.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('evidence.admin.startsOn')}</th>
              <th scope="col">{t('evidence.admin.region')}</th>
              <th scope="col">{t('evidence.admin.counts')}</th>
              <th scope="col">{t('evidence.admin.visibility')}</th>
            </tr>
          </thead>
          <tbody>
            {evidence.incidents.map((i) => (
              <tr>
                <th scope="row">
                  <a href={`/admin/evidence/incidents/${i.id}`}>{`${i.approximate ? '≈ ' : ''}${formatDate(locale, i.startsOn)}`}</a>
                </th>
                <td lang={i.lang}>{i.region}</td>
                <td>
                  {COUNT_KINDS.map(
                    (kind) => `${t(`evidence.count_${kind}`)}: ${i.counts[kind] === null ? t('evidence.notKnown') : formatNumber(locale, i.counts[kind]!)}`,
                  ).join(' · ')}
                </td>
                <td>
                  <PublicLabel ctx={ctx} on={i.public} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

/** The revisions of one record, newest last: version, when, who, and what changed. */
export function AdminHistory({ ctx, history, authors }: { ctx: PageContext; history: readonly RevisionSummary[]; authors: ReadonlyMap<number, string> }) {
  const { t, locale } = ctx;
  return (
    <>
      <h2 id="history">{t('evidence.admin.history')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('evidence.admin.version')}</th>
            <th scope="col">{t('evidence.admin.date')}</th>
            <th scope="col">{t('evidence.admin.author')}</th>
            <th scope="col">{t('evidence.admin.changed')}</th>
          </tr>
        </thead>
        <tbody>
          {history.map((revision, i) => (
            <tr>
              <th scope="row">{revision.version}</th>
              <td>
                <time dateTime={revision.at}>{`${formatDate(locale, revision.at, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC`}</time>
              </td>
              <td>{revision.authorId === null ? t('evidence.admin.noAuthor') : (authors.get(revision.authorId) ?? `#${revision.authorId}`)}</td>
              <td>
                {changedFields(ctx, i === 0 ? undefined : history[i - 1]!.data, revision.data)}
                {revision.public ? '' : ` (${t('evidence.admin.isInternal')})`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">{t('evidence.admin.historyHint')}</p>
    </>
  );
}

function BackLinks({ ctx, campaign }: { ctx: PageContext; campaign: Campaign }) {
  return (
    <p>
      <a href={`/admin/campaigns/${campaign.id}/evidence`}>{ctx.t('evidence.admin.title')}</a>
      {' · '}
      <a href={`/admin/campaigns/${campaign.id}`}>{textFor(campaign, ctx.locale).text.title}</a>
    </p>
  );
}

function EditForm({
  ctx,
  action,
  title,
  errors,
  children,
}: {
  ctx: PageContext;
  action: string;
  title: string;
  errors: FieldErrors;
  children: ComponentChildren;
}) {
  return (
    <>
      <h2 id="edit">{title}</h2>
      <ErrorSummary ctx={ctx} errors={errors} labels={fieldLabels(ctx)} />
      <form method="post" action={action} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        {children}
        <button type="submit" class="primary">
          {ctx.t('admin.save')}
        </button>
      </form>
    </>
  );
}

function statementLabel(ctx: PageContext, linked: CampaignStatement): string {
  const { statement, target } = linked;
  return `${targetText(target, ctx.locale).name} · ${statement.statedOn} · ${ctx.t(`accountability.stance_${statement.stance}`)} · ${shorten(statement.quote, 60)}`;
}

export function FactAdminPage({
  ctx,
  campaign,
  fact,
  evidence,
  history,
  authors,
  state,
  flash,
}: {
  ctx: PageContext;
  campaign: Campaign;
  fact: Fact;
  evidence: OrganiserEvidence;
  history: readonly RevisionSummary[];
  authors: ReadonlyMap<number, string>;
  state?: FormState | undefined;
  flash?: string | undefined;
}) {
  const { t } = ctx;
  const labels = fieldLabels(ctx);
  const edit = stateFor(state, 'fact', factFormValues(fact));
  const linkSource = stateFor(state, 'link-source');
  const linkStatement = stateFor(state, 'link-statement', { relation: 'denies' });
  const linked = evidence.sources.filter((s) => fact.sourceIds.includes(s.id));
  const unlinked = evidence.sources.filter((s) => !fact.sourceIds.includes(s.id));
  const linkedStatementIds = new Set(fact.statements.map((s) => s.statementId));
  return (
    <AdminLayout ctx={ctx} title={shorten(fact.claim, 36)} flash={flash}>
      <BackLinks ctx={ctx} campaign={campaign} />
      <h1 lang={fact.lang}>{fact.claim}</h1>
      <p>
        <StatusText ctx={ctx} status={fact.status} />
        {' · '}
        <PublicLabel ctx={ctx} on={fact.public} />
        {' · '}
        {t('evidence.history.version', { version: fact.version })}
      </p>
      <NoDeleteNote ctx={ctx} />

      <LinkedRecords
        ctx={ctx}
        id="fact-sources"
        heading={t('evidence.admin.sources')}
        base={`/admin/evidence/facts/${fact.id}/sources`}
        field="source"
        linked={linked.map(sourceRecord)}
        others={unlinked.map(sourceRecord)}
        form={linkSource}
        labels={labels}
        unlinkKey="evidence.admin.unlinkSource"
        linkKey="evidence.admin.linkSource"
      />

      <h2 id="fact-statements">{t('evidence.admin.statements')}</h2>
      <p class="hint">{t('evidence.admin.statementsHint')}</p>
      {fact.statements.length === 0 ? (
        <p>{t('evidence.admin.none')}</p>
      ) : (
        <ul class="linked">
          {fact.statements.map((s) => (
            <li>
              <strong>
                <span aria-hidden="true">{RELATION_SYMBOLS[s.relation]} </span>
                {t(`evidence.relation_${s.relation}`)}
              </strong>
              {` · ${s.targetName} · ${s.statedOn} · ${t(`accountability.stance_${s.stance}`)} · `}
              <q lang={s.lang}>{shorten(s.quote, 100)}</q>{' '}
              <PostButton
                ctx={ctx}
                action={`/admin/evidence/facts/${fact.id}/statements/${s.statementId}/unlink`}
                label={t('evidence.admin.unlinkStatement', { name: s.targetName })}
              />
            </li>
          ))}
        </ul>
      )}
      {evidence.statements.length === 0 ? (
        <p>
          {t('evidence.admin.noStatements')} <a href={`/admin/campaigns/${campaign.id}/accountability`}>{t('accountability.admin.title')}</a>
        </p>
      ) : (
        <>
          <ErrorSummary ctx={ctx} errors={linkStatement.errors} labels={labels} />
          <form method="post" action={`/admin/evidence/facts/${fact.id}/statements`} class="stacked" novalidate>
            <CsrfField ctx={ctx} />
            <SelectField
              ctx={ctx}
              name="statement"
              label={labels['statement']!}
              errors={linkStatement.errors}
              values={linkStatement.values}
              options={evidence.statements.map((s) => ({
                value: String(s.statement.id),
                label: `${linkedStatementIds.has(s.statement.id) ? '✓ ' : ''}${statementLabel(ctx, s)}`,
              }))}
            />
            <SelectField
              ctx={ctx}
              name="relation"
              label={labels['relation']!}
              errors={linkStatement.errors}
              values={linkStatement.values}
              options={STATEMENT_RELATIONS.map((r) => ({ value: r, label: t(`evidence.relation_${r}`) }))}
            />
            <button type="submit">{t('evidence.admin.linkStatement')}</button>
          </form>
        </>
      )}

      <EditForm ctx={ctx} action={`/admin/evidence/facts/${fact.id}`} title={t('evidence.admin.editFact')} errors={edit.errors}>
        <FactFields ctx={ctx} values={edit.values} errors={edit.errors} />
      </EditForm>
      <AdminHistory ctx={ctx} history={history} authors={authors} />
    </AdminLayout>
  );
}

export function SourceAdminPage({
  ctx,
  campaign,
  source,
  facts,
  history,
  authors,
  state,
  flash,
  panels,
}: {
  ctx: PageContext;
  campaign: Campaign;
  source: Source;
  facts: readonly Fact[];
  history: readonly RevisionSummary[];
  authors: ReadonlyMap<number, string>;
  state?: FormState | undefined;
  flash?: string | undefined;
  /** Further parts of the page (the archived copies), after the source's own details. */
  panels?: ComponentChildren;
}) {
  const { t } = ctx;
  const edit = stateFor(state, 'source', sourceFormValues(source));
  const relying = facts.filter((f) => f.sourceIds.includes(source.id));
  return (
    <AdminLayout ctx={ctx} title={shorten(source.title, 36)} flash={flash}>
      <BackLinks ctx={ctx} campaign={campaign} />
      <h1 lang={source.lang}>{source.title}</h1>
      <p>
        <span lang={source.lang}>{source.publisher}</span>
        {' · '}
        <a href={source.url} rel="noopener noreferrer nofollow">
          {shorten(source.url, 60)}
        </a>
        {' · '}
        <PublicLabel ctx={ctx} on={source.public} />
      </p>
      <NoDeleteNote ctx={ctx} />
      <h2 id="source-facts">{t('evidence.admin.facts')}</h2>
      {relying.length === 0 ? (
        <p>{t('evidence.admin.none')}</p>
      ) : (
        <ul class="linked">
          {relying.map((f) => (
            <li>
              <a href={`/admin/evidence/facts/${f.id}`} lang={f.lang}>
                {shorten(f.claim)}
              </a>
            </li>
          ))}
        </ul>
      )}
      {panels}
      <EditForm ctx={ctx} action={`/admin/evidence/sources/${source.id}`} title={t('evidence.admin.editSource')} errors={edit.errors}>
        <SourceFields ctx={ctx} values={edit.values} errors={edit.errors} />
      </EditForm>
      <AdminHistory ctx={ctx} history={history} authors={authors} />
    </AdminLayout>
  );
}

export function IncidentAdminPage({
  ctx,
  campaign,
  incident,
  evidence,
  history,
  authors,
  state,
  flash,
}: {
  ctx: PageContext;
  campaign: Campaign;
  incident: Incident;
  evidence: OrganiserEvidence;
  history: readonly RevisionSummary[];
  authors: ReadonlyMap<number, string>;
  state?: FormState | undefined;
  flash?: string | undefined;
}) {
  const { t, locale } = ctx;
  const labels = fieldLabels(ctx);
  const edit = stateFor(state, 'incident', incidentFormValues(incident));
  const linkFact = stateFor(state, 'link-fact');
  const linkSource = stateFor(state, 'link-source');
  const facts = evidence.facts.filter((f) => incident.factIds.includes(f.id));
  const otherFacts = evidence.facts.filter((f) => !incident.factIds.includes(f.id));
  const sources = evidence.sources.filter((s) => incident.sourceIds.includes(s.id));
  const otherSources = evidence.sources.filter((s) => !incident.sourceIds.includes(s.id));
  const title = `${incident.approximate ? '≈ ' : ''}${formatDate(locale, incident.startsOn)} · ${incident.region}`;
  return (
    <AdminLayout ctx={ctx} title={shorten(title, 36)} flash={flash}>
      <BackLinks ctx={ctx} campaign={campaign} />
      <h1>{title}</h1>
      <p>
        <PublicLabel ctx={ctx} on={incident.public} />
        {' · '}
        {t('evidence.history.version', { version: incident.version })}
      </p>
      <NoDeleteNote ctx={ctx} />

      <LinkedRecords
        ctx={ctx}
        id="incident-facts"
        heading={t('evidence.admin.facts')}
        base={`/admin/evidence/incidents/${incident.id}/facts`}
        field="fact"
        linked={facts.map(factRecord)}
        others={otherFacts.map(factRecord)}
        form={linkFact}
        labels={labels}
        unlinkKey="evidence.admin.unlinkFact"
        linkKey="evidence.admin.linkFact"
      />

      <LinkedRecords
        ctx={ctx}
        id="incident-sources"
        heading={t('evidence.admin.sources')}
        base={`/admin/evidence/incidents/${incident.id}/sources`}
        field="source"
        linked={sources.map(sourceRecord)}
        others={otherSources.map(sourceRecord)}
        form={linkSource}
        labels={labels}
        unlinkKey="evidence.admin.unlinkSource"
        linkKey="evidence.admin.linkSource"
      />

      <EditForm ctx={ctx} action={`/admin/evidence/incidents/${incident.id}`} title={t('evidence.admin.editIncident')} errors={edit.errors}>
        <IncidentFields ctx={ctx} values={edit.values} errors={edit.errors} />
      </EditForm>
      <AdminHistory ctx={ctx} history={history} authors={authors} />
    </AdminLayout>
  );
}

export type NewRecordKind = 'fact' | 'source' | 'incident';

/** The form to add a fact, a source or an incident, alone on its page; a fact or an incident may take links at once. */
export function NewRecordPage({
  ctx,
  campaign,
  kind,
  evidence,
  state,
}: {
  ctx: PageContext;
  campaign: Campaign;
  kind: NewRecordKind;
  evidence: OrganiserEvidence;
  state?: FormState | undefined;
}) {
  const { t } = ctx;
  const labels = fieldLabels(ctx);
  const mainLang = campaign.locales[0] ?? 'en';
  const initial: FormValues = kind === 'fact' ? { lang: mainLang, status: 'reported', figure_qualifier: 'exact' } : { lang: mainLang };
  const { values, errors } = stateFor(state, kind, initial);
  const title = t(`evidence.admin.add${kind === 'fact' ? 'Fact' : kind === 'source' ? 'Source' : 'Incident'}`);
  const sourceOptions = evidence.sources.map((s) => ({ id: s.id, label: sourceLabel(s) }));
  return (
    <AdminLayout ctx={ctx} title={title}>
      <BackLinks ctx={ctx} campaign={campaign} />
      <h1>{title}</h1>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={`/admin/campaigns/${campaign.id}/evidence/${kind}s`} class="stacked" novalidate>
        <CsrfField ctx={ctx} />
        {kind === 'fact' ? (
          <>
            <FactFields ctx={ctx} values={values} errors={errors} />
            <ChooseMany legend={labels['sources']!} name="sources" options={sourceOptions} values={values} />
            {sourceOptions.length === 0 ? (
              <p class="hint">
                {t('evidence.admin.noSourcesYet')} <a href={`/admin/campaigns/${campaign.id}/evidence/sources/new`}>{t('evidence.admin.addSource')}</a>
              </p>
            ) : null}
          </>
        ) : kind === 'source' ? (
          <SourceFields ctx={ctx} values={values} errors={errors} />
        ) : (
          <>
            <IncidentFields ctx={ctx} values={values} errors={errors} />
            <ChooseMany legend={labels['facts']!} name="facts" options={evidence.facts.map((f) => ({ id: f.id, label: shorten(f.claim) }))} values={values} />
            <ChooseMany legend={labels['sources']!} name="sources" options={sourceOptions} values={values} />
          </>
        )}
        <button type="submit" class="primary">
          {title}
        </button>
      </form>
    </AdminLayout>
  );
}
