/** The organisers' dashboard (the list of campaigns) and creating, editing, publishing and previewing a campaign. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CampaignStatus } from '../../db/schema.ts';
import { AppError, isAppError } from '../../errors.ts';
import { pageContext, type PageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId } from '../../web/form.ts';
import { sendPage } from '../../web/layout.tsx';
import { redirectToRoleHome, requirePermission, requireUser } from '../admin/index.ts';
import { CampaignPage } from './views.tsx';
import { CampaignFormPage, DashboardPage, campaignFormValues, type AdminSection } from './admin-views.tsx';
import type { Campaign } from './model.ts';
import { changeCampaignStatus, createCampaign, getCampaignForAdmin, listCampaignsForAdmin, parseCampaignForm, updateCampaign } from './service.ts';

/** Confirmation messages after a redirect, named in the query string; only these keys are ever shown. */
const FLASH_KEYS = {
  created: 'admin.created',
  saved: 'admin.saved',
  published: 'admin.published',
  archived: 'admin.archivedDone',
  draft: 'admin.draftDone',
} as const;

const STATUS_FLASH: Record<CampaignStatus, string> = { published: 'published', archived: 'archived', draft: 'draft' };

type IdParams = { Params: { id: string }; Querystring: { done?: unknown } };

function campaignId(request: FastifyRequest<{ Params: { id: string } }>): number {
  const id = parseId(request.params.id);
  if (id === undefined) throw new AppError('not_found', 'No such campaign');
  return id;
}

/** What the other features add to a campaign's admin page. */
function adminSections(app: FastifyInstance, ctx: PageContext, campaign: Campaign): Promise<AdminSection[]> {
  return Promise.all(app.features.flatMap((feature) => feature.campaignAdminSections ?? []).map((section) => section.render({ app, ctx, campaign })));
}

export function registerCampaignAdminRoutes(app: FastifyInstance): void {
  const { db } = app.deps.database;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };

  const dashboard = { preHandler: [requireUser, redirectToRoleHome, requirePermission('campaigns:view')] };

  app.get<{ Querystring: { done?: unknown } }>('/admin', dashboard, async (request, reply) => {
    const campaigns = await listCampaignsForAdmin(db);
    const ctx = pageContext(request, reply);
    const notices = await Promise.all(app.features.flatMap((feature) => feature.dashboardNotices ?? []).map((notice) => notice.render({ app, ctx })));
    return sendPage(reply, <DashboardPage ctx={ctx} campaigns={campaigns} flash={flashFrom(request, reply, FLASH_KEYS)} notices={notices} />);
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
    const sections = await adminSections(app, ctx, campaign);
    return sendPage(
      reply,
      <CampaignFormPage
        ctx={ctx}
        campaign={campaign}
        values={campaignFormValues(campaign)}
        errors={{}}
        flash={flashFrom(request, reply, FLASH_KEYS)}
        sections={sections}
      />,
    );
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
      const ctx = pageContext(request, reply);
      const sections = await adminSections(app, ctx, campaign);
      return sendPage(reply, <CampaignFormPage ctx={ctx} campaign={campaign} values={body} errors={error.fields ?? {}} sections={sections} />, 400);
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
