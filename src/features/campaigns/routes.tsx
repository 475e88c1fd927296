import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../web/context.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { PageCache } from '../../web/page-cache.ts';
import type { Campaign } from './model.ts';
import { getHomeCampaigns, getPublicCampaign } from './service.ts';
import { parseMastodonInstance } from './share.ts';
import { CampaignPage, HomePage, MastodonSharePage } from './views.tsx';

/** What a public campaign page depends on: the record's version, the language and the day (for the counter). */
function pageKey(campaigns: Campaign[], locale: string, now: Date): string {
  return `${locale}|${now.toISOString().slice(0, 10)}|${campaigns.map((c) => `${c.id}@${c.updatedAt}`).join(',')}`;
}

export function registerCampaignRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const { publicUrl } = app.deps.config;
  const pages = new PageCache();

  app.get('/', async (request, reply) => {
    const { featured, published } = await getHomeCampaigns(db);
    const ctx = pageContext(request, reply);
    const now = new Date();
    const html = pages.render(`home|${pageKey(published, ctx.locale, now)}`, () =>
      renderPage(<HomePage ctx={ctx} featured={featured} published={published} publicUrl={publicUrl} now={now} />),
    );
    return sendPage(reply, html);
  });

  app.get<{ Params: { slug: string } }>('/c/:slug', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const ctx = pageContext(request, reply);
    const now = new Date();
    const html = pages.render(`campaign|${pageKey([campaign], ctx.locale, now)}`, () =>
      renderPage(<CampaignPage ctx={ctx} campaign={campaign} publicUrl={publicUrl} now={now} />),
    );
    return sendPage(reply, html);
  });

  app.get<{ Querystring: { text?: unknown; instance?: unknown } }>('/share/mastodon', async (request, reply) => {
    const text = typeof request.query.text === 'string' ? request.query.text.slice(0, 1000) : '';
    const rawInstance = request.query.instance;
    if (typeof rawInstance === 'string') {
      const instance = parseMastodonInstance(rawInstance);
      if (instance) return reply.redirect(`https://${instance}/share?${new URLSearchParams({ text })}`, 303);
    }
    return sendPage(reply, <MastodonSharePage ctx={pageContext(request, reply)} text={text} error={typeof rawInstance === 'string'} />, typeof rawInstance === 'string' ? 400 : 200);
  });
}
