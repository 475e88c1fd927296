/**
 * The public routes: a letter's page (cached like the accountability page, on the campaign's last change), the
 * sign-on form and its "check your email" page, the mailed confirmation link (a page with a button, since mail
 * scanners follow links), and the read API under `/api/v1/`.
 */
import type { FastifyInstance } from 'fastify';
import { deriveKey } from '../../crypto/keys.ts';
import { AppError } from '../../errors.ts';
import { clientKey } from '../../web/client-key.ts';
import { type PageContext, pageContext } from '../../web/context.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { formStampAgeMs, issueFormStamp, SpentStamps, stampIssuedAt } from '../../web/form-stamp.ts';
import { renderPage, sendPage } from '../../web/layout.tsx';
import { PageCache } from '../../web/page-cache.ts';
import { publicRoute } from '../../web/public-cache.ts';
import { TokenBucketLimiter } from '../../web/rate-limit.ts';
import { listTargetsOfCampaign } from '../accountability/index.ts';
import { findCampaignById, getPublicCampaign } from '../campaigns/index.ts';
import { letterJson } from './api.ts';
import { parseSignOnForm, type SignOnForm } from './forms.ts';
import { listSignatoriesOfLetters } from './queries.ts';
import { getLetter, getPublicLetter, listPublicLetters } from './service.ts';
import { confirmLetterSignatory, lookUpLetterConfirmation, type ConfirmationTarget, signLetter } from './sign-on.ts';
import { ConfirmPage, LetterPage, letterPath, SignedPage, SignOnPage } from './views.tsx';

type LetterParams = { Params: { slug: string; id: string } };
type TokenParams = { Params: { token: string } };

/**
 * True when the form looks sent by a person: the hidden field left empty, a genuine stamp spent for the first time.
 * A quick form is let through: the mail confirmation and an organiser's verification both follow before anything shows.
 */
function isLikelyPerson(form: SignOnForm, stampKey: Buffer, spent: SpentStamps): boolean {
  if (form.honeypotFilled) return false;
  const age = formStampAgeMs(stampKey, form.stamp);
  return age !== undefined && spent.use(String(form.stamp), stampIssuedAt(String(form.stamp)));
}

export function registerLetterRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const { config, keys } = app.deps;
  // Kept encoded, as the accountability page is: a letter with thousands of signatories is a large page.
  const pages = new PageCache<Buffer>(100);
  const spentStamps = new SpentStamps();
  // Five signatures in a burst from one client, then one a minute: plenty for a person, little for a script.
  const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 / 60 });
  const signOnDeps = { db, pepper: deriveKey(config.secretKey, 'letter-signatory-pepper'), dataKey: keys.dataKey };
  const tokensFor = (ctx: PageContext) => ({ csrf: ctx.csrfToken(), stamp: issueFormStamp(keys.formStamp) });

  async function collectingLetter(slug: string, id: string) {
    const campaign = await getPublicCampaign(db, slug);
    const letter = await getPublicLetter(db, campaign.id, parseId(id));
    if (letter.state !== 'collecting') throw new AppError('gone', 'This letter no longer takes signatures.', { messageKey: 'letters.errors.notCollecting' });
    return { campaign, letter };
  }

  app.get<LetterParams>('/c/:slug/letters/:id', publicRoute(), async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const letter = await getPublicLetter(db, campaign.id, parseId(request.params.id));
    const ctx = pageContext(request, reply);
    const key = `${ctx.locale}|${campaign.id}@${campaign.updatedAt}|${letter.id}@${letter.updatedAt}`;
    const html = await pages.render(key, async () => {
      const [signatories, targets] = await Promise.all([listSignatoriesOfLetters(db, [letter.id], ['verified']), listTargetsOfCampaign(db, campaign.id)]);
      return Buffer.from(renderPage(<LetterPage ctx={ctx} campaign={campaign} entry={{ letter, signatories }} targets={targets} />));
    });
    return sendPage(reply, html);
  });

  app.get<LetterParams>('/c/:slug/letters/:id/sign', async (request, reply) => {
    const { campaign, letter } = await collectingLetter(request.params.slug, request.params.id);
    const ctx = pageContext(request, reply);
    reply.header('cache-control', 'no-store');
    return sendPage(reply, <SignOnPage ctx={ctx} campaign={campaign} letter={letter} tokens={tokensFor(ctx)} values={{}} errors={{}} />);
  });

  app.post<LetterParams>('/c/:slug/letters/:id/sign', { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const { campaign, letter } = await collectingLetter(request.params.slug, request.params.id);
    if (!limiter.take(clientKey(request.ip))) throw new AppError('rate_limited', 'Too many signatures from this connection. Please wait a few minutes.');
    const body = asFormBody(request.body);
    const ctx = pageContext(request, reply);
    const { input, errors } = parseSignOnForm(body);
    if (Object.keys(errors).length > 0) {
      reply.header('cache-control', 'no-store');
      const values = { ...body, email: '' };
      return sendPage(reply, <SignOnPage ctx={ctx} campaign={campaign} letter={letter} tokens={tokensFor(ctx)} values={values} errors={errors} />, 400);
    }
    // A script is answered like anyone else, and nothing is stored or mailed.
    if (isLikelyPerson(input, keys.formStamp, spentStamps)) {
      await signLetter(signOnDeps, { letter, form: input, locale: ctx.locale, campaignSlug: campaign.slug });
    }
    return reply.redirect(`${letterPath(campaign.slug, letter.id)}/signed`, 303);
  });

  app.get<LetterParams>('/c/:slug/letters/:id/signed', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const letter = await getPublicLetter(db, campaign.id, parseId(request.params.id));
    return sendPage(reply, <SignedPage ctx={pageContext(request, reply)} path={letterPath(campaign.slug, letter.id)} />);
  });

  const pathOf = async (target: ConfirmationTarget): Promise<string | undefined> => {
    const letter = await getLetter(db, target.letterId);
    const campaign = await findCampaignById(db, letter.campaignId);
    return campaign ? letterPath(campaign.slug, letter.id) : undefined;
  };

  app.get<TokenParams>('/letters/confirm/:token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const target = await lookUpLetterConfirmation(db, request.params.token);
    const state = target.status === 'pending' ? 'ask' : 'already';
    const ctx = pageContext(request, reply);
    return sendPage(reply, <ConfirmPage ctx={ctx} action={`/letters/confirm/${request.params.token}`} state={state} path={await pathOf(target)} />);
  });

  app.post<TokenParams>('/letters/confirm/:token', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const before = await lookUpLetterConfirmation(db, request.params.token);
    const target = await confirmLetterSignatory(db, request.params.token);
    const state = before.status === 'pending' ? 'done' : 'already';
    const ctx = pageContext(request, reply);
    return sendPage(reply, <ConfirmPage ctx={ctx} action={`/letters/confirm/${request.params.token}`} state={state} path={await pathOf(target)} />);
  });

  app.get<{ Params: { slug: string } }>('/api/v1/campaigns/:slug/letters', async (request, reply) => {
    const campaign = await getPublicCampaign(db, request.params.slug);
    const [letters, targets] = await Promise.all([listPublicLetters(db, campaign.id), listTargetsOfCampaign(db, campaign.id)]);
    return reply.header('cache-control', 'public, max-age=10').send({
      campaign: { slug: campaign.slug, browser_url: `${config.publicUrl}/c/${campaign.slug}` },
      total_records: letters.length,
      letters: letters.map((entry) => letterJson(entry, targets, `${config.publicUrl}${letterPath(campaign.slug, entry.letter.id)}`)),
    });
  });
}
