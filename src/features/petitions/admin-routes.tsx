/**
 * Organisers' pages for petitions: create and edit a campaign's petitions, open and close them (owners and editors;
 * moderators look), and review suspect signatures (moderators too).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../../errors.ts';
import { asFormBody } from '../../web/form.ts';
import { pageContext } from '../../web/context.ts';
import { sendPage } from '../../web/layout.tsx';
import { requirePermission, requireUser } from '../admin/auth.ts';
import { getCampaignForAdmin } from '../campaigns/service.ts';
import { changePetitionStatus, createPetitionForCampaign, getPetitionForAdmin, listPetitionSummaries, parsePetitionForm, savePetition, type PetitionSummary } from './admin-service.ts';
import { PetitionFormPage, SignatureReviewPage, petitionFormValues, type ReviewMode } from './admin-views.tsx';
import type { Petition } from './model.ts';
import { listSignaturesForReview, markSignatureSuspect, restoreSignature } from './moderation.ts';

const REVIEW_PAGE_SIZE = 50;

/** Confirmation messages after a redirect, named in the query string; only these keys are ever shown. */
const FLASH_KEYS: Record<string, string> = {
  created: 'petitionsAdmin.done.created',
  saved: 'petitionsAdmin.done.saved',
  closed: 'petitionsAdmin.done.closed',
  reopened: 'petitionsAdmin.done.reopened',
  unchanged: 'petitionsAdmin.done.unchanged',
  restored: 'petitionsAdmin.done.restored',
  marked: 'petitionsAdmin.done.marked',
};

type Query = { Querystring: { done?: unknown; before?: unknown } };
type IdParams = { Params: { id: string } } & Query;
type SignatureParams = { Params: { id: string; sid: string } } & Query;

function idFrom(value: string, what: string): number {
  const id = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('not_found', `No such ${what}`);
  return id;
}

function pageFrom(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

function flashFrom(request: FastifyRequest<Query>, reply: FastifyReply): string | undefined {
  const key = typeof request.query.done === 'string' ? FLASH_KEYS[request.query.done] : undefined;
  return key ? pageContext(request, reply).t(key) : undefined;
}

export function registerPetitionAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const board = app.deps.countBoard;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };
  const moderate = { preHandler: [requireUser, requirePermission('signatures:moderate')] };

  async function summaryOf(petition: Petition): Promise<PetitionSummary> {
    const summaries = await listPetitionSummaries(db, board, petition.campaignId);
    return summaries.find((s) => s.petition.id === petition.id) ?? { petition, confirmed: board.count(petition.id).total, suspects: 0 };
  }

  app.get<IdParams>('/admin/campaigns/:id/petitions/new', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, idFrom(request.params.id, 'campaign'));
    const values = { goal: String(campaign.goal), milestones: '' };
    return sendPage(reply, <PetitionFormPage ctx={pageContext(request, reply)} campaign={campaign} petition={undefined} values={values} errors={{}} />);
  });

  app.post<IdParams>('/admin/campaigns/:id/petitions/new', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, idFrom(request.params.id, 'campaign'));
    const body = asFormBody(request.body);
    try {
      const id = await createPetitionForCampaign(db, { userId: request.user!.id, campaignId: campaign.id, input: parsePetitionForm(body, campaign.locales) });
      return reply.redirect(`/admin/petitions/${id}?done=created`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      return sendPage(reply, <PetitionFormPage ctx={pageContext(request, reply)} campaign={campaign} petition={undefined} values={body} errors={error.fields ?? {}} />, 400);
    }
  });

  app.get<IdParams>('/admin/petitions/:id', view, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, idFrom(request.params.id, 'petition'));
    const campaign = await getCampaignForAdmin(db, petition.campaignId);
    const ctx = pageContext(request, reply);
    return sendPage(reply, <PetitionFormPage ctx={ctx} campaign={campaign} petition={await summaryOf(petition)} values={petitionFormValues(petition)} errors={{}} flash={flashFrom(request, reply)} />);
  });

  app.post<IdParams>('/admin/petitions/:id', edit, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, idFrom(request.params.id, 'petition'));
    const campaign = await getCampaignForAdmin(db, petition.campaignId);
    const body = asFormBody(request.body);
    try {
      await savePetition(db, { userId: request.user!.id, id: petition.id, input: parsePetitionForm(body, campaign.locales) });
      return reply.redirect(`/admin/petitions/${petition.id}?done=saved`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      const ctx = pageContext(request, reply);
      return sendPage(reply, <PetitionFormPage ctx={ctx} campaign={campaign} petition={await summaryOf(petition)} values={body} errors={error.fields ?? {}} />, 400);
    }
  });

  app.post<IdParams>('/admin/petitions/:id/status', edit, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, idFrom(request.params.id, 'petition'));
    const body = asFormBody(request.body);
    const status = body['status'];
    if (status !== 'open' && status !== 'closed') throw new AppError('bad_request', 'Status must be open or closed');
    // Closing deletes the dedup keys for good: it needs the organiser's explicit yes, ticked on the page.
    if (status === 'closed' && petition.status === 'open' && body['confirm'] !== '1') {
      const campaign = await getCampaignForAdmin(db, petition.campaignId);
      const ctx = pageContext(request, reply);
      const errors = { confirm_close: 'petitionsAdmin.validation.confirmClose' };
      return sendPage(reply, <PetitionFormPage ctx={ctx} campaign={campaign} petition={await summaryOf(petition)} values={petitionFormValues(petition)} errors={errors} />, 400);
    }
    const changed = await changePetitionStatus(db, { userId: request.user!.id, petition, open: status === 'open' });
    const done = !changed ? 'unchanged' : status === 'open' ? 'reopened' : 'closed';
    return reply.redirect(`/admin/petitions/${petition.id}?done=${done}`, 303);
  });

  for (const mode of ['suspects', 'signatures'] as const satisfies readonly ReviewMode[]) {
    app.get<IdParams>(`/admin/petitions/:id/${mode}`, moderate, async (request, reply) => {
      const petition = await getPetitionForAdmin(db, idFrom(request.params.id, 'petition'));
      const campaign = await getCampaignForAdmin(db, petition.campaignId);
      const before = pageFrom(request.query.before);
      const signatures = await listSignaturesForReview(db, { petitionId: petition.id, suspectOnly: mode === 'suspects', limit: REVIEW_PAGE_SIZE, beforeId: before });
      const nextBeforeId = signatures.length === REVIEW_PAGE_SIZE ? signatures.at(-1)!.id : undefined;
      const ctx = pageContext(request, reply);
      return sendPage(
        reply,
        <SignatureReviewPage ctx={ctx} campaign={campaign} petition={petition} mode={mode} signatures={signatures} before={before} nextBeforeId={nextBeforeId} flash={flashFrom(request, reply)} />,
      );
    });
  }

  /** Back to the review page the moderator acted on, at the same place in the list. */
  const backTo = (petitionId: number, body: Record<string, unknown>, done: string): string => {
    const mode: ReviewMode = body['back'] === 'signatures' ? 'signatures' : 'suspects';
    const before = pageFrom(body['before']);
    return `/admin/petitions/${petitionId}/${mode}?${new URLSearchParams({ done, ...(before !== undefined ? { before: String(before) } : {}) })}`;
  };

  app.post<SignatureParams>('/admin/petitions/:id/suspects/:sid/restore', moderate, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, idFrom(request.params.id, 'petition'));
    const signatureId = idFrom(request.params.sid, 'signature');
    const changed = await restoreSignature(db, { userId: request.user!.id, petitionId: petition.id, signatureId });
    // Read the new count here before redirecting, and tell the other processes (PostgreSQL) to read it too.
    if (changed) {
      board.changedHere();
      await board.refresh();
    }
    return reply.redirect(backTo(petition.id, asFormBody(request.body), changed ? 'restored' : 'unchanged'), 303);
  });

  app.post<SignatureParams>('/admin/petitions/:id/signatures/:sid/suspect', moderate, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, idFrom(request.params.id, 'petition'));
    const signatureId = idFrom(request.params.sid, 'signature');
    const changed = await markSignatureSuspect(db, { userId: request.user!.id, petitionId: petition.id, signatureId });
    if (changed) {
      board.changedHere();
      await board.refresh();
    }
    return reply.redirect(backTo(petition.id, asFormBody(request.body), changed ? 'marked' : 'unchanged'), 303);
  });
}
