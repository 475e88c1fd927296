/**
 * "What we know": each public fact with its status, figure, sources and the statements that deny or confirm it beside
 * it, its revision history, a timeline of revelations, and the counts of public incidents with the incidents below.
 * Status and relation are told in words with a symbol beside them (hidden from screen readers), never by colour.
 */
import { StatementSources } from '../accountability/index.ts';
import type { Campaign } from '../campaigns/index.ts';
import { textFor } from '../campaigns/index.ts';
import { localeHref, type PageContext } from '../../web/context.ts';
import { formatDate, formatNumber, type Locale } from '../../web/i18n.ts';
import { Layout } from '../../web/layout.tsx';
import type { FactStatus, StatementRelation } from '../../db/schema.ts';
import { CountsChartSvg, RevelationsTimelineSvg, type TimelineMark } from './charts-svg.tsx';
import { ArchivedCopies, type CopyView } from './captures-views.tsx';
import { COUNT_KINDS, type EntityState, type Fact, type Figure, type PublicFact, type RevisionSummary, type Source, type StatementLink } from './model.ts';
import type { PublicEvidence, PublicIncident } from './service.ts';

export const STATUS_SYMBOLS: Readonly<Record<FactStatus, string>> = {
  reported: '○',
  corroborated: '●',
  disputed: '◐',
  denied: '✗',
  retracted: '⊘',
};

export const RELATION_SYMBOLS: Readonly<Record<StatementRelation, string>> = { denies: '✗', confirms: '✓' };

/** A linked statement as the page shows it: the link, and (when the statement still exists) its sources and date mark. */
export interface ShownStatement {
  link: StatementLink;
  targetName: string;
  dateApproximate: boolean;
  verbatim: boolean;
  sources: readonly { publisher: string; url: string; publishedOn: string | null }[];
}

export interface EvidencePageData {
  evidence: PublicEvidence;
  /** Statements by id, as accountability has them now. */
  statements: ReadonlyMap<number, Omit<ShownStatement, 'link'>>;
  /** Whether a signed ledger is published (its files are then linked). */
  ledgerPublished: boolean;
  /** The stored copies of the public sources, by source id (captures.ts loadStoredCopies). */
  copies?: ReadonlyMap<number, readonly CopyView[]>;
}

/** Where a source's kept copies are found and linked from. */
interface Archive {
  slug: string;
  copies: ReadonlyMap<number, readonly CopyView[]>;
}

export function DateText({ locale, date, approximate }: { locale: Locale; date: string; approximate: boolean }) {
  const text = formatDate(locale, date, { dateStyle: 'long' });
  return <time dateTime={date}>{approximate ? `≈ ${text}` : text}</time>;
}

export function StatusText({ ctx, status }: { ctx: PageContext; status: FactStatus }) {
  return (
    <span class={`fact-status ${status}`}>
      <span aria-hidden="true">{STATUS_SYMBOLS[status]} </span>
      {ctx.t(`evidence.status_${status}`)}
    </span>
  );
}

/** "at least 26 people", "более 100 people": the qualifier and number localised, the unit in the fact's language. */
export function FigureText({ ctx, figure, lang }: { ctx: PageContext; figure: Figure; lang: string }) {
  const qualifier = figure.qualifier === 'exact' ? '' : `${ctx.t(`evidence.qualifier_${figure.qualifier}`)} `;
  return (
    <strong class="figure">
      {`${qualifier}${formatNumber(ctx.locale, figure.value)} `}
      <span lang={lang}>{figure.unit}</span>
    </strong>
  );
}

function SourceItem({ ctx, source, archive }: { ctx: PageContext; source: Source; archive?: Archive | undefined }) {
  const { locale } = ctx;
  return (
    <li class="source">
      <span lang={source.lang}>{source.publisher}</span>
      {': '}
      <a href={source.url} rel="noopener noreferrer nofollow" lang={source.lang}>
        {source.title}
      </a>
      {source.publishedOn ? (
        <>
          {' ('}
          <DateText locale={locale} date={source.publishedOn} approximate={source.publishedApproximate} />
          {')'}
        </>
      ) : null}
      {source.quote ? (
        <blockquote lang={source.lang} cite={source.url}>
          <p>{source.quote}</p>
        </blockquote>
      ) : null}
      {archive ? <ArchivedCopies ctx={ctx} slug={archive.slug} copies={archive.copies.get(source.id) ?? []} /> : null}
    </li>
  );
}

function StatementItem({ ctx, shown }: { ctx: PageContext; shown: ShownStatement }) {
  const { t, locale } = ctx;
  const { link } = shown;
  return (
    <li class={`statement ${link.relation}`}>
      <strong>
        <span aria-hidden="true">{RELATION_SYMBOLS[link.relation]} </span>
        {t(`evidence.relationHeading_${link.relation}`, { name: shown.targetName })}
      </strong>{' '}
      <DateText locale={locale} date={link.statedOn} approximate={shown.dateApproximate} />
      {` · ${t(`accountability.stance_${link.stance}`)}`}
      {shown.verbatim ? (
        <blockquote lang={link.lang}>
          <p>{link.quote}</p>
        </blockquote>
      ) : (
        <p class="reported">
          {t('accountability.reported')} <span lang={link.lang}>{link.quote}</span>
        </p>
      )}
      {shown.sources.length > 0 ? <StatementSources ctx={ctx} sources={shown.sources} /> : null}
    </li>
  );
}

const HISTORY_FIELDS = [
  'claim',
  'lang',
  'figure',
  'status',
  'firstReportedOn',
  'firstReportedApproximate',
  'public',
  'sourceIds',
  'statements',
  'publisher',
  'title',
  'url',
  'publishedOn',
  'publishedApproximate',
  'quote',
  'captures',
  'startsOn',
  'endsOn',
  'approximate',
  'region',
  'counts',
  'description',
  'factIds',
] as const;

/** The names of what differs between two states of an entity, in words; the first version is "recorded". */
export function changedFields(ctx: PageContext, before: EntityState | null | undefined, after: EntityState | null): string {
  const { t } = ctx;
  if (!after) return t('evidence.history.notPublic');
  if (before === undefined) return t('evidence.history.recorded');
  if (before === null) return t('evidence.history.madePublic');
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  const keys = Object.keys(a).filter((key) => key !== 'id' && JSON.stringify(a[key]) !== JSON.stringify(b[key]));
  if (keys.length === 0) return t('evidence.history.unchanged');
  return keys
    .map((key) => ((HISTORY_FIELDS as readonly string[]).includes(key) ? t(`evidence.history.field_${key}`) : key))
    .filter((name, i, all) => all.indexOf(name) === i)
    .join(', ');
}

export function PublicHistory({ ctx, history, id }: { ctx: PageContext; history: readonly RevisionSummary[]; id: string }) {
  const { t, locale } = ctx;
  return (
    <details class="history" id={id}>
      <summary>{t('evidence.history.summary', { count: history.length, formatted: formatNumber(locale, history.length) })}</summary>
      <ol>
        {history.map((revision, i) => (
          <li>
            {`${t('evidence.history.version', { version: revision.version })} · `}
            <time dateTime={revision.at}>{formatDate(locale, revision.at, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })}</time>
            {` UTC · ${changedFields(ctx, i === 0 ? undefined : history[i - 1]!.data, revision.data)}`}
          </li>
        ))}
      </ol>
    </details>
  );
}

function FactArticle({
  ctx,
  item,
  statements,
  archive,
}: {
  ctx: PageContext;
  item: PublicFact;
  statements: readonly ShownStatement[];
  archive?: Archive | undefined;
}) {
  const { t, locale } = ctx;
  const { fact } = item;
  const denials = statements.filter((s) => s.link.relation === 'denies');
  const confirmations = statements.filter((s) => s.link.relation === 'confirms');
  return (
    <article class="fact" id={`fact-${fact.id}`} aria-labelledby={`fact-${fact.id}-claim`}>
      <h3 id={`fact-${fact.id}-claim`} lang={fact.lang}>
        {fact.claim}
      </h3>
      <p>
        <StatusText ctx={ctx} status={fact.status} />
        {fact.figure ? (
          <>
            {' · '}
            <FigureText ctx={ctx} figure={fact.figure} lang={fact.lang} />
          </>
        ) : null}
        {' · '}
        {t('evidence.firstReported')} <DateText locale={locale} date={fact.firstReportedOn} approximate={fact.firstReportedApproximate} />
      </p>
      <div class="fact-sides">
        <div class="fact-sources">
          <h4>{t('evidence.sourcesHeading')}</h4>
          <ul class="sources">
            {item.sources.map((source) => (
              <SourceItem ctx={ctx} source={source} archive={archive} />
            ))}
          </ul>
        </div>
        {denials.length + confirmations.length > 0 ? (
          <div class="fact-responses">
            <h4>{t('evidence.responsesHeading')}</h4>
            <ul class="statements">
              {[...denials, ...confirmations].map((shown) => (
                <StatementItem ctx={ctx} shown={shown} />
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      <PublicHistory ctx={ctx} history={item.history} id={`fact-${fact.id}-history`} />
    </article>
  );
}

function IncidentItem({
  ctx,
  item,
  factsById,
  archive,
}: {
  ctx: PageContext;
  item: PublicIncident;
  factsById: ReadonlyMap<number, Fact>;
  archive?: Archive | undefined;
}) {
  const { t, locale } = ctx;
  const { incident } = item;
  return (
    <li class="incident" id={`incident-${incident.id}`}>
      <h3>
        <DateText locale={locale} date={incident.startsOn} approximate={incident.approximate} />
        {incident.endsOn ? (
          <>
            {' – '}
            <DateText locale={locale} date={incident.endsOn} approximate={incident.approximate} />
          </>
        ) : null}
        {' · '}
        <span lang={incident.lang}>{incident.region}</span>
      </h3>
      {incident.description ? <p lang={incident.lang}>{incident.description}</p> : null}
      <dl class="counts">
        {COUNT_KINDS.map((kind) => (
          <>
            <dt>{t(`evidence.count_${kind}`)}</dt>
            <dd>{incident.counts[kind] === null ? t('evidence.notKnown') : formatNumber(locale, incident.counts[kind]!)}</dd>
          </>
        ))}
      </dl>
      {item.factIds.length > 0 ? (
        <p>
          {t('evidence.incidentFacts')}{' '}
          {item.factIds.map((id, i) => (
            <>
              {i > 0 ? '; ' : ''}
              <a href={`#fact-${id}`} lang={factsById.get(id)?.lang}>
                {factsById.get(id)?.claim ?? `#${id}`}
              </a>
            </>
          ))}
        </p>
      ) : null}
      {item.sources.length > 0 ? (
        <ul class="sources">
          {item.sources.map((source) => (
            <SourceItem ctx={ctx} source={source} archive={archive} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** The counts of public incidents by kind, as a table: the SVG chart's text equivalent, each figure linking to its incidents. */
function CountsTable({ ctx, evidence }: { ctx: PageContext; evidence: PublicEvidence }) {
  const { t, locale } = ctx;
  return (
    <table class="counts-table" id="counts-table">
      <caption>{t('evidence.countsCaption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('evidence.countKind')}</th>
          <th scope="col">{t('evidence.countTotal')}</th>
          <th scope="col">{t('evidence.countFrom')}</th>
        </tr>
      </thead>
      <tbody>
        {COUNT_KINDS.map((kind) => {
          const total = evidence.totals[kind];
          const from = evidence.incidents.filter((i) => i.incident.counts[kind] !== null);
          return (
            <tr>
              <th scope="row">{t(`evidence.count_${kind}`)}</th>
              <td data-count={total.total}>{total.known > 0 ? formatNumber(locale, total.total) : t('evidence.notKnown')}</td>
              <td>
                {from.length > 0
                  ? from.map((i, n) => (
                      <>
                        {n > 0 ? ', ' : ''}
                        <a href={`#incident-${i.incident.id}`}>{t('evidence.incidentNumber', { id: i.incident.id })}</a>
                      </>
                    ))
                  : null}
                {total.unknown > 0 ? (
                  <span class="unknown">
                    {from.length > 0 ? ' · ' : ''}
                    {t('evidence.unknownIn', { count: total.unknown, formatted: formatNumber(locale, total.unknown) })}
                  </span>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function LedgerNote({ ctx, slug }: { ctx: PageContext; slug: string }) {
  const { t } = ctx;
  const base = `/c/${slug}/evidence`;
  return (
    <section class="ledger" aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">{t('evidence.ledger.title')}</h2>
      <p>{t('evidence.ledger.intro')}</p>
      <ul>
        <li>
          <a href={`${base}/ledger.json`}>ledger.json</a> {t('evidence.ledger.file')}
        </li>
        <li>
          <a href={`${base}/ledger.json.sig`}>ledger.json.sig</a> {t('evidence.ledger.signature')}
        </li>
        <li>
          <a href={`${base}/signing-key.pem`}>signing-key.pem</a> {t('evidence.ledger.key')}
        </li>
      </ul>
      <p>{t('evidence.ledger.howToCheck')}</p>
      <pre>
        <code>{'outcry evidence check ledger.json --public-key signing-key.pem'}</code>
      </pre>
      <p>{t('evidence.ledger.openssl')}</p>
      <pre>
        <code>{'openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in ledger.json -sigfile ledger.json.sig'}</code>
      </pre>
    </section>
  );
}

/** The statements linked to a fact, with what accountability now holds about each. */
export function shownStatements(fact: Fact, statements: ReadonlyMap<number, Omit<ShownStatement, 'link'>>): ShownStatement[] {
  return fact.statements.map((link) => {
    const current = statements.get(link.statementId);
    return current ? { link, ...current } : { link, targetName: link.targetName, dateApproximate: false, verbatim: true, sources: [] };
  });
}

export function EvidencePage({ ctx, campaign, data }: { ctx: PageContext; campaign: Campaign; data: EvidencePageData }) {
  const { t } = ctx;
  const { evidence } = data;
  const campaignText = textFor(campaign, ctx.locale).text;
  const factsById = new Map(evidence.facts.map((f) => [f.fact.id, f.fact]));
  const archive = data.copies ? { slug: campaign.slug, copies: data.copies } : undefined;
  const marks: TimelineMark[] = [
    ...evidence.facts.map(({ fact }) => ({
      kind: 'fact' as const,
      date: fact.firstReportedOn,
      approximate: fact.firstReportedApproximate,
      label: fact.claim,
      href: `#fact-${fact.id}`,
      lang: fact.lang,
    })),
    ...evidence.facts.flatMap(({ fact }) =>
      shownStatements(fact, data.statements).map((s) => ({
        kind: s.link.relation,
        date: s.link.statedOn,
        approximate: s.dateApproximate,
        label: `${s.targetName}: ${t(`accountability.stance_${s.link.stance}`)}`,
        href: `#fact-${fact.id}`,
        lang: undefined,
      })),
    ),
  ]
    .filter((mark, i, all) => all.findIndex((m) => m.kind === mark.kind && m.date === mark.date && m.label === mark.label) === i)
    .sort((a, b) => a.date.localeCompare(b.date));
  return (
    <Layout ctx={ctx} title={`${t('evidence.title')} · ${campaignText.title}`} description={t('evidence.description')}>
      <p>
        <a href={localeHref(ctx, `/c/${campaign.slug}`)}>{campaignText.title}</a>
      </p>
      <h1>{t('evidence.title')}</h1>
      <p>{t('evidence.intro')}</p>
      {evidence.facts.length === 0 ? <p>{t('evidence.noFacts')}</p> : null}
      {evidence.facts.length > 0 ? (
        <>
          <h2 id="facts">{t('evidence.factsHeading')}</h2>
          {evidence.facts.map((item) => (
            <FactArticle ctx={ctx} item={item} statements={shownStatements(item.fact, data.statements)} archive={archive} />
          ))}
          <h2 id="timeline">{t('evidence.timeline')}</h2>
          <RevelationsTimelineSvg ctx={ctx} marks={marks} />
          <ol class="timeline-text">
            {marks.map((mark) => (
              <li>
                <DateText locale={ctx.locale} date={mark.date} approximate={mark.approximate} />
                {` · ${t(`evidence.mark_${mark.kind}`)}: `}
                <a href={mark.href} lang={mark.lang}>
                  {mark.label}
                </a>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {evidence.incidents.length > 0 ? (
        <>
          <h2 id="counts">{t('evidence.countsHeading')}</h2>
          <p>{t('evidence.countsIntro')}</p>
          <CountsChartSvg ctx={ctx} totals={evidence.totals} />
          <CountsTable ctx={ctx} evidence={evidence} />
          <h2 id="incidents">{t('evidence.incidentsHeading')}</h2>
          <p class="hint">{t('evidence.regionNote')}</p>
          <ol class="incidents">
            {evidence.incidents.map((item) => (
              <IncidentItem ctx={ctx} item={item} factsById={factsById} archive={archive} />
            ))}
          </ol>
        </>
      ) : null}
      {data.ledgerPublished ? <LedgerNote ctx={ctx} slug={campaign.slug} /> : <p class="hint">{t('evidence.ledger.notYet')}</p>}
    </Layout>
  );
}

/** The campaign page's part: the top facts with their status, and the way to the whole record. */
export function EvidenceSection({ ctx, facts, slug }: { ctx: PageContext; facts: readonly PublicFact[]; slug: string }) {
  const { t, locale } = ctx;
  if (facts.length === 0) return null;
  const top = [...facts].sort((a, b) => Number(b.fact.figure !== null) - Number(a.fact.figure !== null)).slice(0, 4);
  return (
    <section class="evidence" aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">{t('evidence.sectionTitle')}</h2>
      <ul class="facts">
        {top.map(({ fact }) => (
          <li>
            <a href={localeHref(ctx, `/c/${slug}/evidence#fact-${fact.id}`)} lang={fact.lang}>
              {fact.claim}
            </a>{' '}
            · <StatusText ctx={ctx} status={fact.status} />
          </li>
        ))}
      </ul>
      <p>
        <a href={localeHref(ctx, `/c/${slug}/evidence`)}>{t('evidence.seeAll', { count: facts.length, formatted: formatNumber(locale, facts.length) })}</a>
      </p>
    </section>
  );
}
