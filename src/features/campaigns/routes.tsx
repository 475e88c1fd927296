import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../errors.ts';
import { pageContext, type PageContext } from '../../web/context.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { fillPlaceholders, PageCache, PLACEHOLDER } from '../../web/page-cache.ts';
import { issueFormStamp } from '../petitions/form-stamp.ts';
import { SHARE_CODE_PATTERN } from '../petitions/service.ts';
import { milestonesVersion, petitionsOfCampaign, petitionsVersion, renderPetitionSections } from '../petitions/page.tsx';
import type { Campaign } from './model.ts';
import { getHomeCampaigns, getPublicCampaign } from './service.ts';
import { parseMastodonInstance } from './share.ts';
import { CampaignPage, HomePage, MastodonSharePage } from './views.tsx';

export interface RejectedForm {
  petitionId: number;
  values: Record<string, unknown>;
  errors: FieldErrors;
}

export function registerCampaignRoutes(app: FastifyInstance) {
  const { deps } = app;
  const { db } = deps.database;
  const { publicUrl } = deps.config;
  const pages = new PageCache();

  /** Where the per-request values go: placeholders in a cached page, real values in a one-off render. */
  const tokensFor = (request: FastifyRequest, ctx: PageContext) => {
    const ref = (request.query as Record<string, unknown> | undefined)?.['ref'];
    return { csrf: ctx.csrfToken(), stamp: issueFormStamp(deps.keys.formStamp), ref: typeof ref === 'string' && SHARE_CODE_PATTERN.test(ref) ? ref : '' };
  };

  /**
   * A campaign page, from the cache when nothing it shows has changed (record, language, day, counts). The cached
   * page holds placeholders where this request's CSRF token, form timestamp and share code go.
   */
  const campaignHtml = async (request: FastifyRequest, reply: FastifyReply, campaign: Campaign, kind: string): Promise<string> => {
    const ctx = pageContext(request, reply);
    const now = new Date();
    const petitions = await petitionsOfCampaign(db, campaign.id);
    const { requireProofOfWork } = await deps.switches.get();
    const key = `${kind}|${ctx.locale}|${now.toISOString().slice(0, 10)}|${campaign.id}@${campaign.updatedAt}|${petitionsVersion(deps.countBoard, petitions)}|${await milestonesVersion(db, deps.countBoard, campaign.id, petitions)}|pow:${requireProofOfWork}`;
    const html = await pages.render(key, async () => {
      const sections = await renderPetitionSections({ db, board: deps.countBoard, ctx, campaign, petitions, tokens: PLACEHOLDER, requireProofOfWork });
      return renderPage(<CampaignPage ctx={ctx} campaign={campaign} publicUrl={publicUrl} now={now}>{sections}</CampaignPage>);
    });
    return fillPlaceholders(html, tokensFor(request, ctx));
  };

  app.get('/', async (request, reply) => {
    const { featured, published } = await getHomeCampaigns(db);
    if (featured) return sendPage(reply, await campaignHtml(request, reply, featured, 'home'));
    const ctx = pageContext(request, reply);
    return sendPage(reply, <HomePage ctx={ctx} published={published} />);
  });

  app.get<{ Params: { slug: string } }>('/c/:slug', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    return sendPage(reply, await campaignHtml(request, reply, campaign, 'campaign'));
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

  return {
    /** The campaign page again with a signer's rejected form, their values kept and each error shown: never cached. */
    async renderWithRejectedForm(request: FastifyRequest, reply: FastifyReply, slug: string, rejected: RejectedForm): Promise<FastifyReply> {
      const campaign = await getPublicCampaign(db, slug);
      const ctx = pageContext(request, reply);
      const petitions = await petitionsOfCampaign(db, campaign.id);
      const { requireProofOfWork } = await deps.switches.get();
      const sections = await renderPetitionSections({ db, board: deps.countBoard, ctx, campaign, petitions, tokens: tokensFor(request, ctx), rejected, requireProofOfWork });
      return sendPage(reply, <CampaignPage ctx={ctx} campaign={campaign} publicUrl={publicUrl} now={new Date()}>{sections}</CampaignPage>, 400);
    },
  };
}
