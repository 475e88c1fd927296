/**
 * The public record: `/c/{slug}/accountability` (cached like the campaign page, per language and per day in
 * TIME_ZONE, since the silence counters change once a day), and the read API under `/api/v1/`.
 */
import type { FastifyInstance } from 'fastify';
import { getPublicCampaign } from '../campaigns/index.ts';
import { listMilestonesReached, petitionsOfCampaign, petitionTextFor } from '../petitions/index.ts';
import { pageContext } from '../../web/context.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { PageCache } from '../../web/page-cache.ts';
import { publicRoute } from '../../web/public-cache.ts';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { parseId } from '../../web/form.ts';
import { targetText, todayIn } from './model.ts';
import { findPicture, pictureUrl } from './pictures.ts';
import { loadScoreboard, type ScoreboardEntry } from './scoreboard.ts';
import type { TimelineMilestone } from './timeline-svg.tsx';
import { AccountabilityPage } from './views.tsx';
import { formatNumber, translator, type Locale } from '../../web/i18n.ts';

/** Every milestone the campaign's petitions have reached, for the timeline's axis. */
async function campaignMilestones(db: Database, campaignId: number, locale: Locale): Promise<TimelineMilestone[]> {
  const t = translator(locale);
  const petitions = await petitionsOfCampaign(db, campaignId);
  const reached = await Promise.all(
    petitions.map(async (petition) =>
      (await listMilestonesReached(db, petition.id)).map((m) => ({
        date: m.reachedAt.slice(0, 10),
        label: t('accountability.milestone', {
          title: petitionTextFor(petition, locale, []).text.title,
          count: m.milestone,
          formatted: formatNumber(locale, m.milestone),
        }),
      })),
    ),
  );
  return reached.flat();
}

export function registerAccountabilityRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const { timeZone } = app.deps.config;
  // Kept encoded: a page with thousands of statements is a megabyte or more, and encoding it per request would cost
  // more than everything else the request does.
  const pages = new PageCache<Buffer>(100);

  app.get<{ Params: { slug: string } }>('/c/:slug/accountability', publicRoute(), async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const ctx = pageContext(request, reply);
    const today = todayIn(timeZone, new Date());
    const milestones = await campaignMilestones(db, campaign.id, ctx.locale);
    const key = `${ctx.locale}|${today}|${campaign.id}@${campaign.updatedAt}|${milestones.length}`;
    const html = await pages.render(key, async () => {
      const entries = await loadScoreboard(db, campaign.id, today);
      return Buffer.from(renderPage(<AccountabilityPage ctx={ctx} campaign={campaign} entries={entries} today={today} milestones={milestones} />));
    });
    return sendPage(reply, html);
  });

  app.get<{ Params: { id: string; file: string } }>('/media/targets/:id/:file', async (request, reply) => {
    const targetId = parseId(request.params.id);
    const picture = targetId === undefined ? undefined : await findPicture(db, targetId);
    if (
      !picture ||
      pictureUrl({ targetId: targetId!, sha256: picture.sha256, contentType: picture.contentType }) !==
        `/media/targets/${request.params.id}/${request.params.file}`
    ) {
      throw new AppError('not_found', 'No such picture.');
    }
    // The address names the picture's hash: a new picture gets a new address, so this one may be kept for good.
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-disposition', 'inline')
      .type(picture.contentType)
      .send(picture.bytes);
  });

  app.get<{ Params: { slug: string } }>('/api/v1/campaigns/:slug/targets', async (request) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const today = todayIn(timeZone, new Date());
    const entries = await loadScoreboard(db, campaign.id, today);
    return { campaign: campaign.slug, today, targets: entries.map((entry) => targetJson(entry, app.deps.config.publicUrl, campaign.slug)) };
  });

  app.get<{ Params: { slug: string } }>('/api/v1/campaigns/:slug/statements', async (request) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const entries = await loadScoreboard(db, campaign.id, todayIn(timeZone, new Date()));
    return {
      campaign: campaign.slug,
      statements: entries.flatMap((entry) => entry.statements.map((s) => ({ ...statementJson(s), target: `target-${entry.target.id}` }))),
    };
  });
}

/** Close to OSDI's advocacy "target": identifiers, names, and the campaign's record of them. */
function targetJson(entry: ScoreboardEntry, publicUrl: string, slug: string) {
  const { target, standing } = entry;
  return {
    identifiers: [`outcry:target-${target.id}`],
    browser_url: `${publicUrl}/c/${slug}/accountability#target-${target.id}`,
    kind: target.kind,
    country: target.country,
    names: Object.fromEntries(Object.entries(target.texts).map(([locale, text]) => [locale, { name: text.name, title: text.office }])),
    name: targetText(target, 'en').name,
    links: target.links,
    picture_url: entry.pictureUrl ? `${publicUrl}${entry.pictureUrl}` : null,
    stance: standing.stance,
    latest_statement_date: standing.latestStatementOn,
    last_answered_date: standing.lastAnsweredOn,
    silent_since: standing.silentSince,
    silent_days: standing.silentDays,
    asks: entry.asks.map((ask) => ({
      identifiers: [`outcry:ask-${ask.id}`],
      date: ask.askedOn,
      date_approximate: ask.dateApproximate,
      channel: ask.channel,
      description: ask.summary,
      lang: ask.lang,
    })),
    statements: entry.statements.map(statementJson),
  };
}

function statementJson(statement: ScoreboardEntry['statements'][number]) {
  return {
    identifiers: [`outcry:statement-${statement.id}`],
    date: statement.statedOn,
    date_approximate: statement.dateApproximate,
    stance: statement.stance,
    answers_ask: statement.answersAsk,
    quote: statement.quote,
    lang: statement.lang,
    sources: statement.sources.map((s) => ({ publisher: s.publisher, url: s.url, date: s.publishedOn })),
  };
}
