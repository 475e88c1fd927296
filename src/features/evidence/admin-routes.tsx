/**
 * Organisers' pages for a campaign's evidence (owners and editors change; moderators look; partner accounts are
 * refused). Every change goes through service.ts, which appends the revision and the audit entry; nothing is deleted.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/database.ts';
import type { EvidenceEntity } from '../../db/schema.ts';
import { isAppError, type FieldErrors } from '../../errors.ts';
import { pageContext } from '../../web/context.ts';
import { flashFrom } from '../../web/flash.ts';
import { asFormBody, parseId, readCheckboxGroup, type FormBody } from '../../web/form.ts';
import { sendPage } from '../../web/layout.tsx';
import { requirePermission, requireUser } from '../admin/index.ts';
import { getCampaignForAdmin } from '../campaigns/index.ts';
import {
  EvidenceAdminPage,
  FactAdminPage,
  type FormName,
  type FormState,
  IncidentAdminPage,
  NewRecordPage,
  type NewRecordKind,
  SourceAdminPage,
} from './admin-views.tsx';
import { parseFactForm, parseIncidentForm, parseSourceForm } from './forms.ts';
import type { Fact, Incident, RevisionSummary, Source } from './model.ts';
import {
  createFact,
  createIncident,
  createSource,
  getFact,
  getIncident,
  getSource,
  linkFactSource,
  linkFactStatement,
  linkIncidentFact,
  linkIncidentSource,
  listEntityHistory,
  loadOrganiserEvidence,
  unlinkFactSource,
  unlinkFactStatement,
  unlinkIncidentFact,
  unlinkIncidentSource,
  updateFact,
  updateIncident,
  updateSource,
} from './service.ts';

const FLASH_KEYS = {
  created: 'evidence.admin.done.created',
  saved: 'evidence.admin.done.saved',
  unchanged: 'evidence.admin.done.unchanged',
  linked: 'evidence.admin.done.linked',
  unlinked: 'evidence.admin.done.unlinked',
} as const;

type IdParams = { Params: { id: string }; Querystring: { done?: unknown } };
type LinkParams = { Params: { id: string; other: string } };

/** Hooks that other features (the archived copies) add to a source's admin page. */
export type SourcePanel = (input: { app: FastifyInstance; request: FastifyRequest; reply: FastifyReply; source: Source }) => Promise<unknown>;

/** Who wrote each revision, by their login e-mail (as the audit log shows them). */
async function authorsOf(db: Database, history: readonly RevisionSummary[]): Promise<Map<number, string>> {
  const ids = [...new Set(history.flatMap((r) => (r.authorId === null ? [] : [r.authorId])))];
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [Number(row.id), row.email]));
}

/** Record ids from a group of checkboxes; anything that is not an id is refused on `field`. */
function readIds(body: FormBody, field: string, errors: FieldErrors): number[] {
  const ids = readCheckboxGroup(body, field).map(parseId);
  if (ids.some((id) => id === undefined)) errors[field] = 'evidence.errors.otherCampaign';
  return ids.filter((id): id is number => id !== undefined);
}

/** A service's refusal (a validation error naming fields) as the page's field errors; anything else is thrown on. */
async function fieldErrorsOf(work: () => Promise<unknown>): Promise<FieldErrors | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    if (isAppError(error) && error.code === 'validation_failed') return error.fields ?? { form: 'validation.required' };
    throw error;
  }
}

export function registerEvidenceAdminRoutes(app: FastifyInstance, options: { sourcePanels?: readonly SourcePanel[] } = {}): void {
  const { database } = app.deps;
  const { db } = database;
  const view = { preHandler: [requireUser, requirePermission('campaigns:view')] };
  const edit = { preHandler: [requireUser, requirePermission('campaigns:edit')] };
  const now = () => Date.now();
  const actor = (request: FastifyRequest) => ({ userId: request.user!.id });

  async function history(entity: EvidenceEntity, entityId: number) {
    const revisions = await listEntityHistory(db, { entity, entityId, publicView: false });
    return { history: revisions, authors: await authorsOf(db, revisions) };
  }

  async function sendList(request: FastifyRequest, reply: FastifyReply, campaignId: number | undefined) {
    const campaign = await getCampaignForAdmin(db, campaignId);
    const evidence = await loadOrganiserEvidence(db, campaign.id);
    const ctx = pageContext(request, reply);
    return sendPage(reply, <EvidenceAdminPage ctx={ctx} campaign={campaign} evidence={evidence} flash={flashFrom(request, reply, FLASH_KEYS)} />);
  }

  async function sendNew(request: FastifyRequest, reply: FastifyReply, campaignId: number | undefined, kind: NewRecordKind, state?: FormState) {
    const campaign = await getCampaignForAdmin(db, campaignId);
    const evidence = await loadOrganiserEvidence(db, campaign.id);
    const page = <NewRecordPage ctx={pageContext(request, reply)} campaign={campaign} kind={kind} evidence={evidence} state={state} />;
    return sendPage(reply, page, state ? 400 : 200);
  }

  async function sendFact(request: FastifyRequest, reply: FastifyReply, fact: Fact, state?: FormState) {
    const campaign = await getCampaignForAdmin(db, fact.campaignId);
    const evidence = await loadOrganiserEvidence(db, campaign.id);
    const page = (
      <FactAdminPage
        ctx={pageContext(request, reply)}
        campaign={campaign}
        fact={fact}
        evidence={evidence}
        {...(await history('fact', fact.id))}
        state={state}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page, state ? 400 : 200);
  }

  async function sendSource(request: FastifyRequest, reply: FastifyReply, source: Source, state?: FormState) {
    const campaign = await getCampaignForAdmin(db, source.campaignId);
    const { facts } = await loadOrganiserEvidence(db, campaign.id);
    const panels = await Promise.all((options.sourcePanels ?? []).map((panel) => panel({ app, request, reply, source })));
    const page = (
      <SourceAdminPage
        ctx={pageContext(request, reply)}
        campaign={campaign}
        source={source}
        facts={facts}
        {...(await history('source', source.id))}
        state={state}
        flash={flashFrom(request, reply, FLASH_KEYS)}
        panels={panels}
      />
    );
    return sendPage(reply, page, state ? 400 : 200);
  }

  async function sendIncident(request: FastifyRequest, reply: FastifyReply, incident: Incident, state?: FormState) {
    const campaign = await getCampaignForAdmin(db, incident.campaignId);
    const evidence = await loadOrganiserEvidence(db, campaign.id);
    const page = (
      <IncidentAdminPage
        ctx={pageContext(request, reply)}
        campaign={campaign}
        incident={incident}
        evidence={evidence}
        {...(await history('incident', incident.id))}
        state={state}
        flash={flashFrom(request, reply, FLASH_KEYS)}
      />
    );
    return sendPage(reply, page, state ? 400 : 200);
  }

  const rejected = (form: FormName, body: FormBody, errors: FieldErrors): FormState => ({ form, values: body, errors });
  const hasErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;

  // ---- The campaign's evidence, and new records ----------------------------------------------------------------------

  app.get<IdParams>('/admin/campaigns/:id/evidence', view, (request, reply) => sendList(request, reply, parseId(request.params.id)));

  for (const kind of ['fact', 'source', 'incident'] as const) {
    app.get<IdParams>(`/admin/campaigns/:id/evidence/${kind}s/new`, edit, (request, reply) => sendNew(request, reply, parseId(request.params.id), kind));
  }

  app.post<IdParams>('/admin/campaigns/:id/evidence/facts', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseFactForm(body, now());
    const sourceIds = readIds(body, 'sources', errors);
    if (hasErrors(errors)) return sendNew(request, reply, campaign.id, 'fact', rejected('fact', body, errors));
    let id = 0;
    const refused = await fieldErrorsOf(async () => {
      id = await createFact(database, { ...actor(request), campaignId: campaign.id, input, sourceIds });
    });
    if (refused) return sendNew(request, reply, campaign.id, 'fact', rejected('fact', body, refused));
    return reply.redirect(`/admin/evidence/facts/${id}?done=created`, 303);
  });

  app.post<IdParams>('/admin/campaigns/:id/evidence/sources', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseSourceForm(body, now());
    if (hasErrors(errors)) return sendNew(request, reply, campaign.id, 'source', rejected('source', body, errors));
    let id = 0;
    const refused = await fieldErrorsOf(async () => {
      id = await createSource(database, { ...actor(request), campaignId: campaign.id, input });
    });
    if (refused) return sendNew(request, reply, campaign.id, 'source', rejected('source', body, refused));
    return reply.redirect(`/admin/evidence/sources/${id}?done=created`, 303);
  });

  app.post<IdParams>('/admin/campaigns/:id/evidence/incidents', edit, async (request, reply) => {
    const campaign = await getCampaignForAdmin(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseIncidentForm(body, now());
    const factIds = readIds(body, 'facts', errors);
    const sourceIds = readIds(body, 'sources', errors);
    if (hasErrors(errors)) return sendNew(request, reply, campaign.id, 'incident', rejected('incident', body, errors));
    let id = 0;
    const refused = await fieldErrorsOf(async () => {
      id = await createIncident(database, { ...actor(request), campaignId: campaign.id, input, factIds, sourceIds });
    });
    if (refused) return sendNew(request, reply, campaign.id, 'incident', rejected('incident', body, refused));
    return reply.redirect(`/admin/evidence/incidents/${id}?done=created`, 303);
  });

  // ---- Facts -------------------------------------------------------------------------------------------------------

  app.get<IdParams>('/admin/evidence/facts/:id', view, async (request, reply) => sendFact(request, reply, await getFact(db, parseId(request.params.id))));

  app.post<IdParams>('/admin/evidence/facts/:id', edit, async (request, reply) => {
    const fact = await getFact(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseFactForm(body, now());
    if (hasErrors(errors)) return sendFact(request, reply, fact, rejected('fact', body, errors));
    let changed = false;
    const refused = await fieldErrorsOf(async () => {
      changed = await updateFact(database, { ...actor(request), factId: fact.id, input });
    });
    if (refused) return sendFact(request, reply, fact, rejected('fact', body, refused));
    return reply.redirect(`/admin/evidence/facts/${fact.id}?done=${changed ? 'saved' : 'unchanged'}`, 303);
  });

  app.post<IdParams>('/admin/evidence/facts/:id/sources', edit, async (request, reply) => {
    const fact = await getFact(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const sourceId = parseId(body['source']);
    if (sourceId === undefined) return sendFact(request, reply, fact, rejected('link-source', body, { source: 'evidence.errors.choose' }));
    const refused = await fieldErrorsOf(() => linkFactSource(database, { ...actor(request), factId: fact.id, sourceId }));
    if (refused) return sendFact(request, reply, fact, rejected('link-source', body, refused));
    return reply.redirect(`/admin/evidence/facts/${fact.id}?done=linked`, 303);
  });

  app.post<LinkParams>('/admin/evidence/facts/:id/sources/:other/unlink', edit, async (request, reply) => {
    const fact = await getFact(db, parseId(request.params.id));
    const sourceId = parseId(request.params.other);
    if (sourceId === undefined) return sendFact(request, reply, fact, rejected('link-source', {}, { source: 'evidence.errors.choose' }));
    const refused = await fieldErrorsOf(() => unlinkFactSource(database, { ...actor(request), factId: fact.id, sourceId }));
    if (refused) return sendFact(request, reply, fact, rejected('link-source', {}, refused));
    return reply.redirect(`/admin/evidence/facts/${fact.id}?done=unlinked`, 303);
  });

  app.post<IdParams>('/admin/evidence/facts/:id/statements', edit, async (request, reply) => {
    const fact = await getFact(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const statementId = parseId(body['statement']);
    if (statementId === undefined) return sendFact(request, reply, fact, rejected('link-statement', body, { statement: 'evidence.errors.choose' }));
    const relation = body['relation'] as 'confirms' | 'denies';
    const refused = await fieldErrorsOf(() => linkFactStatement(database, { ...actor(request), factId: fact.id, statementId, relation }));
    if (refused) return sendFact(request, reply, fact, rejected('link-statement', body, refused));
    return reply.redirect(`/admin/evidence/facts/${fact.id}?done=linked`, 303);
  });

  app.post<LinkParams>('/admin/evidence/facts/:id/statements/:other/unlink', edit, async (request, reply) => {
    const fact = await getFact(db, parseId(request.params.id));
    const statementId = parseId(request.params.other);
    if (statementId !== undefined) await unlinkFactStatement(database, { ...actor(request), factId: fact.id, statementId });
    return reply.redirect(`/admin/evidence/facts/${fact.id}?done=unlinked`, 303);
  });

  // ---- Sources -----------------------------------------------------------------------------------------------------

  app.get<IdParams>('/admin/evidence/sources/:id', view, async (request, reply) => sendSource(request, reply, await getSource(db, parseId(request.params.id))));

  app.post<IdParams>('/admin/evidence/sources/:id', edit, async (request, reply) => {
    const source = await getSource(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseSourceForm(body, now());
    if (hasErrors(errors)) return sendSource(request, reply, source, rejected('source', body, errors));
    let changed = false;
    const refused = await fieldErrorsOf(async () => {
      changed = await updateSource(database, { ...actor(request), sourceId: source.id, input });
    });
    if (refused) return sendSource(request, reply, source, rejected('source', body, refused));
    return reply.redirect(`/admin/evidence/sources/${source.id}?done=${changed ? 'saved' : 'unchanged'}`, 303);
  });

  // ---- Incidents ---------------------------------------------------------------------------------------------------

  app.get<IdParams>('/admin/evidence/incidents/:id', view, async (request, reply) =>
    sendIncident(request, reply, await getIncident(db, parseId(request.params.id))),
  );

  app.post<IdParams>('/admin/evidence/incidents/:id', edit, async (request, reply) => {
    const incident = await getIncident(db, parseId(request.params.id));
    const body = asFormBody(request.body);
    const { input, errors } = parseIncidentForm(body, now());
    if (hasErrors(errors)) return sendIncident(request, reply, incident, rejected('incident', body, errors));
    let changed = false;
    const refused = await fieldErrorsOf(async () => {
      changed = await updateIncident(database, { ...actor(request), incidentId: incident.id, input });
    });
    if (refused) return sendIncident(request, reply, incident, rejected('incident', body, refused));
    return reply.redirect(`/admin/evidence/incidents/${incident.id}?done=${changed ? 'saved' : 'unchanged'}`, 303);
  });

  for (const kind of ['fact', 'source'] as const) {
    const link = kind === 'fact' ? linkIncidentFact : linkIncidentSource;
    const unlink = kind === 'fact' ? unlinkIncidentFact : unlinkIncidentSource;
    const form: FormName = kind === 'fact' ? 'link-fact' : 'link-source';
    const ids = (incidentId: number, otherId: number) =>
      kind === 'fact' ? { incidentId, factId: otherId, sourceId: otherId } : { incidentId, sourceId: otherId, factId: otherId };

    app.post<IdParams>(`/admin/evidence/incidents/:id/${kind}s`, edit, async (request, reply) => {
      const incident = await getIncident(db, parseId(request.params.id));
      const body = asFormBody(request.body);
      const otherId = parseId(body[kind]);
      if (otherId === undefined) return sendIncident(request, reply, incident, rejected(form, body, { [kind]: 'evidence.errors.choose' }));
      const refused = await fieldErrorsOf(() => link(database, { ...actor(request), ...ids(incident.id, otherId) }));
      if (refused) return sendIncident(request, reply, incident, rejected(form, body, refused));
      return reply.redirect(`/admin/evidence/incidents/${incident.id}?done=linked`, 303);
    });

    app.post<LinkParams>(`/admin/evidence/incidents/:id/${kind}s/:other/unlink`, edit, async (request, reply) => {
      const incident = await getIncident(db, parseId(request.params.id));
      const otherId = parseId(request.params.other);
      if (otherId !== undefined) await unlink(database, { ...actor(request), ...ids(incident.id, otherId) });
      return reply.redirect(`/admin/evidence/incidents/${incident.id}?done=unlinked`, 303);
    });
  }
}
