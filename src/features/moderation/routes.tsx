/**
 * Reviewing signatures (moderators, editors, owners): a petition's suspect signatures or all of them, a page at a time;
 * restore one to the count, or set one aside. The count follows at once in this process and, through the count
 * signal, in every other.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { pageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { sendPage } from '../../web/layout.tsx';
import { requirePermission, requireUser } from '../admin/index.ts';
import { getCampaignForAdmin } from '../campaigns/index.ts';
import { getPetitionForAdmin } from '../petitions/index.ts';
import { listSignaturesForReview, markSignatureSuspect, restoreSignature } from './moderation.ts';
import { SignatureReviewPage, type ReviewMode } from './views.tsx';

const REVIEW_PAGE_SIZE = 50;

/** Confirmation messages after a redirect, named in the query string; only these keys are ever shown. */
const FLASH_KEYS = {
  restored: 'moderation.done.restored',
  marked: 'moderation.done.marked',
  unchanged: 'moderation.done.unchanged',
} as const;

type Query = { Querystring: { done?: unknown; before?: unknown } };
type IdParams = { Params: { id: string } } & Query;
type SignatureParams = { Params: { id: string; sid: string } } & Query;

function signatureIdFrom(value: string): number {
  const id = parseId(value);
  if (id === undefined) throw new AppError('not_found', 'No such signature');
  return id;
}

export function registerModerationRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const board = app.countBoard;
  const moderate = { preHandler: [requireUser, requirePermission('signatures:moderate')] };

  for (const mode of ['suspects', 'signatures'] as const satisfies readonly ReviewMode[]) {
    app.get<IdParams>(`/admin/petitions/:id/${mode}`, moderate, async (request, reply) => {
      const petition = await getPetitionForAdmin(db, parseId(request.params.id));
      const campaign = await getCampaignForAdmin(db, petition.campaignId);
      const before = parseId(request.query.before);
      const signatures = await listSignaturesForReview(db, {
        petitionId: petition.id,
        suspectOnly: mode === 'suspects',
        limit: REVIEW_PAGE_SIZE,
        beforeId: before,
      });
      const nextBeforeId = signatures.length === REVIEW_PAGE_SIZE ? signatures.at(-1)!.id : undefined;
      const ctx = pageContext(request, reply);
      return sendPage(
        reply,
        <SignatureReviewPage
          ctx={ctx}
          campaign={campaign}
          petition={petition}
          mode={mode}
          signatures={signatures}
          before={before}
          nextBeforeId={nextBeforeId}
          flash={flashFrom(request, reply, FLASH_KEYS)}
        />,
      );
    });
  }

  /** Back to the review page the moderator acted on, at the same place in the list. */
  const backTo = (petitionId: number, body: Record<string, unknown>, done: string): string => {
    const mode: ReviewMode = body['back'] === 'signatures' ? 'signatures' : 'suspects';
    const before = parseId(body['before']);
    return `/admin/petitions/${petitionId}/${mode}?${new URLSearchParams({ done, ...(before !== undefined ? { before: String(before) } : {}) })}`;
  };

  app.post<SignatureParams>('/admin/petitions/:id/suspects/:sid/restore', moderate, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, parseId(request.params.id));
    const signatureId = signatureIdFrom(request.params.sid);
    const changed = await restoreSignature(db, { userId: request.user!.id, petitionId: petition.id, signatureId });
    // Read the new count here before redirecting, and tell the other processes (PostgreSQL) to read it too.
    if (changed) {
      board.changedHere();
      await board.refresh();
    }
    return reply.redirect(backTo(petition.id, asFormBody(request.body), changed ? 'restored' : 'unchanged'), 303);
  });

  app.post<SignatureParams>('/admin/petitions/:id/signatures/:sid/suspect', moderate, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, parseId(request.params.id));
    const signatureId = signatureIdFrom(request.params.sid);
    const changed = await markSignatureSuspect(db, { userId: request.user!.id, petitionId: petition.id, signatureId });
    if (changed) {
      board.changedHere();
      await board.refresh();
    }
    return reply.redirect(backTo(petition.id, asFormBody(request.body), changed ? 'marked' : 'unchanged'), 303);
  });
}
