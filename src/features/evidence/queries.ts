/**
 * The projection: facts, sources, incidents and their links as they stand now. Only the service writes here, in the
 * transaction that appends the matching revision; the readers build the records the pages and the ledger use.
 */
import type { Selectable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { EvidenceEntity, EvidenceFactsTable, EvidenceIncidentsTable, EvidenceSourcesTable, StatementRelation } from '../../db/schema.ts';
import { DEFAULT_LOCALE } from '../../web/i18n.ts';
import { findCampaignStatement, listStatementsOfCampaign, targetText, type CampaignStatement } from '../accountability/index.ts';
import {
  COUNT_KINDS,
  type Counts,
  type Fact,
  type FactInput,
  type Incident,
  type IncidentInput,
  type Source,
  type SourceInput,
  type StatementLink,
} from './model.ts';

const flag = (value: boolean) => (value ? 1 : 0) as 0 | 1;

function groupBy<T>(rows: readonly T[], keyOf: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** A linked statement as the fact shows it (and its revisions record it). */
export function statementLinkOf(linked: CampaignStatement, relation: StatementRelation): StatementLink {
  const { statement, target } = linked;
  return {
    statementId: statement.id,
    relation,
    targetId: target.id,
    targetName: targetText(target, DEFAULT_LOCALE).name,
    stance: statement.stance,
    statedOn: statement.statedOn,
    quote: statement.quote,
    lang: statement.lang,
  };
}

// ---- Facts ---------------------------------------------------------------------------------------------------------

async function buildFacts(db: Database, rows: Selectable<EvidenceFactsTable>[]): Promise<Fact[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => Number(row.id));
  const sources = groupBy(await db.selectFrom('evidence_fact_sources').selectAll().where('fact_id', 'in', ids).execute(), (l) => Number(l.fact_id));
  const links = await db.selectFrom('evidence_fact_statements').selectAll().where('fact_id', 'in', ids).orderBy('statement_id').execute();
  const statements = await linkedStatements(
    db,
    Number(rows[0]!.campaign_id),
    links.map((link) => Number(link.statement_id)),
  );
  const statementLinks = groupBy(links, (l) => Number(l.fact_id));
  return rows.map((row) => {
    const id = Number(row.id);
    return {
      id,
      campaignId: Number(row.campaign_id),
      lang: row.lang,
      claim: row.claim,
      figure:
        row.figure_value === null || row.figure_unit === null || row.figure_qualifier === null
          ? null
          : { value: Number(row.figure_value), unit: row.figure_unit, qualifier: row.figure_qualifier },
      status: row.status,
      firstReportedOn: row.first_reported_on,
      firstReportedApproximate: row.first_reported_approximate === 1,
      public: row.public === 1,
      sourceIds: (sources.get(id) ?? []).map((l) => Number(l.source_id)).sort((a, b) => a - b),
      statements: (statementLinks.get(id) ?? []).flatMap((link) => {
        const linked = statements.get(Number(link.statement_id));
        return linked ? [statementLinkOf(linked, link.relation)] : [];
      }),
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  });
}

/** The statements `ids` of one campaign: all of the campaign's in one read when there are several. */
async function linkedStatements(db: Database, campaignId: number, ids: readonly number[]): Promise<Map<number, CampaignStatement>> {
  if (ids.length === 0) return new Map();
  if (ids.length === 1) {
    const one = await findCampaignStatement(db, ids[0]!);
    return new Map(one ? [[one.statement.id, one]] : []);
  }
  const all = await listStatementsOfCampaign(db, campaignId);
  return new Map(all.map((linked) => [linked.statement.id, linked]));
}

export async function listFactsOfCampaign(db: Database, campaignId: number, options: { publicOnly?: boolean } = {}): Promise<Fact[]> {
  let query = db.selectFrom('evidence_facts').selectAll().where('campaign_id', '=', campaignId);
  if (options.publicOnly) query = query.where('public', '=', 1);
  return buildFacts(db, await query.orderBy('first_reported_on').orderBy('id').execute());
}

export async function findFactById(db: Database, id: number): Promise<Fact | undefined> {
  return (await buildFacts(db, await db.selectFrom('evidence_facts').selectAll().where('id', '=', id).execute()))[0];
}

export async function insertFactRow(db: Database, campaignId: number, input: FactInput, now: string): Promise<number> {
  const row = await db
    .insertInto('evidence_facts')
    .values({ campaign_id: campaignId, ...factColumns(input), version: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateFactRow(db: Database, id: number, input: FactInput, now: string): Promise<void> {
  await db
    .updateTable('evidence_facts')
    .set({ ...factColumns(input), updated_at: now })
    .where('id', '=', id)
    .execute();
}

function factColumns(input: FactInput) {
  return {
    lang: input.lang,
    claim: input.claim,
    figure_value: input.figure?.value ?? null,
    figure_unit: input.figure?.unit ?? null,
    figure_qualifier: input.figure?.qualifier ?? null,
    status: input.status,
    first_reported_on: input.firstReportedOn,
    first_reported_approximate: flag(input.firstReportedApproximate),
    public: flag(input.public),
  };
}

// ---- Sources -------------------------------------------------------------------------------------------------------

function toSource(row: Selectable<EvidenceSourcesTable>): Source {
  return {
    id: Number(row.id),
    campaignId: Number(row.campaign_id),
    publisher: row.publisher,
    title: row.title,
    url: row.url,
    publishedOn: row.published_on,
    publishedApproximate: row.published_approximate === 1,
    quote: row.quote,
    lang: row.lang,
    public: row.public === 1,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listSourcesOfCampaign(db: Database, campaignId: number, options: { publicOnly?: boolean } = {}): Promise<Source[]> {
  let query = db.selectFrom('evidence_sources').selectAll().where('campaign_id', '=', campaignId);
  if (options.publicOnly) query = query.where('public', '=', 1);
  return (await query.orderBy('id').execute()).map(toSource);
}

export async function findSourceById(db: Database, id: number): Promise<Source | undefined> {
  const row = await db.selectFrom('evidence_sources').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSource(row) : undefined;
}

export async function listSourcesByIds(db: Database, ids: readonly number[]): Promise<Source[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('evidence_sources').selectAll().where('id', 'in', ids).orderBy('id').execute()).map(toSource);
}

export async function insertSourceRow(db: Database, campaignId: number, input: SourceInput, now: string): Promise<number> {
  const row = await db
    .insertInto('evidence_sources')
    .values({ campaign_id: campaignId, ...sourceColumns(input), version: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateSourceRow(db: Database, id: number, input: SourceInput, now: string): Promise<void> {
  await db
    .updateTable('evidence_sources')
    .set({ ...sourceColumns(input), updated_at: now })
    .where('id', '=', id)
    .execute();
}

function sourceColumns(input: SourceInput) {
  return {
    publisher: input.publisher,
    title: input.title,
    url: input.url,
    published_on: input.publishedOn,
    published_approximate: flag(input.publishedApproximate),
    quote: input.quote,
    lang: input.lang,
    public: flag(input.public),
  };
}

/** The public facts that would be left without a public source if `sourceId` stopped being one of theirs. */
export async function listFactsRelyingOnSource(db: Database, sourceId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('evidence_fact_sources as link')
    .innerJoin('evidence_facts as fact', 'fact.id', 'link.fact_id')
    .select('fact.id')
    .where('link.source_id', '=', sourceId)
    .where('fact.public', '=', 1)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('evidence_fact_sources as other')
            .innerJoin('evidence_sources as source', 'source.id', 'other.source_id')
            .select('other.source_id')
            .whereRef('other.fact_id', '=', 'fact.id')
            .where('other.source_id', '!=', sourceId)
            .where('source.public', '=', 1),
        ),
      ),
    )
    .orderBy('fact.id')
    .execute();
  return rows.map((row) => Number(row.id));
}

// ---- Incidents -----------------------------------------------------------------------------------------------------

async function buildIncidents(db: Database, rows: Selectable<EvidenceIncidentsTable>[]): Promise<Incident[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => Number(row.id));
  const facts = groupBy(await db.selectFrom('evidence_incident_facts').selectAll().where('incident_id', 'in', ids).execute(), (l) => Number(l.incident_id));
  const sources = groupBy(await db.selectFrom('evidence_incident_sources').selectAll().where('incident_id', 'in', ids).execute(), (l) => Number(l.incident_id));
  return rows.map((row) => {
    const id = Number(row.id);
    return {
      id,
      campaignId: Number(row.campaign_id),
      startsOn: row.starts_on,
      endsOn: row.ends_on,
      approximate: row.date_approximate === 1,
      region: row.region,
      counts: Object.fromEntries(COUNT_KINDS.map((kind) => [kind, row[kind] === null ? null : Number(row[kind])])) as Counts,
      description: row.description,
      lang: row.lang,
      public: row.public === 1,
      factIds: (facts.get(id) ?? []).map((l) => Number(l.fact_id)).sort((a, b) => a - b),
      sourceIds: (sources.get(id) ?? []).map((l) => Number(l.source_id)).sort((a, b) => a - b),
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  });
}

export async function listIncidentsOfCampaign(db: Database, campaignId: number, options: { publicOnly?: boolean } = {}): Promise<Incident[]> {
  let query = db.selectFrom('evidence_incidents').selectAll().where('campaign_id', '=', campaignId);
  if (options.publicOnly) query = query.where('public', '=', 1);
  return buildIncidents(db, await query.orderBy('starts_on').orderBy('id').execute());
}

export async function findIncidentById(db: Database, id: number): Promise<Incident | undefined> {
  return (await buildIncidents(db, await db.selectFrom('evidence_incidents').selectAll().where('id', '=', id).execute()))[0];
}

export async function insertIncidentRow(db: Database, campaignId: number, input: IncidentInput, now: string): Promise<number> {
  const row = await db
    .insertInto('evidence_incidents')
    .values({ campaign_id: campaignId, ...incidentColumns(input), version: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateIncidentRow(db: Database, id: number, input: IncidentInput, now: string): Promise<void> {
  await db
    .updateTable('evidence_incidents')
    .set({ ...incidentColumns(input), updated_at: now })
    .where('id', '=', id)
    .execute();
}

function incidentColumns(input: IncidentInput) {
  return {
    starts_on: input.startsOn,
    ends_on: input.endsOn,
    date_approximate: flag(input.approximate),
    region: input.region,
    ...input.counts,
    description: input.description,
    lang: input.lang,
    public: flag(input.public),
  };
}

// ---- Links and versions --------------------------------------------------------------------------------------------

const ENTITY_TABLES = { fact: 'evidence_facts', source: 'evidence_sources', incident: 'evidence_incidents' } as const;

export async function setVersion(db: Database, entity: EvidenceEntity, id: number, version: number, now: string): Promise<void> {
  await db.updateTable(ENTITY_TABLES[entity]).set({ version, updated_at: now }).where('id', '=', id).execute();
}

/** Adds the link if it is not there; says whether it was added. */
export async function addFactSource(db: Database, factId: number, sourceId: number): Promise<boolean> {
  const result = await db
    .insertInto('evidence_fact_sources')
    .values({ fact_id: factId, source_id: sourceId })
    .onConflict((oc) => oc.columns(['fact_id', 'source_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function removeFactSource(db: Database, factId: number, sourceId: number): Promise<boolean> {
  const result = await db.deleteFrom('evidence_fact_sources').where('fact_id', '=', factId).where('source_id', '=', sourceId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Links a statement with `relation`, or changes the relation; says whether anything changed. */
export async function setFactStatement(db: Database, factId: number, statementId: number, relation: StatementRelation): Promise<boolean> {
  const existing = await db
    .selectFrom('evidence_fact_statements')
    .select('relation')
    .where('fact_id', '=', factId)
    .where('statement_id', '=', statementId)
    .executeTakeFirst();
  if (existing?.relation === relation) return false;
  if (existing) {
    await db.updateTable('evidence_fact_statements').set({ relation }).where('fact_id', '=', factId).where('statement_id', '=', statementId).execute();
  } else {
    await db.insertInto('evidence_fact_statements').values({ fact_id: factId, statement_id: statementId, relation }).execute();
  }
  return true;
}

export async function removeFactStatement(db: Database, factId: number, statementId: number): Promise<boolean> {
  const result = await db.deleteFrom('evidence_fact_statements').where('fact_id', '=', factId).where('statement_id', '=', statementId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function addIncidentLink(db: Database, incidentId: number, kind: 'fact' | 'source', otherId: number): Promise<boolean> {
  const result =
    kind === 'fact'
      ? await db
          .insertInto('evidence_incident_facts')
          .values({ incident_id: incidentId, fact_id: otherId })
          .onConflict((oc) => oc.columns(['incident_id', 'fact_id']).doNothing())
          .executeTakeFirst()
      : await db
          .insertInto('evidence_incident_sources')
          .values({ incident_id: incidentId, source_id: otherId })
          .onConflict((oc) => oc.columns(['incident_id', 'source_id']).doNothing())
          .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function removeIncidentLink(db: Database, incidentId: number, kind: 'fact' | 'source', otherId: number): Promise<boolean> {
  const result =
    kind === 'fact'
      ? await db.deleteFrom('evidence_incident_facts').where('incident_id', '=', incidentId).where('fact_id', '=', otherId).executeTakeFirst()
      : await db.deleteFrom('evidence_incident_sources').where('incident_id', '=', incidentId).where('source_id', '=', otherId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// ---- Revisions, signing keys, published exports ---------------------------------------------------------------------

export interface StoredRevision {
  seq: number;
  entity: EvidenceEntity;
  entityId: number;
  version: number;
  public: boolean;
  authorId: number | null;
  at: string;
  hash: string;
  dataHash: string;
  data: string;
}

/** The revisions of some entities of one kind, in chain order. */
export async function listRevisionsOf(db: Database, entity: EvidenceEntity, ids: readonly number[]): Promise<StoredRevision[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('evidence_revisions')
    .select(['seq', 'entity', 'entity_id', 'version', 'public', 'author_id', 'created_at', 'hash', 'data_hash', 'data'])
    .where('entity', '=', entity)
    .where('entity_id', 'in', ids)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    entity: row.entity,
    entityId: Number(row.entity_id),
    version: row.version,
    public: row.public === 1,
    authorId: row.author_id === null ? null : Number(row.author_id),
    at: row.created_at,
    hash: row.hash,
    dataHash: row.data_hash,
    data: row.data,
  }));
}

export async function findRevisionHash(db: Database, campaignId: number, seq: number): Promise<string | undefined> {
  const row = await db.selectFrom('evidence_revisions').select('hash').where('campaign_id', '=', campaignId).where('seq', '=', seq).executeTakeFirst();
  return row?.hash;
}

export interface SigningKeyRow {
  id: number;
  keyId: string;
  publicKey: string;
}

export async function listSigningKeys(db: Database): Promise<SigningKeyRow[]> {
  const rows = await db.selectFrom('evidence_signing_keys').select(['id', 'key_id', 'public_key']).orderBy('id').execute();
  return rows.map((row) => ({ id: Number(row.id), keyId: row.key_id, publicKey: row.public_key }));
}

/** Stores a public key unless it is there already; returns its row id and whether it was new. */
export async function insertSigningKey(db: Database, keyId: string, publicKey: string, now: string): Promise<{ id: number; added: boolean }> {
  const existing = await db.selectFrom('evidence_signing_keys').select('id').where('key_id', '=', keyId).executeTakeFirst();
  if (existing) return { id: Number(existing.id), added: false };
  const row = await db
    .insertInto('evidence_signing_keys')
    .values({ key_id: keyId, public_key: publicKey, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), added: true };
}

export async function insertPublishedExport(
  db: Database,
  values: { campaignId: number; headSeq: number; headHash: string; generatedAt: string; body: Buffer; signature: Buffer; keyRowId: number; now: string },
): Promise<number> {
  const row = await db
    .insertInto('evidence_exports')
    .values({
      campaign_id: values.campaignId,
      head_seq: values.headSeq,
      head_hash: values.headHash,
      generated_at: values.generatedAt,
      body: values.body,
      signature: values.signature,
      key_id: values.keyRowId,
      published_at: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface PublishedExport {
  id: number;
  headSeq: number;
  headHash: string;
  generatedAt: string;
  publishedAt: string;
  body: Buffer;
  signature: Buffer;
  keyId: string;
  publicKey: string;
}

export async function findLatestPublishedExport(db: Database, campaignId: number): Promise<PublishedExport | undefined> {
  const row = await db
    .selectFrom('evidence_exports as e')
    .innerJoin('evidence_signing_keys as k', 'k.id', 'e.key_id')
    .select(['e.id', 'e.head_seq', 'e.head_hash', 'e.generated_at', 'e.published_at', 'e.body', 'e.signature', 'k.key_id', 'k.public_key'])
    .where('e.campaign_id', '=', campaignId)
    .orderBy('e.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: Number(row.id),
    headSeq: Number(row.head_seq),
    headHash: row.head_hash,
    generatedAt: row.generated_at,
    publishedAt: row.published_at,
    body: Buffer.from(row.body),
    signature: Buffer.from(row.signature),
    keyId: row.key_id,
    publicKey: row.public_key,
  };
}
