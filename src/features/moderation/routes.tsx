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
import { getPetitionForAdmin, isSuspectReason } from '../petitions/index.ts';
import { COUNTRY_CODES } from '../../web/countries.ts';
import { decideSuspectGroup, listSignaturesForReview, listSuspectGroups, markSignatureSuspect, restoreSignature, type GroupDecision } from './moderation.ts';
import { SignatureReviewPage, type ReviewMode } from './views.tsx';

const REVIEW_PAGE_SIZE = 50;

/** Confirmation messages after a redirect, named in the query string; only these keys are ever shown. */
const FLASH_KEYS = {
  restored: 'moderation.done.restored',
  marked: 'moderation.done.marked',
  unchanged: 'moderation.done.unchanged',
  'group-restored': 'moderation.done.groupRestored',
  'group-kept': 'moderation.done.groupKept',
} as const;

const HOUR_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}$/;

/** A group as the page's form names it; anything the page could not have sent is refused. */
function groupFrom(body: Record<string, unknown>): { group: { reason: string; country: string; hour: string }; decision: GroupDecision } {
  const { reason, country, hour, decision } = body;
  const valid =
    typeof reason === 'string' &&
    reason.split(',').every(isSuspectReason) &&
    typeof country === 'string' &&
    COUNTRY_CODES.has(country) &&
    typeof hour === 'string' &&
    HOUR_PATTERN.test(hour) &&
    (decision === 'restore' || decision === 'keep-aside');
  if (!valid) throw new AppError('bad_request', 'Name one group of suspects (reason, country, hour) and a decision.');
  return { group: { reason, country, hour }, decision };
}

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
      const groups = mode === 'suspects' && before === undefined ? await listSuspectGroups(app.deps.database, petition.id) : undefined;
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
          groups={groups}
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

  app.post<IdParams>('/admin/petitions/:id/suspects/groups', moderate, async (request, reply) => {
    const petition = await getPetitionForAdmin(db, parseId(request.params.id));
    const { group, decision } = groupFrom(asFormBody(request.body));
    const changed = await decideSuspectGroup(app.deps.database, { userId: request.user!.id, petitionId: petition.id, group, decision });
    if (changed > 0 && decision === 'restore') {
      board.changedHere();
      await board.refresh();
    }
    const done = changed === 0 ? 'unchanged' : decision === 'restore' ? 'group-restored' : 'group-kept';
    return reply.redirect(`/admin/petitions/${petition.id}/suspects?done=${done}`, 303);
  });
}
