/**
 * The public endorsement routes: the page of verified endorsements, the suggestion form (and its thank-you page), and
 * the same verified endorsements as JSON. Pages are cached per version, as the campaign page is.
 */
import type { FastifyInstance } from 'fastify';
import { AppError, isAppError } from '../../errors.ts';
import { clientKey } from '../../web/client-key.ts';
import { pageContext, type PageContext } from '../../web/context.ts';
import { asFormBody, type FormBody } from '../../web/form.ts';
import { formStampAgeMs, issueFormStamp, SpentStamps, stampIssuedAt, stampVerdict } from '../../web/form-stamp.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { fillPlaceholders, PageCache, PLACEHOLDER } from '../../web/page-cache.ts';
import { publicRoute } from '../../web/public-cache.ts';
import { TokenBucketLimiter } from '../../web/rate-limit.ts';
import { type Campaign, getPublicCampaign } from '../campaigns/index.ts';
import { toOsdiEndorsement } from './api.ts';
import { parseSuggestionForm } from './parse.ts';
import { endorsementsVersion, publicEndorsements, suggestEndorsement } from './service.ts';
import { EndorsementsPage, SuggestedPage, SuggestPage } from './views.tsx';

type SlugParams = { Params: { slug: string } };

/** True when the form looks sent by a person: the hidden field left empty, a genuine stamp spent for the first time. */
function isLikelyPerson(body: FormBody, stampKey: Buffer, spent: SpentStamps): boolean {
  const honeypot = body['website'];
  if (honeypot !== undefined && honeypot !== '') return false;
  const stamp = body['ts'];
  const age = formStampAgeMs(stampKey, stamp);
  const verdict = stampVerdict(stamp, age);
  // An expired stamp is a tab left open for hours: a person, whose suggestion goes to review like any other.
  if (verdict !== 'ok' && verdict !== 'expired') return false;
  return spent.use(String(stamp), stampIssuedAt(String(stamp)));
}

export function registerEndorsementRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const pages = new PageCache();
  const spentStamps = new SpentStamps();
  // Five suggestions in a burst from one client, then one a minute: plenty for a person, little for a script.
  const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 / 60 });

  const tokensFor = (ctx: PageContext) => ({ csrf: ctx.csrfToken(), stamp: issueFormStamp(app.deps.keys.formStamp), ref: '' });

  async function cachedPage(ctx: PageContext, key: string, render: () => string): Promise<string> {
    return pages.render(`${key}|${ctx.locale}`, render);
  }

  function campaignKey(campaign: Campaign): string {
    return `${campaign.id}@${campaign.updatedAt}`;
  }

  app.get<SlugParams>('/c/:slug/endorsements', publicRoute(), async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const endorsements = await publicEndorsements(db, campaign.id);
    const ctx = pageContext(request, reply);
    const key = `list|${campaignKey(campaign)}|${endorsementsVersion(endorsements)}`;
    return sendPage(reply, await cachedPage(ctx, key, () => renderPage(<EndorsementsPage ctx={ctx} campaign={campaign} endorsements={endorsements} />)));
  });

  app.get<SlugParams>('/c/:slug/endorsements/suggest', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const ctx = pageContext(request, reply);
    const html = await cachedPage(ctx, `suggest|${campaignKey(campaign)}`, () =>
      renderPage(<SuggestPage ctx={ctx} campaign={campaign} tokens={PLACEHOLDER} values={{}} errors={{}} />),
    );
    return sendPage(reply, fillPlaceholders(html, tokensFor(ctx)));
  });

  app.post<SlugParams>('/c/:slug/endorsements/suggest', { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    if (!limiter.take(clientKey(request.ip))) throw new AppError('rate_limited', 'Too many suggestions from this connection. Please wait a few minutes.');
    const body = asFormBody(request.body);
    const ctx = pageContext(request, reply);
    try {
      const input = parseSuggestionForm(body);
      // A script is thanked like anyone else, and nothing is stored.
      if (isLikelyPerson(body, app.deps.keys.formStamp, spentStamps)) await suggestEndorsement(db, { campaignId: campaign.id, input, lang: ctx.locale });
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      reply.header('cache-control', 'no-store');
      return sendPage(reply, <SuggestPage ctx={ctx} campaign={campaign} tokens={tokensFor(ctx)} values={body} errors={error.fields ?? {}} />, 400);
    }
    return reply.redirect(`/c/${campaign.slug}/endorsements/suggested`, 303);
  });

  app.get<SlugParams>('/c/:slug/endorsements/suggested', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    return sendPage(reply, <SuggestedPage ctx={pageContext(request, reply)} campaign={campaign} />);
  });

  app.get<SlugParams>('/api/v1/campaigns/:slug/endorsements', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const endorsements = await publicEndorsements(db, campaign.id);
    // A short public cache, as for the count: an endorsement withdrawn from the page leaves the feed soon after.
    return reply.header('cache-control', 'public, max-age=10').send({
      campaign: { slug: campaign.slug, browser_url: `${app.deps.config.publicUrl}/c/${campaign.slug}/endorsements` },
      total_records: endorsements.length,
      endorsements: endorsements.map(toOsdiEndorsement),
    });
  });
}
