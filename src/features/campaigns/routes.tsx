/**
 * The public campaign pages: the home page (the featured campaign, or the list), a campaign's page with the sections
 * every feature adds to it, and the Mastodon share page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, type PageContext } from '../../web/context.ts';
import { issueFormStamp } from '../../web/form-stamp.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { fillPlaceholders, PageCache, PLACEHOLDER } from '../../web/page-cache.ts';
import type { Campaign } from './model.ts';
import type { CampaignSection, FormTokens, RejectedForm } from './sections.ts';
import { getHomeCampaigns, getPublicCampaign } from './service.ts';
import { parseMastodonInstance, SHARE_CODE_PATTERN } from './share.ts';
import { CampaignPage, HomePage, MastodonSharePage } from './views.tsx';

/** Per app: its rendered pages, and the sections its features add (listed once, not on every request). */
const pageCaches = new WeakMap<FastifyInstance, PageCache>();
const sectionLists = new WeakMap<FastifyInstance, readonly CampaignSection[]>();

function sectionsOf(app: FastifyInstance): readonly CampaignSection[] {
  let sections = sectionLists.get(app);
  if (!sections) sectionLists.set(app, (sections = app.features.flatMap((feature) => feature.campaignSections ?? [])));
  return sections;
}

/** This request's values for the placeholders in a cached page. */
function tokensFor(request: FastifyRequest, ctx: PageContext): FormTokens {
  const ref = (request.query as Record<string, unknown> | undefined)?.['ref'];
  return {
    csrf: ctx.csrfToken(),
    stamp: issueFormStamp(request.server.deps.keys.formStamp),
    ref: typeof ref === 'string' && SHARE_CODE_PATTERN.test(ref) ? ref : '',
  };
}

async function renderCampaign(
  request: FastifyRequest,
  ctx: PageContext,
  campaign: Campaign,
  options: { now: Date; tokens: FormTokens; rejected?: RejectedForm },
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
 * The cached page holds placeholders where this request's CSRF token, form timestamp and share code go.
 */
async function campaignHtml(request: FastifyRequest, reply: FastifyReply, campaign: Campaign, kind: string): Promise<string> {
  const app = request.server;
  const ctx = pageContext(request, reply);
  const now = new Date();
  const versions = await Promise.all(sectionsOf(app).map((section) => section.version({ app, campaign })));
  const key = `${kind}|${ctx.locale}|${now.toISOString().slice(0, 10)}|${campaign.id}@${campaign.updatedAt}|${versions.join('|')}`;
  const pages = pageCaches.get(app)!;
  const html = await pages.render(key, () => renderCampaign(request, ctx, campaign, { now, tokens: PLACEHOLDER }));
  return fillPlaceholders(html, tokensFor(request, ctx));
}

/** The campaign page again with a rejected form, the submitter's values kept and each error shown: never cached. */
export async function sendCampaignPageWithRejectedForm(
  request: FastifyRequest,
  reply: FastifyReply,
  campaign: Campaign,
  rejected: RejectedForm,
): Promise<FastifyReply> {
  const ctx = pageContext(request, reply);
  return sendPage(reply, await renderCampaign(request, ctx, campaign, { now: new Date(), tokens: tokensFor(request, ctx), rejected }), 400);
}

export function registerCampaignRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  pageCaches.set(app, new PageCache());

  app.get('/', async (request, reply) => {
    const { featured, published } = await getHomeCampaigns(db);
    if (featured) return sendPage(reply, await campaignHtml(request, reply, featured, 'home'));
    return sendPage(reply, <HomePage ctx={pageContext(request, reply)} published={published} />);
  });

  app.get<{ Params: { slug: string } }>('/c/:slug', async (request, reply) => {
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
