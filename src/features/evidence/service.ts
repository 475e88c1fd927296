/**
 * Recording facts, sources, incidents and their links. Every change is one transaction that holds the campaign's
 * ledger lock: the projection is updated, the entity's new state is appended to the campaign's hash chain, the change
 * is audited and the campaign marked changed. Nothing is deleted: a fact is retracted, an incident or a source made
 * internal, a link removed by a new revision that no longer has it.
 */
import { SYSTEM_CLOCK, type Clock } from '../../clock.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import { forgetCachedReads } from '../../db/read-cache.ts';
import type { EvidenceEntity, StatementRelation } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { diffFields, recordAudit } from '../audit/index.ts';
import { findCampaignStatement, listStatementsOfCampaign, type CampaignStatement } from '../accountability/index.ts';
import { findCampaignById, touchCampaign } from '../campaigns/index.ts';
import { checkFactInput, checkIncidentInput, checkRelation, checkSourceInput, invalidFields, throwIfInvalid } from './forms.ts';
import { listCaptureRefs } from './captures-store.ts';
import { appendRevision, canonicalJson, type AppendedRevision } from './ledger.ts';
import {
  factState,
  incidentState,
  sourceState,
  totalCounts,
  type EntityState,
  type Fact,
  type FactInput,
  type Incident,
  type IncidentInput,
  type IncidentTotals,
  type PublicFact,
  type RevisionSummary,
  type Source,
  type SourceInput,
} from './model.ts';
import {
  addFactSource,
  addIncidentLink,
  findFactById,
  findIncidentById,
  findSourceById,
  insertFactRow,
  insertIncidentRow,
  insertSourceRow,
  listFactsOfCampaign,
  listFactsRelyingOnSource,
  listIncidentsOfCampaign,
  listRevisionsOf,
  listSourcesByIds,
  listSourcesOfCampaign,
  removeFactSource,
  removeFactStatement,
  removeIncidentLink,
  setFactStatement,
  setVersion,
  updateFactRow,
  updateIncidentRow,
  updateSourceRow,
  type StoredRevision,
} from './queries.ts';

/** Who makes the change (null: the demo or the command line), and the clock dates are checked against. */
export interface Actor {
  userId: number | null;
  clock?: Pick<Clock, 'now'>;
}

// 'EV' in the high bits, the campaign's id in the low: one lock per campaign, apart from every other lock's key.
const LEDGER_LOCK_BASE = 0x4556_0000_0000;

/**
 * Runs `work` in one transaction holding the campaign's ledger lock (PostgreSQL: an advisory lock; SQLite: the one
 * writer), so the chain's head read by appendRevision is still its head at commit and two changes never fork it.
 */
async function changeLedger<T>(database: DatabaseHandle, campaignId: number, work: (trx: Database) => Promise<T>): Promise<T> {
  const result = await database.withLock(LEDGER_LOCK_BASE + campaignId, work);
  forgetCachedReads(database.db);
  return result;
}

function timeOf(actor: Actor): { now: number; at: string } {
  const now = (actor.clock ?? SYSTEM_CLOCK).now();
  return { now, at: new Date(now).toISOString() };
}

function notFound(entity: EvidenceEntity): AppError {
  return new AppError('not_found', `No such ${entity}.`);
}

function refuse(field: string, key: string, what: string): never {
  throw invalidFields({ [field]: key }, what);
}

async function loadState(trx: Database, entity: EvidenceEntity, id: number): Promise<{ campaignId: number; public: boolean; state: EntityState }> {
  if (entity === 'fact') {
    const fact = await findFactById(trx, id);
    if (fact) return { campaignId: fact.campaignId, public: fact.public, state: factState(fact) };
  } else if (entity === 'source') {
    const source = await findSourceById(trx, id);
    if (source) return { campaignId: source.campaignId, public: source.public, state: sourceState({ ...source, captures: await listCaptureRefs(trx, id) }) };
  } else {
    const incident = await findIncidentById(trx, id);
    if (incident) return { campaignId: incident.campaignId, public: incident.public, state: incidentState(incident) };
  }
  throw notFound(entity);
}

/** Appends the entity's state as the projection now holds it, and notes the new version on its row. */
async function recordRevision(trx: Database, entity: EvidenceEntity, id: number, actor: Actor, at: string): Promise<AppendedRevision> {
  const { campaignId, public: isPublic, state } = await loadState(trx, entity, id);
  const revision = await appendRevision(trx, { campaignId, entity, entityId: id, public: isPublic, data: state, authorId: actor.userId, at });
  await setVersion(trx, entity, id, revision.version, at);
  return revision;
}

/** The campaign an entity belongs to (never changes), read before taking that campaign's lock. */
async function campaignOf(db: Database, entity: EvidenceEntity, id: number): Promise<number> {
  const table = entity === 'fact' ? 'evidence_facts' : entity === 'source' ? 'evidence_sources' : 'evidence_incidents';
  const row = await db.selectFrom(table).select('campaign_id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(entity);
  return Number(row.campaign_id);
}

async function requireCampaign(db: Database, campaignId: number): Promise<void> {
  if (!(await findCampaignById(db, campaignId))) throw new AppError('not_found', 'No such campaign.');
}

/** The sources `ids`, each of which must belong to the campaign; a bad one is reported on `field`. */
async function sourcesInCampaign(db: Database, campaignId: number, ids: readonly number[], field: string, what: string): Promise<Source[]> {
  const sources = await listSourcesByIds(db, ids);
  if (sources.length !== new Set(ids).size || sources.some((s) => s.campaignId !== campaignId)) refuse(field, 'evidence.errors.otherCampaign', what);
  return sources;
}

async function factsInCampaign(db: Database, campaignId: number, ids: readonly number[], field: string, what: string): Promise<void> {
  for (const id of new Set(ids)) {
    const fact = await findFactById(db, id);
    if (!fact || fact.campaignId !== campaignId) refuse(field, 'evidence.errors.otherCampaign', what);
  }
}

function auditableFact(input: FactInput): Record<string, unknown> {
  return {
    claim: input.claim,
    lang: input.lang,
    figure: input.figure ? `${input.figure.qualifier} ${input.figure.value} ${input.figure.unit}` : null,
    status: input.status,
    first_reported_on: `${input.firstReportedOn}${input.firstReportedApproximate ? ' (approximate)' : ''}`,
    public: input.public,
  };
}

function auditableSource(input: SourceInput): Record<string, unknown> {
  return {
    publisher: input.publisher,
    title: input.title,
    url: input.url,
    published_on: input.publishedOn && `${input.publishedOn}${input.publishedApproximate ? ' (approximate)' : ''}`,
    quote: input.quote,
    lang: input.lang,
    public: input.public,
  };
}

function auditableIncident(input: IncidentInput): Record<string, unknown> {
  return {
    dates: `${input.startsOn}${input.endsOn ? ` to ${input.endsOn}` : ''}${input.approximate ? ' (approximate)' : ''}`,
    region: input.region,
    ...input.counts,
    description: input.description,
    lang: input.lang,
    public: input.public,
  };
}

// ---- Facts ---------------------------------------------------------------------------------------------------------

export async function getFact(db: Database, id: number | undefined): Promise<Fact> {
  const fact = id === undefined ? undefined : await findFactById(db, id);
  if (!fact) throw notFound('fact');
  return fact;
}

/** Records a new fact, with the sources given (a public fact needs at least one public source). Returns its id. */
export async function createFact(
  database: DatabaseHandle,
  options: Actor & { campaignId: number; input: FactInput; sourceIds?: readonly number[] },
): Promise<number> {
  const { now, at } = timeOf(options);
  const { input, errors } = checkFactInput(options.input, now);
  throwIfInvalid(errors, 'fact');
  return changeLedger(database, options.campaignId, async (trx) => {
    await requireCampaign(trx, options.campaignId);
    const sourceIds = [...new Set(options.sourceIds ?? [])];
    const sources = await sourcesInCampaign(trx, options.campaignId, sourceIds, 'sources', 'fact');
    if (input.public && !sources.some((s) => s.public)) refuse('public', 'evidence.errors.publicNeedsSource', 'fact');
    const id = await insertFactRow(trx, options.campaignId, input, at);
    for (const sourceId of sourceIds) await addFactSource(trx, id, sourceId);
    const revision = await recordRevision(trx, 'fact', id, options, at);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.fact.create',
      entityType: 'evidence_fact',
      entityId: id,
      changes: { ...diffFields({}, auditableFact(input)), sources: [null, sourceIds.join(', ')], revision: [null, revision.seq] },
    });
    await touchCampaign(trx, options.campaignId);
    return id;
  });
}

/** Changes a fact; a change that changes nothing appends nothing. Says whether a revision was appended. */
export async function updateFact(database: DatabaseHandle, options: Actor & { factId: number; input: FactInput }): Promise<boolean> {
  const { now, at } = timeOf(options);
  const { input, errors } = checkFactInput(options.input, now);
  throwIfInvalid(errors, 'fact');
  const campaignId = await campaignOf(database.db, 'fact', options.factId);
  return changeLedger(database, campaignId, async (trx) => {
    const before = await getFact(trx, options.factId);
    if (canonicalJson(factState({ ...before, ...input })) === canonicalJson(factState(before))) return false;
    if (input.public && !(await listSourcesByIds(trx, before.sourceIds)).some((s) => s.public)) refuse('public', 'evidence.errors.publicNeedsSource', 'fact');
    await updateFactRow(trx, before.id, input, at);
    const revision = await recordRevision(trx, 'fact', before.id, options, at);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.fact.update',
      entityType: 'evidence_fact',
      entityId: before.id,
      changes: { ...diffFields(auditableFact(before), auditableFact(input)), revision: [before.version, revision.seq] },
    });
    await touchCampaign(trx, campaignId);
    return true;
  });
}

// ---- Sources -------------------------------------------------------------------------------------------------------

export async function getSource(db: Database, id: number | undefined): Promise<Source> {
  const source = id === undefined ? undefined : await findSourceById(db, id);
  if (!source) throw notFound('source');
  return source;
}

export async function createSource(database: DatabaseHandle, options: Actor & { campaignId: number; input: SourceInput }): Promise<number> {
  const { now, at } = timeOf(options);
  const { input, errors } = checkSourceInput(options.input, now);
  throwIfInvalid(errors, 'source');
  return changeLedger(database, options.campaignId, async (trx) => {
    await requireCampaign(trx, options.campaignId);
    const id = await insertSourceRow(trx, options.campaignId, input, at);
    const revision = await recordRevision(trx, 'source', id, options, at);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.source.create',
      entityType: 'evidence_source',
      entityId: id,
      changes: { ...diffFields({}, auditableSource(input)), revision: [null, revision.seq] },
    });
    await touchCampaign(trx, options.campaignId);
    return id;
  });
}

/**
 * Changes a source. A source may stop being public only while every public fact it supports has another public
 * source: a public fact is never left without one.
 */
export async function updateSource(database: DatabaseHandle, options: Actor & { sourceId: number; input: SourceInput }): Promise<boolean> {
  const { now, at } = timeOf(options);
  const { input, errors } = checkSourceInput(options.input, now);
  throwIfInvalid(errors, 'source');
  const campaignId = await campaignOf(database.db, 'source', options.sourceId);
  return changeLedger(database, campaignId, async (trx) => {
    const before = await getSource(trx, options.sourceId);
    if (canonicalJson(sourceState({ ...before, ...input })) === canonicalJson(sourceState(before))) return false;
    if (before.public && !input.public && (await listFactsRelyingOnSource(trx, before.id)).length > 0) {
      refuse('public', 'evidence.errors.lastPublicSource', 'source');
    }
    await updateSourceRow(trx, before.id, input, at);
    const revision = await recordRevision(trx, 'source', before.id, options, at);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.source.update',
      entityType: 'evidence_source',
      entityId: before.id,
      changes: { ...diffFields(auditableSource(before), auditableSource(input)), revision: [before.version, revision.seq] },
    });
    await touchCampaign(trx, campaignId);
    return true;
  });
}

/**
 * A copy of a source is now kept: `store` marks it stored (in this transaction), and the source's new state, which
 * names every kept copy by its SHA-256 and time, is appended to the chain, so a copy cannot be swapped unnoticed.
 */
export async function recordSourceCapture(
  database: DatabaseHandle,
  options: Actor & { sourceId: number; captureId: number; sha256: string; store: (trx: Database) => Promise<void> },
): Promise<AppendedRevision> {
  const { at } = timeOf(options);
  const campaignId = await campaignOf(database.db, 'source', options.sourceId);
  return changeLedger(database, campaignId, async (trx) => {
    await options.store(trx);
    const revision = await recordRevision(trx, 'source', options.sourceId, options, at);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.source.capture',
      entityType: 'evidence_source',
      entityId: options.sourceId,
      changes: { capture: [null, `${options.captureId} sha256:${options.sha256}`], revision: [null, revision.seq] },
    });
    await touchCampaign(trx, campaignId);
    return revision;
  });
}

// ---- Incidents -----------------------------------------------------------------------------------------------------

export async function getIncident(db: Database, id: number | undefined): Promise<Incident> {
  const incident = id === undefined ? undefined : await findIncidentById(db, id);
  if (!incident) throw notFound('incident');
  return incident;
}

export async function createIncident(
  database: DatabaseHandle,
  options: Actor & { campaignId: number; input: IncidentInput; factIds?: readonly number[]; sourceIds?: readonly number[] },
): Promise<number> {
  const { now, at } = timeOf(options);
  const { input, errors } = checkIncidentInput(options.input, now);
  throwIfInvalid(errors, 'incident');
  return changeLedger(database, options.campaignId, async (trx) => {
    await requireCampaign(trx, options.campaignId);
    const factIds = [...new Set(options.factIds ?? [])];
    const sourceIds = [...new Set(options.sourceIds ?? [])];
    await factsInCampaign(trx, options.campaignId, factIds, 'facts', 'incident');
    await sourcesInCampaign(trx, options.campaignId, sourceIds, 'sources', 'incident');
    const id = await insertIncidentRow(trx, options.campaignId, input, at);
    for (const factId of factIds) await addIncidentLink(trx, id, 'fact', factId);
    for (const sourceId of sourceIds) await addIncidentLink(trx, id, 'source', sourceId);
    const revision = await recordRevision(trx, 'incident', id, options, at);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.incident.create',
      entityType: 'evidence_incident',
      entityId: id,
      changes: { ...diffFields({}, auditableIncident(input)), revision: [null, revision.seq] },
    });
    await touchCampaign(trx, options.campaignId);
    return id;
  });
}

export async function updateIncident(database: DatabaseHandle, options: Actor & { incidentId: number; input: IncidentInput }): Promise<boolean> {
  const { now, at } = timeOf(options);
  const { input, errors } = checkIncidentInput(options.input, now);
  throwIfInvalid(errors, 'incident');
  const campaignId = await campaignOf(database.db, 'incident', options.incidentId);
  return changeLedger(database, campaignId, async (trx) => {
    const before = await getIncident(trx, options.incidentId);
    if (canonicalJson(incidentState({ ...before, ...input })) === canonicalJson(incidentState(before))) return false;
    await updateIncidentRow(trx, before.id, input, at);
    const revision = await recordRevision(trx, 'incident', before.id, options, at);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.incident.update',
      entityType: 'evidence_incident',
      entityId: before.id,
      changes: { ...diffFields(auditableIncident(before), auditableIncident(input)), revision: [before.version, revision.seq] },
    });
    await touchCampaign(trx, campaignId);
    return true;
  });
}

// ---- Links: each change is a new revision of the fact or the incident ----------------------------------------------

/**
 * Changes one link of a fact or an incident inside its campaign's lock: `change` says whether anything changed; if it
 * did, the owner's new state is appended and the change audited. Returns whether it changed.
 */
async function changeLink(
  database: DatabaseHandle,
  actor: Actor,
  owner: { entity: 'fact' | 'incident'; id: number },
  audit: { action: string; field: string; before: unknown; after: unknown },
  change: (trx: Database, campaignId: number) => Promise<boolean>,
): Promise<boolean> {
  const { at } = timeOf(actor);
  const campaignId = await campaignOf(database.db, owner.entity, owner.id);
  return changeLedger(database, campaignId, async (trx) => {
    if (!(await change(trx, campaignId))) return false;
    const revision = await recordRevision(trx, owner.entity, owner.id, actor, at);
    await recordAudit(trx, {
      userId: actor.userId,
      action: audit.action,
      entityType: `evidence_${owner.entity}`,
      entityId: owner.id,
      changes: { [audit.field]: [audit.before, audit.after], revision: [null, revision.seq] },
    });
    await touchCampaign(trx, campaignId);
    return true;
  });
}

export async function linkFactSource(database: DatabaseHandle, options: Actor & { factId: number; sourceId: number }): Promise<boolean> {
  const audit = { action: 'evidence.fact.link-source', field: 'source', before: null, after: options.sourceId };
  return changeLink(database, options, { entity: 'fact', id: options.factId }, audit, async (trx, campaignId) => {
    await sourcesInCampaign(trx, campaignId, [options.sourceId], 'source', 'link');
    return addFactSource(trx, options.factId, options.sourceId);
  });
}

/** Removes a source from a fact; refused when it is the last public source of a public fact. */
export async function unlinkFactSource(database: DatabaseHandle, options: Actor & { factId: number; sourceId: number }): Promise<boolean> {
  const audit = { action: 'evidence.fact.unlink-source', field: 'source', before: options.sourceId, after: null };
  return changeLink(database, options, { entity: 'fact', id: options.factId }, audit, async (trx) => {
    if ((await listFactsRelyingOnSource(trx, options.sourceId)).includes(options.factId)) refuse('source', 'evidence.errors.lastPublicSource', 'link');
    return removeFactSource(trx, options.factId, options.sourceId);
  });
}

/** Links a target's statement that confirms or denies the fact (or changes how it relates). */
export async function linkFactStatement(
  database: DatabaseHandle,
  options: Actor & { factId: number; statementId: number; relation: StatementRelation },
): Promise<boolean> {
  const relation = checkRelation(options.relation);
  throwIfInvalid(relation.errors, 'link');
  const audit = { action: 'evidence.fact.link-statement', field: 'statement', before: null, after: `${options.statementId} ${relation.input}` };
  return changeLink(database, options, { entity: 'fact', id: options.factId }, audit, async (trx, campaignId) => {
    const linked = await findCampaignStatement(trx, options.statementId);
    if (!linked || linked.target.campaignId !== campaignId) refuse('statement', 'evidence.errors.otherCampaign', 'link');
    return setFactStatement(trx, options.factId, options.statementId, relation.input);
  });
}

export async function unlinkFactStatement(database: DatabaseHandle, options: Actor & { factId: number; statementId: number }): Promise<boolean> {
  const audit = { action: 'evidence.fact.unlink-statement', field: 'statement', before: options.statementId, after: null };
  return changeLink(database, options, { entity: 'fact', id: options.factId }, audit, (trx) => removeFactStatement(trx, options.factId, options.statementId));
}

export async function linkIncidentFact(database: DatabaseHandle, options: Actor & { incidentId: number; factId: number }): Promise<boolean> {
  const audit = { action: 'evidence.incident.link-fact', field: 'fact', before: null, after: options.factId };
  return changeLink(database, options, { entity: 'incident', id: options.incidentId }, audit, async (trx, campaignId) => {
    await factsInCampaign(trx, campaignId, [options.factId], 'fact', 'link');
    return addIncidentLink(trx, options.incidentId, 'fact', options.factId);
  });
}

export async function unlinkIncidentFact(database: DatabaseHandle, options: Actor & { incidentId: number; factId: number }): Promise<boolean> {
  const audit = { action: 'evidence.incident.unlink-fact', field: 'fact', before: options.factId, after: null };
  return changeLink(database, options, { entity: 'incident', id: options.incidentId }, audit, (trx) =>
    removeIncidentLink(trx, options.incidentId, 'fact', options.factId),
  );
}

export async function linkIncidentSource(database: DatabaseHandle, options: Actor & { incidentId: number; sourceId: number }): Promise<boolean> {
  const audit = { action: 'evidence.incident.link-source', field: 'source', before: null, after: options.sourceId };
  return changeLink(database, options, { entity: 'incident', id: options.incidentId }, audit, async (trx, campaignId) => {
    await sourcesInCampaign(trx, campaignId, [options.sourceId], 'source', 'link');
    return addIncidentLink(trx, options.incidentId, 'source', options.sourceId);
  });
}

export async function unlinkIncidentSource(database: DatabaseHandle, options: Actor & { incidentId: number; sourceId: number }): Promise<boolean> {
  const audit = { action: 'evidence.incident.unlink-source', field: 'source', before: options.sourceId, after: null };
  return changeLink(database, options, { entity: 'incident', id: options.incidentId }, audit, (trx) =>
    removeIncidentLink(trx, options.incidentId, 'source', options.sourceId),
  );
}

// ---- Reads for the pages -------------------------------------------------------------------------------------------

function summaryOf(revision: StoredRevision, published: boolean): RevisionSummary {
  return {
    seq: revision.seq,
    entity: revision.entity,
    entityId: revision.entityId,
    version: revision.version,
    public: revision.public,
    authorId: revision.authorId,
    at: revision.at,
    hash: revision.hash,
    dataHash: revision.dataHash,
    data: published ? (JSON.parse(revision.data) as EntityState) : null,
  };
}

/**
 * The revisions of an entity, oldest first. For the public view, a revision's data is shown only when that revision
 * was public and the entity still is (see isPublished in export.ts); organisers see every revision's data.
 */
export async function listEntityHistory(db: Database, options: { entity: EvidenceEntity; entityId: number; publicView: boolean }): Promise<RevisionSummary[]> {
  const revisions = await listRevisionsOf(db, options.entity, [options.entityId]);
  const stillPublic = revisions.at(-1)?.public === true;
  return revisions.map((r) => summaryOf(r, !options.publicView || (r.public && stillPublic)));
}

export interface PublicIncident {
  incident: Incident;
  /** Its public facts and sources only. */
  factIds: number[];
  sources: Source[];
  history: RevisionSummary[];
}

export interface PublicEvidence {
  facts: PublicFact[];
  incidents: PublicIncident[];
  /** Every public source of the campaign. */
  sources: Source[];
  /** Counts added up over the public incidents. */
  totals: IncidentTotals;
}

/** What the public page shows: public facts with their public sources, statements and history; public incidents. */
export async function loadPublicEvidence(db: Database, campaignId: number): Promise<PublicEvidence> {
  const [facts, sources, incidents] = await Promise.all([
    listFactsOfCampaign(db, campaignId, { publicOnly: true }),
    listSourcesOfCampaign(db, campaignId, { publicOnly: true }),
    listIncidentsOfCampaign(db, campaignId, { publicOnly: true }),
  ]);
  const sourcesById = new Map(sources.map((s) => [s.id, s]));
  const publicFactIds = new Set(facts.map((f) => f.id));
  const publicSourcesOf = (ids: readonly number[]) => ids.flatMap((id) => sourcesById.get(id) ?? []);
  const factHistory = groupRevisions(
    await listRevisionsOf(
      db,
      'fact',
      facts.map((f) => f.id),
    ),
  );
  const incidentHistory = groupRevisions(
    await listRevisionsOf(
      db,
      'incident',
      incidents.map((i) => i.id),
    ),
  );
  // Every entity listed here is public now, so each of its public revisions may be shown.
  const publicHistory = (revisions: StoredRevision[] | undefined) => (revisions ?? []).map((r) => summaryOf(r, r.public));
  return {
    facts: facts.map((fact) => ({
      fact,
      sources: publicSourcesOf(fact.sourceIds),
      statements: fact.statements,
      history: publicHistory(factHistory.get(fact.id)),
    })),
    incidents: incidents.map((incident) => ({
      incident,
      factIds: incident.factIds.filter((id) => publicFactIds.has(id)),
      sources: publicSourcesOf(incident.sourceIds),
      history: publicHistory(incidentHistory.get(incident.id)),
    })),
    sources,
    totals: totalCounts(incidents),
  };
}

function groupRevisions(revisions: StoredRevision[]): Map<number, StoredRevision[]> {
  const groups = new Map<number, StoredRevision[]>();
  for (const revision of revisions) {
    const group = groups.get(revision.entityId);
    if (group) group.push(revision);
    else groups.set(revision.entityId, [revision]);
  }
  return groups;
}

export interface OrganiserEvidence {
  facts: Fact[];
  sources: Source[];
  incidents: Incident[];
  /** The campaign's statements (accountability), to link to facts. */
  statements: CampaignStatement[];
  /** Counts added up over every incident, public or internal. */
  totals: IncidentTotals;
}

/** Everything the organisers' pages show, public or not. */
export async function loadOrganiserEvidence(db: Database, campaignId: number): Promise<OrganiserEvidence> {
  const [facts, sources, incidents, statements] = await Promise.all([
    listFactsOfCampaign(db, campaignId),
    listSourcesOfCampaign(db, campaignId),
    listIncidentsOfCampaign(db, campaignId),
    listStatementsOfCampaign(db, campaignId),
  ]);
  return { facts, sources, incidents, statements, totals: totalCounts(incidents) };
}
