/**
 * The public record: `/c/{slug}/evidence` ("What we know"), cached like the campaign page (every evidence change and
 * every publication touches the campaign, so its updatedAt is in the key), and the read API `/api/v1/campaigns/{slug}/facts`.
 * Only public facts, sources and incidents are read (loadPublicEvidence), so nothing internal can reach either.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import { cachedRead } from '../../db/read-cache.ts';
import { pageContext } from '../../web/context.ts';
import { DEFAULT_LOCALE, type Locale } from '../../web/i18n.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { PageCache } from '../../web/page-cache.ts';
import { publicRoute } from '../../web/public-cache.ts';
import { listStatementsOfCampaign, targetText } from '../accountability/index.ts';
import { getPublicCampaign } from '../campaigns/index.ts';
import type { PublicFact, Source } from './model.ts';
import { findLatestPublishedExport } from './queries.ts';
import { loadStoredCopies } from './captures.ts';
import { loadPublicEvidence, type PublicEvidence } from './service.ts';
import { EvidencePage, shownStatements, type EvidencePageData, type ShownStatement } from './views.tsx';

/** What accountability holds now about each of the campaign's statements: name in `locale`, date mark, sources. */
export async function statementDetails(db: Database, campaignId: number, locale: Locale): Promise<Map<number, Omit<ShownStatement, 'link'>>> {
  const statements = await listStatementsOfCampaign(db, campaignId);
  return new Map(
    statements.map(({ statement, target }) => [
      statement.id,
      {
        targetName: targetText(target, locale).name,
        dateApproximate: statement.dateApproximate,
        verbatim: statement.verbatim,
        sources: statement.sources,
      },
    ]),
  );
}

export async function isLedgerPublished(db: Database, campaignId: number): Promise<boolean> {
  // The same cached read as the ledger's own routes, so a page view and the download that follows share it.
  return (await cachedRead(db, `evidence-ledger:${campaignId}`, () => findLatestPublishedExport(db, campaignId))) !== undefined;
}

export function registerEvidencePageRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const pages = new PageCache<Buffer>(100);

  app.get<{ Params: { slug: string } }>('/c/:slug/evidence', publicRoute(), async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const ctx = pageContext(request, reply);
    const key = `${ctx.locale}|${campaign.id}@${campaign.updatedAt}`;
    const html = await pages.render(key, async () => {
      const evidence = await loadPublicEvidence(db, campaign.id);
      const data: EvidencePageData = {
        evidence,
        statements: await statementDetails(db, campaign.id, ctx.locale),
        ledgerPublished: await isLedgerPublished(db, campaign.id),
        copies: await loadStoredCopies(
          db,
          evidence.sources.map((source) => source.id),
        ),
      };
      return Buffer.from(renderPage(<EvidencePage ctx={ctx} campaign={campaign} data={data} />));
    });
    return sendPage(reply, html);
  });

  app.get<{ Params: { slug: string } }>('/api/v1/campaigns/:slug/facts', async (request) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const evidence = await loadPublicEvidence(db, campaign.id);
    const statements = await statementDetails(db, campaign.id, DEFAULT_LOCALE);
    const { publicUrl } = app.deps.config;
    return {
      campaign: campaign.slug,
      facts: evidence.facts.map((item) => factJson(item, statements, `${publicUrl}/c/${campaign.slug}/evidence`)),
      incidents: incidentsJson(evidence),
    };
  });
}

function sourceJson(source: Source) {
  return {
    identifiers: [`outcry:source-${source.id}`],
    publisher: source.publisher,
    title: source.title,
    url: source.url,
    date: source.publishedOn,
    date_approximate: source.publishedApproximate,
    quote: source.quote,
    lang: source.lang,
  };
}

function factJson(item: PublicFact, statements: Map<number, Omit<ShownStatement, 'link'>>, pageUrl: string) {
  const { fact } = item;
  return {
    identifiers: [`outcry:fact-${fact.id}`],
    browser_url: `${pageUrl}#fact-${fact.id}`,
    claim: fact.claim,
    lang: fact.lang,
    figure: fact.figure && { value: fact.figure.value, unit: fact.figure.unit, qualifier: fact.figure.qualifier },
    status: fact.status,
    first_reported_date: fact.firstReportedOn,
    first_reported_approximate: fact.firstReportedApproximate,
    version: fact.version,
    sources: item.sources.map(sourceJson),
    statements: shownStatements(fact, statements).map((shown) => ({
      identifiers: [`outcry:statement-${shown.link.statementId}`],
      relation: shown.link.relation,
      target: `target-${shown.link.targetId}`,
      target_name: shown.targetName,
      stance: shown.link.stance,
      date: shown.link.statedOn,
      date_approximate: shown.dateApproximate,
      quote: shown.link.quote,
      lang: shown.link.lang,
      sources: shown.sources.map((s) => ({ publisher: s.publisher, url: s.url, date: s.publishedOn })),
    })),
    history: item.history.map((revision) => ({ version: revision.version, date: revision.at, hash: revision.hash })),
  };
}

function incidentsJson(evidence: PublicEvidence) {
  return evidence.incidents.map(({ incident, factIds, sources }) => ({
    identifiers: [`outcry:incident-${incident.id}`],
    start_date: incident.startsOn,
    end_date: incident.endsOn,
    date_approximate: incident.approximate,
    region: incident.region,
    counts: incident.counts,
    description: incident.description,
    lang: incident.lang,
    facts: factIds.map((id) => `outcry:fact-${id}`),
    sources: sources.map(sourceJson),
  }));
}
