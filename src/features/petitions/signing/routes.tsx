/**
 * The public signing routes: sign (a form or JSON), a visitor's own form stamp, the "check your email" page, the count
 * as JSON, and the two mailed links (confirm, withdraw), each a page with a button because mail scanners follow links.
 */
import type { FastifyInstance } from 'fastify';
import { AppError, isAppError } from '../../../errors.ts';
import { localeHref, pageContext } from '../../../web/context.ts';
import { clientKey } from '../../../web/client-key.ts';
import { mediaType } from '../../../web/csrf.ts';
import { issueFormStamp } from '../../../web/form-stamp.ts';
import { asFormBody, parseId } from '../../../web/form.ts';
import { isLocale } from '../../../web/i18n.ts';
import { sendPage } from '../../../web/layout.tsx';
import { PUBLIC_COUNT, publicRoute } from '../../../web/public-cache.ts';
import { findCampaignById, getPublicCampaign, sendCampaignPageWithRejectedForm } from '../../campaigns/index.ts';
import { mainPetition } from '../model.ts';
import { petitionsOfCampaign, petitionToSign } from '../service.ts';
import { confirmSignature, lookUpConfirmation, lookUpWithdrawal, withdrawSignature, type TokenTarget } from './confirm.ts';
import { parseSignForm, signPetition } from './sign.ts';
import { SignedPage, TokenActionPage } from './views.tsx';

type SlugParams = { Params: { slug: string } };
type TokenParams = { Params: { token: string } };

export function registerSigningRoutes(app: FastifyInstance): void {
  const { deps, countBoard } = app;
  const { db } = deps.database;

  app.post<SlugParams>(
    '/c/:slug/sign',
    // No CSRF token: the form is on a page shared caches keep. A browser's cross-site post, form or JSON, is refused
    // before this by Sec-Fetch-Site or Origin (app.ts); a signature counts only once confirmed (README, security).
    { config: { csrf: false }, bodyLimit: 16 * 1024 },
    async (request, reply) => {
      const campaign = await getPublicCampaign(db, request.params.slug);
      const body = asFormBody(request.body);
      const json = mediaType(request) === 'application/json';
      const ctx = pageContext(request, reply);
      try {
        const form = parseSignForm(body);
        await signPetition(app.signing, {
          campaignId: campaign.id,
          campaignSlug: campaign.slug,
          form,
          clientKey: clientKey(request.ip),
          locale: ctx.locale,
          channel: json ? 'api' : 'form',
        });
      } catch (error) {
        if (isAppError(error)) app.signing.metrics.refused(error.code);
        if (json || !isAppError(error) || error.code !== 'validation_failed') throw error;
        const petition = await petitionToSign(db, campaign.id, parseId(body['petition']));
        return sendCampaignPageWithRejectedForm(request, reply, campaign, { form: String(petition.id), values: body, errors: error.fields ?? {} });
      }
      if (json) return reply.code(202).header('cache-control', 'no-store').send({ status: 'pending' });
      // The form of a page in a chosen language posts with its ?lang=, and the next page keeps it (no cookie holds it).
      const signed = `/c/${campaign.slug}/signed`;
      return reply.redirect(isLocale((request.query as Record<string, unknown>)['lang']) ? localeHref(ctx, signed) : signed, 303);
    },
  );

  // The cached campaign page carries a stamp shared by everyone who got that copy; its script fetches the visitor's
  // own here once they start on the form (spent once, and the only kind a proof of work counts with).
  app.get<SlugParams>('/c/:slug/form-stamp', async (request, reply) => {
    await getPublicCampaign(db, request.params.slug);
    return reply.header('cache-control', 'no-store').send({ stamp: issueFormStamp(deps.keys.formStamp) });
  });

  app.get<SlugParams>('/c/:slug/signed', publicRoute(), async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    return sendPage(reply, <SignedPage ctx={pageContext(request, reply)} slug={campaign.slug} />);
  });

  app.get<SlugParams>('/c/:slug/count.json', publicRoute(PUBLIC_COUNT), async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const petitions = await petitionsOfCampaign(db, campaign.id);
    const main = mainPetition(petitions);
    const count = main ? countBoard.count(main.id) : undefined;
    // A short public cache (PUBLIC_COUNT): a crowd polling the count is served by any proxy in front, and by us from memory.
    return reply.send({
      slug: campaign.slug,
      signatures: count?.total ?? 0,
      goal: main?.goal ?? campaign.goal,
      // Nothing counted yet: the count is as old as the petition's last change.
      updatedAt: count?.updatedAt ?? main?.updatedAt ?? campaign.updatedAt,
    });
  });

  const slugOf = async (target: TokenTarget): Promise<string | undefined> => {
    const petition = await db.selectFrom('petitions').select('campaign_id').where('id', '=', target.petitionId).executeTakeFirst();
    return petition ? (await findCampaignById(db, Number(petition.campaign_id)))?.slug : undefined;
  };

  for (const kind of ['confirm', 'withdraw'] as const) {
    const lookUp = kind === 'confirm' ? lookUpConfirmation : lookUpWithdrawal;
    const act = kind === 'confirm' ? confirmSignature : withdrawSignature;
    const doneStatus = kind === 'confirm' ? 'confirmed' : 'withdrawn';

    app.get<TokenParams>(`/${kind}/:token`, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const target = await lookUp(db, request.params.token);
      const state = target.status === doneStatus ? 'already' : kind === 'confirm' && target.status === 'withdrawn' ? 'already' : 'ask';
      if (kind === 'confirm' && target.status === 'withdrawn') throw new AppError('gone', 'This signature was withdrawn.');
      const ctx = pageContext(request, reply);
      return sendPage(reply, <TokenActionPage ctx={ctx} kind={kind} action={`/${kind}/${request.params.token}`} state={state} slug={await slugOf(target)} />);
    });

    app.post<TokenParams>(`/${kind}/:token`, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const before = await lookUp(db, request.params.token);
      if (kind === 'confirm' && before.status === 'withdrawn') throw new AppError('gone', 'This signature was withdrawn.');
      const target = await act(db, request.params.token);
      const state = before.status === doneStatus ? 'already' : 'done';
      // A count moved here: read it now, and (PostgreSQL) tell the other processes to read it too.
      if (state === 'done') countBoard.changedHere();
      const ctx = pageContext(request, reply);
      return sendPage(reply, <TokenActionPage ctx={ctx} kind={kind} action={`/${kind}/${request.params.token}`} state={state} slug={await slugOf(target)} />);
    });
  }
}
