import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../web/context.ts';
import { sendPage } from '../../web/layout.tsx';
import { getHomeCampaigns, getPublicCampaign } from './service.ts';
import { parseMastodonInstance } from './share.ts';
import { CampaignPage, HomePage, MastodonSharePage } from './views.tsx';

export function registerCampaignRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const { publicUrl } = app.deps.config;

  app.get('/', async (request, reply) => {
    const { featured, published } = await getHomeCampaigns(db);
    return sendPage(reply, <HomePage ctx={pageContext(request, reply)} featured={featured} published={published} publicUrl={publicUrl} now={new Date()} />);
  });

  app.get<{ Params: { slug: string } }>('/c/:slug', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    return sendPage(reply, <CampaignPage ctx={pageContext(request, reply)} campaign={campaign} publicUrl={publicUrl} now={new Date()} />);
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
