/** Organisers' pages for a campaign's letters and their signatories (owners and editors change; moderators look). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { sendPage } from '../../web/layout.tsx';
import { listTargetsOfCampaign } from '../accountability/index.ts';
import { requirePermission, requireUser } from '../admin/index.ts';
import { getCampaignForAdmin } from '../campaigns/index.ts';
import { type FormState, LetterAdminPage, LettersAdminPage } from './admin-views.tsx';
import { parseEvidenceForm, parseLetterForm, parseSignatoryForm } from './forms.ts';
import type { Letter } from './model.ts';
import { listLettersOfCampaign, listSignatoriesOfLetters } from './queries.ts';
import { addSignatory, createLetter, getLetter, getSignatory, rejectSignatory, updateLetter, verifySignatory } from './service.ts';

const FLASH_KEYS = {
  created: 'letters.admin.done.created',
  saved: 'letters.admin.done.saved',
  added: 'letters.admin.done.added',
  verified: 'letters.admin.done.verified',
  rejected: 'letters.admin.done.rejected',
} as const;

type IdParams = { Params: { id: string }; Querystring: { done?: unknown } };

const hasErrors = (errors: Record<string, string>) => Object.keys(errors).length > 0;

export function registerLetterAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };

  const campaignTargetIds = async (campaignId: number) => new Set((await listTargetsOfCampaign(db, campaignId)).map((t) => t.id));

  async function sendLetters(request: FastifyRequest, reply: FastifyReply, campaignId: number | undefined, state?: FormState) {
    const campaign = await getCampaignForAdmin(db, campaignId);
    const [letters, targets] = await Promise.all([listLettersOfCampaign(db, campaign.id), listTargetsOfCampaign(db, campaign.id)]);
    const signatories = await listSignatoriesOfLetters(
      db,
      letters.map((l) => l.id),
      ['verified', 'unverified'],
    );
    const counts = new Map(
      letters.map((l) => {
        const own = signatories.filter((s) => s.letterId === l.id);
        return [l.id, { verified: own.filter((s) => s.status === 'verified').length, waiting: own.filter((s) => s.status === 'unverified').length }];
      }),
    );
    const page = (
      <LettersAdminPage
        ctx={pageContext(request, reply)}
        campaign={campaign}
        letters={letters}
        counts={counts}
        targets={targets}
        state={state}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page, state ? 400 : 200);
  }

  async function sendLetter(request: FastifyRequest, reply: FastifyReply, letter: Letter, state?: FormState) {
    const campaign = await getCampaignForAdmin(db, letter.campaignId);
    const [signatories, targets] = await Promise.all([
      listSignatoriesOfLetters(db, [letter.id], ['pending', 'unverified', 'verified', 'rejected']),
      listTargetsOfCampaign(db, campaign.id),
    ]);
    const page = (
      <LetterAdminPage
        ctx={pageContext(request, reply)}
        campaign={campaign}
        letter={letter}
        signatories={signatories}
        targets={targets}
        state={state}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page, state ? 400 : 200);
  }

  app.get<IdParams>('/admin/campaigns/:id/letters', view, (request, reply) => sendLetters(request, reply, parseId(request.params.id)));

  app.post<IdParams>('/admin/campaigns/:id/letters', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseLetterForm(body, { targetIds: await campaignTargetIds(campaign.id) });
    if (hasErrors(errors)) return sendLetters(request, reply, campaign.id, { form: 'letter', values: body, errors });
    const id = await createLetter(db, { userId: request.user!.id, campaignId: campaign.id, input });
    return reply.redirect(`/admin/letters/${id}?done=created`, 303);
  });

  app.get<IdParams>('/admin/letters/:id', view, async (request, reply) => sendLetter(request, reply, await getLetter(db, parseId(request.params.id))));

  app.post<IdParams>('/admin/letters/:id', edit, async (request, reply) => {
    const letter = await getLetter(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseLetterForm(body, { targetIds: await campaignTargetIds(letter.campaignId) });
    if (hasErrors(errors)) return sendLetter(request, reply, letter, { form: 'letter', values: body, errors });
    await updateLetter(db, { userId: request.user!.id, letter, input });
    return reply.redirect(`/admin/letters/${letter.id}?done=saved`, 303);
  });

  app.post<IdParams>('/admin/letters/:id/signatories', edit, async (request, reply) => {
    const letter = await getLetter(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseSignatoryForm(body);
    if (hasErrors(errors)) return sendLetter(request, reply, letter, { form: 'signatory', values: body, errors });
    await addSignatory(db, { userId: request.user!.id, letter, input: input.signatory, evidence: input.evidence });
    return reply.redirect(`/admin/letters/${letter.id}?done=added`, 303);
  });

  app.post<IdParams>('/admin/letter-signatories/:id/verify', edit, async (request, reply) => {
    const signatory = await getSignatory(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseEvidenceForm(body);
    if (hasErrors(errors)) return sendLetter(request, reply, await getLetter(db, signatory.letterId), { form: `verify-${signatory.id}`, values: body, errors });
    const letter = await verifySignatory(db, { userId: request.user!.id, signatory, evidence: input });
    return reply.redirect(`/admin/letters/${letter.id}?done=verified`, 303);
  });

  app.post<IdParams>('/admin/letter-signatories/:id/reject', edit, async (request, reply) => {
    const signatory = await getSignatory(db, parseId(request.params.id));
    const letter = await rejectSignatory(db, { userId: request.user!.id, signatory });
    return reply.redirect(`/admin/letters/${letter.id}?done=rejected`, 303);
  });
}
