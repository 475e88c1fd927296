/** Organisers' pages for a campaign's targets, asks and statements (owners and editors change; moderators look). */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { AppError, isAppError } from '../../errors.ts';
import { pageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId, type FormBody } from '../../web/form.ts';
import { sendPage } from '../../web/layout.tsx';
import { requirePermission, requireUser } from '../admin/index.ts';
import { getCampaignForAdmin } from '../campaigns/index.ts';
import { type FormName, TargetPage, TargetsPage } from './admin-views.tsx';
import { parseAskForm, parseStatementForm, parseTargetForm } from './forms.ts';
import { todayIn, type Target } from './model.ts';
import { addMilestoneAsk, deleteMilestoneAsk, listMilestoneAsks, parseMilestoneAskForm } from './milestone-asks.ts';
import { deletePicture, MAX_PICTURE_BYTES, savePicture } from './pictures.ts';
import { loadScoreboard } from './scoreboard.ts';
import { petitionsOfCampaign, petitionTextFor } from '../petitions/index.ts';
import { formatNumber } from '../../web/i18n.ts';
import { addAsk, addStatement, createTarget, deleteAsk, deleteStatement, deleteTarget, getTarget, updateTarget } from './service.ts';

const FLASH_KEYS = {
  created: 'accountability.admin.done.created',
  saved: 'accountability.admin.done.saved',
  deleted: 'accountability.admin.done.deleted',
  'ask-added': 'accountability.admin.done.askAdded',
  'statement-added': 'accountability.admin.done.statementAdded',
  removed: 'accountability.admin.done.removed',
  promised: 'accountability.admin.done.promised',
  picture: 'accountability.admin.done.picture',
} as const;

type IdParams = { Params: { id: string }; Querystring: { done?: unknown } };

export async function registerAccountabilityAdminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const { timeZone } = app.deps.config;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };
  const today = () => todayIn(timeZone, new Date());

  async function sendTargets(
    request: FastifyRequest,
    reply: FastifyReply,
    campaignId: number | undefined,
    state?: { values: FormBody; errors: Record<string, string> },
  ) {
    const campaign = await getCampaignForAdmin(db, campaignId);
    const entries = await loadScoreboard(db, campaign.id, today());
    const page = (
      <TargetsPage
        ctx={pageContext(request, reply)}
        campaign={campaign}
        entries={entries}
        state={state ? { form: 'target', ...state } : undefined}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page, state ? 400 : 200);
  }

  async function sendTarget(
    request: FastifyRequest,
    reply: FastifyReply,
    target: Target,
    state?: { form: FormName; values: FormBody; errors: Record<string, string> },
  ) {
    const campaign = await getCampaignForAdmin(db, target.campaignId);
    const entry = (await loadScoreboard(db, campaign.id, today())).find((e) => e.target.id === target.id);
    if (!entry) throw new AppError('not_found', 'No such target.');
    const ctx = pageContext(request, reply);
    const petitions = await petitionsOfCampaign(db, campaign.id);
    const milestoneOptions = petitions.flatMap((petition) =>
      petition.milestones.map((m) => ({
        value: `${petition.id}:${m}`,
        label: ctx.t('accountability.milestone', {
          title: petitionTextFor(petition, ctx.locale, []).text.title,
          count: m,
          formatted: formatNumber(ctx.locale, m),
        }),
      })),
    );
    const page = (
      <TargetPage
        ctx={ctx}
        campaign={campaign}
        entry={entry}
        promises={await listMilestoneAsks(db, target.id)}
        milestoneOptions={milestoneOptions}
        state={state}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page, state ? 400 : 200);
  }

  app.get<IdParams>('/admin/campaigns/:id/accountability', view, (request, reply) => sendTargets(request, reply, parseId(request.params.id)));

  app.post<IdParams>('/admin/campaigns/:id/accountability/targets', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseTargetForm(body);
    if (Object.keys(errors).length > 0) return sendTargets(request, reply, campaign.id, { values: body, errors });
    const id = await createTarget(db, { userId: request.user!.id, campaignId: campaign.id, input });
    return reply.redirect(`/admin/accountability/targets/${id}?done=created`, 303);
  });

  app.get<IdParams>('/admin/accountability/targets/:id', view, async (request, reply) =>
    sendTarget(request, reply, await getTarget(db, parseId(request.params.id))),
  );

  app.post<IdParams>('/admin/accountability/targets/:id', edit, async (request, reply) => {
    const target = await getTarget(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseTargetForm(body);
    if (Object.keys(errors).length > 0) return sendTarget(request, reply, target, { form: 'target', values: body, errors });
    await updateTarget(db, { userId: request.user!.id, target, input });
    return reply.redirect(`/admin/accountability/targets/${target.id}?done=saved`, 303);
  });

  app.post<IdParams>('/admin/accountability/targets/:id/delete', edit, async (request, reply) => {
    const target = await getTarget(db, parseId(request.params.id));
    await deleteTarget(db, { userId: request.user!.id, target });
    return reply.redirect(`/admin/campaigns/${target.campaignId}/accountability?done=deleted`, 303);
  });

  app.post<IdParams>('/admin/accountability/targets/:id/asks', edit, async (request, reply) => {
    const target = await getTarget(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseAskForm(body);
    if (Object.keys(errors).length > 0) return sendTarget(request, reply, target, { form: 'ask', values: body, errors });
    await addAsk(db, { userId: request.user!.id, target, input });
    return reply.redirect(`/admin/accountability/targets/${target.id}?done=ask-added`, 303);
  });

  app.post<IdParams>('/admin/accountability/targets/:id/statements', edit, async (request, reply) => {
    const target = await getTarget(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseStatementForm(body);
    if (Object.keys(errors).length > 0) return sendTarget(request, reply, target, { form: 'statement', values: body, errors });
    await addStatement(db, { userId: request.user!.id, target, input });
    return reply.redirect(`/admin/accountability/targets/${target.id}?done=statement-added`, 303);
  });

  app.post<IdParams>('/admin/accountability/targets/:id/milestone-asks', edit, async (request, reply) => {
    const target = await getTarget(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = await parseMilestoneAskForm(db, target, body);
    if (Object.keys(errors).length > 0) return sendTarget(request, reply, target, { form: 'promise', values: body, errors });
    await addMilestoneAsk(db, { userId: request.user!.id, target, input });
    return reply.redirect(`/admin/accountability/targets/${target.id}?done=promised`, 303);
  });

  app.post<IdParams>('/admin/accountability/milestone-asks/:id/delete', edit, async (request, reply) => {
    const targetId = await deleteMilestoneAsk(db, { userId: request.user!.id, id: parseId(request.params.id) });
    return reply.redirect(`/admin/accountability/targets/${targetId}?done=removed`, 303);
  });

  // Multipart is read on this one route only (its own plugin scope): no other form takes files.
  const pictureUpload: FastifyPluginAsync = async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_PICTURE_BYTES, files: 1, fields: 2, parts: 3, fieldSize: 1024 },
    });
    scope.post<IdParams>('/admin/accountability/targets/:id/picture', { ...edit, bodyLimit: MAX_PICTURE_BYTES + 64 * 1024 }, async (request, reply) => {
      const target = await getTarget(db, parseId(request.params.id));
      const file = asFormBody(request.body)['picture'];
      if (!Buffer.isBuffer(file) || file.length === 0) {
        return sendTarget(request, reply, target, { form: 'picture', values: {}, errors: { picture: 'accountability.errors.pictureMissing' } });
      }
      try {
        await savePicture(db, { userId: request.user!.id, target, file });
      } catch (error) {
        if (!isAppError(error) || error.code !== 'validation_failed') throw error;
        return sendTarget(request, reply, target, { form: 'picture', values: {}, errors: error.fields ?? {} });
      }
      return reply.redirect(`/admin/accountability/targets/${target.id}?done=picture`, 303);
    });
  };
  await app.register(pictureUpload);

  app.post<IdParams>('/admin/accountability/targets/:id/picture/delete', edit, async (request, reply) => {
    const target = await getTarget(db, parseId(request.params.id));
    await deletePicture(db, { userId: request.user!.id, target });
    return reply.redirect(`/admin/accountability/targets/${target.id}?done=removed`, 303);
  });

  app.post<IdParams>('/admin/accountability/asks/:id/delete', edit, async (request, reply) => {
    const target = await deleteAsk(db, { userId: request.user!.id, askId: parseId(request.params.id) });
    return reply.redirect(`/admin/accountability/targets/${target.id}?done=removed`, 303);
  });

  app.post<IdParams>('/admin/accountability/statements/:id/delete', edit, async (request, reply) => {
    const target = await deleteStatement(db, { userId: request.user!.id, statementId: parseId(request.params.id) });
    return reply.redirect(`/admin/accountability/targets/${target.id}?done=removed`, 303);
  });
}
