import type { Campaign } from '../campaigns/index.ts';
import { textFor } from '../campaigns/index.ts';
import { localeHref, type PageContext } from '../../web/context.ts';
import { countryName } from '../../web/countries.ts';
import { formatDate, formatNumber, type Locale } from '../../web/i18n.ts';
import { Layout } from '../../web/layout.tsx';
import { type Ask, STANCE_SYMBOLS, type Standing, type Statement, targetText } from './model.ts';
import type { ScoreboardEntry } from './scoreboard.ts';
import { type TimelineMilestone, TimelineSvg } from './timeline-svg.tsx';

function DateText({ locale, date, approximate }: { locale: Locale; date: string; approximate: boolean }) {
  const text = formatDate(locale, date, { dateStyle: 'long' });
  return <time dateTime={date}>{approximate ? `≈ ${text}` : text}</time>;
}

/** The stance in words, with its symbol beside them (hidden from screen readers, which read the words). */
export function StanceText({ ctx, standing }: { ctx: PageContext; standing: Standing }) {
  const { t } = ctx;
  if (!standing.stance) return <span class="stance none">{t('accountability.noStatement')}</span>;
  return (
    <span class={`stance ${standing.stance}`}>
      <span aria-hidden="true">{STANCE_SYMBOLS[standing.stance]} </span>
      {t(`accountability.stance_${standing.stance}`)}
    </span>
  );
}

/** "Silent for 103 days", "Answered on 2 May 2017", or "Not asked yet". */
export function SilenceText({ ctx, standing }: { ctx: PageContext; standing: Standing }) {
  const { t, locale } = ctx;
  if (standing.silentDays !== null) {
    return (
      <strong class="silence">
        <span aria-hidden="true">… </span>
        {t('accountability.silentDays', { count: standing.silentDays, formatted: formatNumber(locale, standing.silentDays) })}
      </strong>
    );
  }
  if (standing.lastAnsweredOn) {
    return <span>{t('accountability.answeredOn', { date: formatDate(locale, standing.lastAnsweredOn) })}</span>;
  }
  return <span>{t('accountability.notAsked')}</span>;
}

export function ScoreboardTable({ ctx, entries, slug }: { ctx: PageContext; entries: readonly ScoreboardEntry[]; slug: string }) {
  const { t, locale } = ctx;
  return (
    <table class="scoreboard">
      <caption>{t('accountability.scoreboardCaption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('accountability.target')}</th>
          <th scope="col">{t('accountability.stance')}</th>
          <th scope="col">{t('accountability.silence')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(({ target, standing }) => {
          const text = targetText(target, locale);
          return (
            <tr>
              <th scope="row">
                <a href={localeHref(ctx, `/c/${slug}/accountability#target-${target.id}`)}>{text.name}</a>
                {text.office ? <span class="office">{text.office}</span> : null}
              </th>
              <td>
                <StanceText ctx={ctx} standing={standing} />
              </td>
              <td>
                <SilenceText ctx={ctx} standing={standing} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function AskItem({ ctx, ask }: { ctx: PageContext; ask: Ask }) {
  const { t, locale } = ctx;
  return (
    <li class="event ask">
      <DateText locale={locale} date={ask.askedOn} approximate={ask.dateApproximate} />{' '}
      <strong>
        <span aria-hidden="true">○ </span>
        {t('accountability.askedVia', { channel: t(`accountability.channel_${ask.channel}`) })}
      </strong>
      <p lang={ask.lang}>{ask.summary}</p>
    </li>
  );
}

/** Where a statement was reported: each publisher linked, with the date; also beside the facts a statement denies. */
export function StatementSources({ ctx, sources }: { ctx: PageContext; sources: readonly { url: string; publisher: string; publishedOn: string | null }[] }) {
  const { t, locale } = ctx;
  return (
    <p class="sources">
      {t('accountability.sources')}{' '}
      {sources.map((source, i) => (
        <>
          {i > 0 ? '; ' : ''}
          <a href={source.url} rel="noopener noreferrer nofollow">
            {source.publisher}
          </a>
          {source.publishedOn ? ` (${formatDate(locale, source.publishedOn, { dateStyle: 'medium' })})` : ''}
        </>
      ))}
    </p>
  );
}

function StatementItem({ ctx, statement }: { ctx: PageContext; statement: Statement }) {
  const { t, locale } = ctx;
  const [firstSource] = statement.sources;
  return (
    <li class="event statement">
      <DateText locale={locale} date={statement.statedOn} approximate={statement.dateApproximate} />{' '}
      <strong>
        <span aria-hidden="true">{statement.answersAsk ? '■' : '□'} </span>
        <span aria-hidden="true">{STANCE_SYMBOLS[statement.stance]} </span>
        {t(`accountability.stance_${statement.stance}`)}
      </strong>{' '}
      <span>{statement.answersAsk ? t('accountability.answers') : t('accountability.doesNotAnswer')}</span>
      {statement.verbatim ? (
        <blockquote lang={statement.lang} cite={firstSource?.url}>
          <p>{statement.quote}</p>
        </blockquote>
      ) : (
        <p class="reported">
          {t('accountability.reported')} <span lang={statement.lang}>{statement.quote}</span>
        </p>
      )}
      <StatementSources ctx={ctx} sources={statement.sources} />
    </li>
  );
}

/** One target's record: who they are, where they stand, and every ask and statement in date order. */
function TargetRecord({ ctx, entry }: { ctx: PageContext; entry: ScoreboardEntry }) {
  const { t, locale } = ctx;
  const { target, standing } = entry;
  const text = targetText(target, locale);
  const events = [
    ...entry.asks.map((ask) => ({ date: ask.askedOn, order: 0, node: <AskItem ctx={ctx} ask={ask} /> })),
    ...entry.statements.map((statement) => ({ date: statement.statedOn, order: 1, node: <StatementItem ctx={ctx} statement={statement} /> })),
  ].sort((a, b) => a.date.localeCompare(b.date) || a.order - b.order);
  return (
    <section class="target" id={`target-${target.id}`} aria-labelledby={`target-${target.id}-name`}>
      {entry.pictureUrl ? <img class="portrait" src={entry.pictureUrl} alt="" width={96} height={96} loading="lazy" /> : null}
      <h3 id={`target-${target.id}-name`}>{text.name}</h3>
      <p>{[text.office, target.country ? countryName(locale, target.country) : '', t(`accountability.kind_${target.kind}`)].filter(Boolean).join(' · ')}</p>
      <p>
        <StanceText ctx={ctx} standing={standing} /> · <SilenceText ctx={ctx} standing={standing} />
      </p>
      {events.length > 0 ? <ol class="events">{events.map((e) => e.node)}</ol> : <p>{t('accountability.nothingYet')}</p>}
      {target.links.length > 0 ? (
        <ul class="links">
          {target.links.map((link) => (
            <li>
              <a href={link} rel="noopener noreferrer nofollow">
                {new URL(link).host}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export function AccountabilityPage({
  ctx,
  campaign,
  entries,
  today,
  milestones,
}: {
  ctx: PageContext;
  campaign: Campaign;
  entries: readonly ScoreboardEntry[];
  today: string;
  milestones: readonly TimelineMilestone[];
}) {
  const { t } = ctx;
  const campaignText = textFor(campaign, ctx.locale).text;
  return (
    <Layout ctx={ctx} title={`${t('accountability.title')} · ${campaignText.title}`} description={t('accountability.description')}>
      <p>
        <a href={localeHref(ctx, `/c/${campaign.slug}`)}>{campaignText.title}</a>
      </p>
      <h1>{t('accountability.title')}</h1>
      <p>{t('accountability.intro')}</p>
      {entries.length === 0 ? (
        <p>{t('accountability.noTargets')}</p>
      ) : (
        <>
          <ScoreboardTable ctx={ctx} entries={entries} slug={campaign.slug} />
          <p class="hint">{t('accountability.silenceRule')}</p>
          <h2>{t('accountability.timeline')}</h2>
          <TimelineSvg ctx={ctx} entries={entries} today={today} milestones={milestones} />
          <p class="legend">{t('accountability.legend')}</p>
          <h2>{t('accountability.records')}</h2>
          {entries.map((entry) => (
            <TargetRecord ctx={ctx} entry={entry} />
          ))}
        </>
      )}
    </Layout>
  );
}

/** The campaign page's part: the scoreboard, most silent first, and a link to the whole record. */
export function AccountabilitySection({ ctx, entries, slug }: { ctx: PageContext; entries: readonly ScoreboardEntry[]; slug: string }) {
  const { t } = ctx;
  if (entries.length === 0) return null;
  const ordered = [...entries].sort((a, b) => (b.standing.silentDays ?? -1) - (a.standing.silentDays ?? -1)).slice(0, 6);
  return (
    <section class="accountability" aria-labelledby="accountability-heading">
      <h2 id="accountability-heading">{t('accountability.sectionTitle')}</h2>
      <ScoreboardTable ctx={ctx} entries={ordered} slug={slug} />
      <p>
        <a href={localeHref(ctx, `/c/${slug}/accountability`)}>{t('accountability.seeAll', { count: entries.length })}</a>
      </p>
    </section>
  );
}
