import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../../errors.ts';
import { asFormBody } from '../../web/form.ts';
import { pageContext } from '../../web/context.ts';
import { sendPage } from '../../web/layout.tsx';
import type { CampaignStatus } from '../../db/schema.ts';
import { requirePermission, requireUser } from '../admin/auth.ts';
import { CampaignPage } from './views.tsx';
import { CampaignFormPage, DashboardPage, campaignFormValues } from './admin-views.tsx';
import { DEMO_KEY_FILE } from '../demo/load.ts';
import { listPetitionSummaries } from '../petitions/admin-service.ts';
import { changeCampaignStatus, createCampaign, getCampaignForAdmin, listCampaignsForAdmin, parseCampaignForm, updateCampaign } from './service.ts';

/** Confirmation messages after a redirect, named in the query string; only these keys are ever shown. */
const FLASH_KEYS: Record<string, string> = {
  created: 'admin.created',
  saved: 'admin.saved',
  published: 'admin.published',
  archived: 'admin.archivedDone',
  draft: 'admin.draftDone',
};

const STATUS_FLASH: Record<CampaignStatus, string> = { published: 'published', archived: 'archived', draft: 'draft' };

type IdParams = { Params: { id: string }; Querystring: { done?: unknown } };

function campaignId(request: FastifyRequest<{ Params: { id: string } }>): number {
  const id = /^\d{1,15}$/.test(request.params.id) ? Number(request.params.id) : NaN;
  if (!Number.isSafeInteger(id)) throw new AppError('not_found', 'No such campaign');
  return id;
}

function flashFrom(request: FastifyRequest<{ Querystring: { done?: unknown } }>, reply: FastifyReply): string | undefined {
  const key = typeof request.query.done === 'string' ? FLASH_KEYS[request.query.done] : undefined;
  return key ? pageContext(request, reply).t(key) : undefined;
}

export function registerCampaignAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };

  app.get<{ Querystring: { done?: unknown } }>('/admin', view, async (request, reply) => {
    const campaigns = await listCampaignsForAdmin(db);
    // The demo leaves the organisation's secret key on the server; say so until the organisers make their own.
    const demoKeyOnServer = existsSync(path.join(app.deps.config.dataDir, DEMO_KEY_FILE));
    return sendPage(reply, <DashboardPage ctx={pageContext(request, reply)} campaigns={campaigns} flash={flashFrom(request, reply)} demoKeyOnServer={demoKeyOnServer} />);
  });

  app.get('/admin/campaigns/new', edit, async (request, reply) => {
    const values = { locales: ['en'], start_date: new Date().toISOString().slice(0, 10) };
    return sendPage(reply, <CampaignFormPage ctx={pageContext(request, reply)} campaign={undefined} values={values} errors={{}} />);
  });

  app.post('/admin/campaigns', edit, async (request, reply) => {
    const body = asFormBody(request.body);
    try {
      const id = await createCampaign(db, { userId: request.user!.id, input: parseCampaignForm(body) });
      return reply.redirect(`/admin/campaigns/${id}?done=created`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      return sendPage(reply, <CampaignFormPage ctx={pageContext(request, reply)} campaign={undefined} values={body} errors={error.fields ?? {}} />, 400);
    }
  });

  app.get<IdParams>('/admin/campaigns/:id', view, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, campaignId(request));
    const ctx = pageContext(request, reply);
    const petitions = await listPetitionSummaries(db, app.deps.countBoard, campaign.id);
    return sendPage(reply, <CampaignFormPage ctx={ctx} campaign={campaign} values={campaignFormValues(campaign)} errors={{}} flash={flashFrom(request, reply)} petitions={petitions} />);
  });

  app.post<IdParams>('/admin/campaigns/:id', edit, async (request, reply) => {
    const id = campaignId(request);
    const campaign = await getCampaignForAdmin(db, id);
    const body = asFormBody(request.body);
    try {
      await updateCampaign(db, { userId: request.user!.id, id, input: parseCampaignForm(body) });
      return reply.redirect(`/admin/campaigns/${id}?done=saved`, 303);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'validation_failed') throw error;
      const petitions = await listPetitionSummaries(db, app.deps.countBoard, id);
      return sendPage(reply, <CampaignFormPage ctx={pageContext(request, reply)} campaign={campaign} values={body} errors={error.fields ?? {}} petitions={petitions} />, 400);
    }
  });

  app.post<IdParams>('/admin/campaigns/:id/status', edit, async (request, reply) => {
    const id = campaignId(request);
    const status = asFormBody(request.body)['status'];
    if (status !== 'published' && status !== 'archived' && status !== 'draft') {
      throw new AppError('bad_request', 'Status must be published, archived or draft');
    }
    await changeCampaignStatus(db, { userId: request.user!.id, id, status });
    return reply.redirect(`/admin?done=${STATUS_FLASH[status]}`, 303);
  });

  app.get<IdParams>('/admin/campaigns/:id/preview', view, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, campaignId(request));
    const ctx = pageContext(request, reply);
    return sendPage(reply, <CampaignPage ctx={ctx} campaign={campaign} publicUrl={app.deps.config.publicUrl} now={new Date()} />);
  });
}
