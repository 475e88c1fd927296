/**
 * The public campaign pages: the home page (the featured campaign, or the list), a campaign's page with the sections
 * every feature adds to it, and the Mastodon share page. The first two are the same bytes for every visitor without
 * a session, so the reverse proxy in front keeps them (web/public-cache.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, type PageContext } from '../../web/context.ts';
import { issueFormStamp, SharedFormStamp } from '../../web/form-stamp.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { fillPlaceholders, PageCache, PLACEHOLDER } from '../../web/page-cache.ts';
import { publicRoute } from '../../web/public-cache.ts';
import type { Campaign } from './model.ts';
import type { CampaignSection, PageTokens, RejectedForm } from './sections.ts';
import { getHomeCampaigns, getPublicCampaign } from './service.ts';
import { parseMastodonInstance, SHARE_CODE_PATTERN } from './share.ts';
import { CampaignPage, HomePage, MastodonSharePage } from './views.tsx';

/** Per app: its rendered pages, their shared form stamp, and the sections its features add (listed once, not on every request). */
const pageCaches = new WeakMap<FastifyInstance, PageCache>();
const sharedStamps = new WeakMap<FastifyInstance, SharedFormStamp>();
const sectionLists = new WeakMap<FastifyInstance, readonly CampaignSection[]>();

function sectionsOf(app: FastifyInstance): readonly CampaignSection[] {
  let sections = sectionLists.get(app);
  if (!sections) sectionLists.set(app, (sections = app.features.flatMap((feature) => feature.campaignSections ?? [])));
  return sections;
}

/** The share code of the page's address, if it is one. */
function refOf(request: FastifyRequest): string {
  const ref = (request.query as Record<string, unknown> | undefined)?.['ref'];
  return typeof ref === 'string' && SHARE_CODE_PATTERN.test(ref) ? ref : '';
}

async function renderCampaign(
  request: FastifyRequest,
  ctx: PageContext,
  campaign: Campaign,
  options: { now: Date; tokens: PageTokens; rejected?: RejectedForm },
): Promise<string> {
  const { now, tokens, rejected } = options;
  const app = request.server;
  const sections = await Promise.all(sectionsOf(app).map((section) => section.render({ app, campaign, ctx, tokens, rejected })));
  return renderPage(
    <CampaignPage ctx={ctx} campaign={campaign} publicUrl={app.deps.config.publicUrl} now={now}>
      {sections}
    </CampaignPage>,
  );
}

/**
 * A campaign page, from the cache when nothing it shows has changed (record, language, day, every section's version).
 * The cached page holds placeholders where the shared form stamp of this ten-second window and the address's share
 * code go: every visitor of the same address in the same window gets the same bytes.
 */
async function campaignHtml(request: FastifyRequest, reply: FastifyReply, campaign: Campaign, kind: string): Promise<string> {
  const app = request.server;
  const ctx = pageContext(request, reply);
  const now = new Date();
  const versions = await Promise.all(sectionsOf(app).map((section) => section.version({ app, campaign })));
  const key = `${kind}|${ctx.locale}|${now.toISOString().slice(0, 10)}|${campaign.id}@${campaign.updatedAt}|${versions.join('|')}`;
  const pages = pageCaches.get(app)!;
  const html = await pages.render(key, () => renderCampaign(request, ctx, campaign, { now, tokens: PLACEHOLDER }));
  return fillPlaceholders(html, { stamp: sharedStamps.get(app)!.stamp(now.getTime()), ref: refOf(request) });
}

/**
 * The campaign page again with a rejected form, the submitter's values kept and each error shown: this visitor's alone,
 * never cached, with a stamp of their own.
 */
export async function sendCampaignPageWithRejectedForm(
  request: FastifyRequest,
  reply: FastifyReply,
  campaign: Campaign,
  rejected: RejectedForm,
): Promise<FastifyReply> {
  const ctx = pageContext(request, reply);
  const sentRef = rejected.values['ref'];
  const ref = typeof sentRef === 'string' && SHARE_CODE_PATTERN.test(sentRef) ? sentRef : '';
  const tokens = { stamp: issueFormStamp(request.server.deps.keys.formStamp), ref };
  reply.header('cache-control', 'no-store');
  return sendPage(reply, await renderCampaign(request, ctx, campaign, { now: new Date(), tokens, rejected }), 400);
}

export function registerCampaignRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  pageCaches.set(app, new PageCache());
  sharedStamps.set(app, new SharedFormStamp(app.deps.keys.formStamp));

  app.get('/', publicRoute(), async (request, reply) => {
    const { featured, published } = await getHomeCampaigns(db);
    if (featured) return sendPage(reply, await campaignHtml(request, reply, featured, 'home'));
    return sendPage(reply, <HomePage ctx={pageContext(request, reply)} published={published} />);
  });

  app.get<{ Params: { slug: string } }>('/c/:slug', publicRoute(), async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    return sendPage(reply, await campaignHtml(request, reply, campaign, 'campaign'));
  });

  app.get<{ Querystring: { text?: unknown; instance?: unknown } }>('/share/mastodon', async (request, reply) => {
    const text = typeof request.query.text === 'string' ? request.query.text.slice(0, 1000) : '';
    const rawInstance = request.query.instance;
    const ctx = pageContext(request, reply);
    if (typeof rawInstance === 'string') {
      const host = parseMastodonInstance(rawInstance);
      // A page with the link, never a redirect: this address must not send anyone to another site unseen.
      const destination = host ? { host, href: `https://${host}/share?${new URLSearchParams({ text })}` } : undefined;
      return sendPage(reply, <MastodonSharePage ctx={ctx} text={text} error={!destination} destination={destination} />, destination ? 200 : 400);
    }
    return sendPage(reply, <MastodonSharePage ctx={ctx} text={text} error={false} />);
  });
}
