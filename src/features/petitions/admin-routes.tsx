/**
 * Organisers' pages for petitions: create and edit a campaign's petitions, open and close them (owners and editors;
 * moderators look).
 */
import type { FastifyInstance } from 'fastify';
import { AppError, type FieldErrors, isAppError } from '../../errors.ts';
import { pageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { sendPage } from '../../web/layout.tsx';
import { requirePermission, requireUser } from '../admin/index.ts';
import { getCampaignForAdmin } from '../campaigns/index.ts';
import { changePetitionStatus, getPetitionForAdmin, listPetitionSummaries, parsePetitionForm, type PetitionSummary } from './admin-service.ts';
import { PetitionFormPage, petitionFormValues } from './admin-views.tsx';
import type { Petition } from './model.ts';
import { createPetition, updatePetition } from './service.ts';

/** Confirmation messages after a redirect, named in the query string; only these keys are ever shown. */
const FLASH_KEYS = {
  created: 'petitionsAdmin.done.created',
  saved: 'petitionsAdmin.done.saved',
  closed: 'petitionsAdmin.done.closed',
  reopened: 'petitionsAdmin.done.reopened',
  unchanged: 'petitionsAdmin.done.unchanged',
} as const;

type IdParams = { Params: { id: string }; Querystring: { done?: unknown } };

export function registerPetitionAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const board = app.countBoard;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };

  async function summaryOf(petition: Petition): Promise<PetitionSummary> {
    const summaries = await listPetitionSummaries(db, board, petition.campaignId);
    return summaries.find((s) => s.petition.id === petition.id) ?? { petition, confirmed: board.count(petition.id).total, suspects: 0 };
  }

  app.get<IdParams>('/admin/campaigns/:id/petitions/new', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const values = { goal: String(campaign.goal), milestones: '' };
    return sendPage(reply, <PetitionFormPage ctx={pageContext(request, reply)} campaign={campaign} petition={undefined} values={values} errors={{}} />);
  });

  app.post<IdParams>('/admin/campaigns/:id/petitions/new', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    try {
      const id = await createPetition(db, { userId: request.user!.id, campaignId: campaign.id, input: parsePetitionForm(body, campaign.locales) });
      return reply.redirect(`/admin/petitions/${id}?done=created`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      return sendPage(
        reply,
        <PetitionFormPage ctx={pageContext(request, reply)} campaign={campaign} petition={undefined} values={body} errors={error.fields ?? {}} />,
        400,
      );
    }
  });

  app.get<IdParams>('/admin/petitions/:id', view, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, parseId(request.params.id));
    const campaign = await getCampaignForAdmin(db, petition.campaignId);
    const ctx = pageContext(request, reply);
    return sendPage(
      reply,
      <PetitionFormPage
        ctx={ctx}
        campaign={campaign}
        petition={await summaryOf(petition)}
        values={petitionFormValues(petition)}
        errors={{}}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />,
    );
  });

  app.post<IdParams>('/admin/petitions/:id', edit, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, parseId(request.params.id));
    const campaign = await getCampaignForAdmin(db, petition.campaignId);
    const body = asFormBody(request.body);
    try {
      await updatePetition(db, { userId: request.user!.id, id: petition.id, input: parsePetitionForm(body, campaign.locales) });
      return reply.redirect(`/admin/petitions/${petition.id}?done=saved`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      const ctx = pageContext(request, reply);
      return sendPage(
        reply,
        <PetitionFormPage ctx={ctx} campaign={campaign} petition={await summaryOf(petition)} values={body} errors={error.fields ?? {}} />,
        400,
      );
    }
  });

  app.post<IdParams>('/admin/petitions/:id/status', edit, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const status = body['status'];
    if (status !== 'open' && status !== 'closed') throw new AppError('bad_request', 'Status must be open or closed');
    // Closing deletes the dedup keys for good, so reopening lets earlier signers be counted twice: either needs the
    // organiser's explicit yes, ticked on the page.
    if (status !== petition.status && body['confirm'] !== '1') {
      const campaign = await getCampaignForAdmin(db, petition.campaignId);
      const ctx = pageContext(request, reply);
      const errors: FieldErrors =
        status === 'closed' ? { confirm_close: 'petitionsAdmin.validation.confirmClose' } : { confirm_reopen: 'petitionsAdmin.validation.confirmReopen' };
      return sendPage(
        reply,
        <PetitionFormPage ctx={ctx} campaign={campaign} petition={await summaryOf(petition)} values={petitionFormValues(petition)} errors={errors} />,
        400,
      );
    }
    const changed = await changePetitionStatus(db, { userId: request.user!.id, petition, open: status === 'open' });
    const done = !changed ? 'unchanged' : status === 'open' ? 'reopened' : 'closed';
    return reply.redirect(`/admin/petitions/${petition.id}?done=${done}`, 303);
  });
}
