/**
 * Organisers' endorsement pages: the list with its review queue, adding, editing (verifying, featuring) and deleting
 * (rejecting a suggestion). Owners and editors change; moderators look.
 */
import type { FastifyInstance } from 'fastify';
import { AppError, isAppError } from '../../errors.ts';
import { pageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { sendPage } from '../../web/layout.tsx';
import { requirePermission, requireUser } from '../admin/index.ts';
import { getCampaignForAdmin } from '../campaigns/index.ts';
import { EndorsementFormPage, EndorsementsAdminPage, endorsementFormValues } from './admin-views.tsx';
import { parseEndorsementForm } from './parse.ts';
import { listEndorsementsOfCampaign } from './queries.ts';
import { createEndorsement, deleteEndorsement, getEndorsementForAdmin, updateEndorsement } from './service.ts';

/** Confirmation messages after a redirect, named in the query string; only these keys are ever shown. */
const FLASH_KEYS = {
  created: 'endorsementsAdmin.done.created',
  saved: 'endorsementsAdmin.done.saved',
  unchanged: 'endorsementsAdmin.done.unchanged',
  deleted: 'endorsementsAdmin.done.deleted',
} as const;

type IdParams = { Params: { id: string }; Querystring: { done?: unknown } };

function validationFields(error: unknown) {
  if (!isAppError(error) || error.code !== 'validation_failed') throw error;
  return error.fields ?? {};
}

export function registerEndorsementAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };

  app.get<IdParams>('/admin/campaigns/:id/endorsements', view, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const endorsements = await listEndorsementsOfCampaign(db, campaign.id, { verifiedOnly: false });
    const ctx = pageContext(request, reply);
    return sendPage(reply, <EndorsementsAdminPage ctx={ctx} campaign={campaign} endorsements={endorsements} flash={flashFrom(request, reply, FLASH_KEYS)} />);
  });

  app.get<IdParams>('/admin/campaigns/:id/endorsements/new', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const values = { lang: campaign.locales[0] ?? 'en', status: 'unverified' };
    return sendPage(reply, <EndorsementFormPage ctx={pageContext(request, reply)} campaign={campaign} endorsement={undefined} values={values} errors={{}} />);
  });

  app.post<IdParams>('/admin/campaigns/:id/endorsements/new', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    try {
      const id = await createEndorsement(db, { userId: request.user!.id, campaignId: campaign.id, input: parseEndorsementForm(body) });
      return reply.redirect(`/admin/endorsements/${id}?done=created`, 303);
    } catch (error) {
      const errors = validationFields(error);
      return sendPage(
        reply,
        <EndorsementFormPage ctx={pageContext(request, reply)} campaign={campaign} endorsement={undefined} values={body} errors={errors} />,
        400,
      );
    }
  });

  app.get<IdParams>('/admin/endorsements/:id', view, async (request, reply) => {
    const endorsement = await getEndorsementForAdmin(db, parseId(request.params.id));
    const campaign = await getCampaignForAdmin(db, endorsement.campaignId);
    const ctx = pageContext(request, reply);
    return sendPage(
      reply,
      <EndorsementFormPage
        ctx={ctx}
        campaign={campaign}
        endorsement={endorsement}
        values={endorsementFormValues(endorsement)}
        errors={{}}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />,
    );
  });

  app.post<IdParams>('/admin/endorsements/:id', edit, async (request, reply) => {
    const endorsement = await getEndorsementForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    try {
      const changed = await updateEndorsement(db, { userId: request.user!.id, id: endorsement.id, input: parseEndorsementForm(body) });
      return reply.redirect(`/admin/endorsements/${endorsement.id}?done=${changed ? 'saved' : 'unchanged'}`, 303);
    } catch (error) {
      const errors = validationFields(error);
      const campaign = await getCampaignForAdmin(db, endorsement.campaignId);
      return sendPage(
        reply,
        <EndorsementFormPage ctx={pageContext(request, reply)} campaign={campaign} endorsement={endorsement} values={body} errors={errors} />,
        400,
      );
    }
  });

  app.post<IdParams>('/admin/endorsements/:id/delete', edit, async (request, reply) => {
    const id = parseId(request.params.id);
    if (id === undefined) throw new AppError('not_found', 'No such endorsement.');
    const deleted = await deleteEndorsement(db, { userId: request.user!.id, id });
    return reply.redirect(`/admin/campaigns/${deleted.campaignId}/endorsements?done=deleted`, 303);
  });
}
