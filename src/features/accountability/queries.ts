import type { Selectable } from 'kysely';
import { withChildRows } from '../../db/child-rows.ts';
import type { Database } from '../../db/database.ts';
import type { AsksTable, StatementSourcesTable, StatementsTable, TargetTextsTable, TargetsTable } from '../../db/schema.ts';
import { isLocale, type Locale } from '../../web/i18n.ts';
import type { Ask, AskInput, Statement, StatementInput, Target, TargetInput, TargetText } from './model.ts';

function toTarget(row: Selectable<TargetsTable>, textRows: Selectable<TargetTextsTable>[]): Target {
  const texts: Partial<Record<Locale, TargetText>> = {};
  for (const t of textRows) if (isLocale(t.locale)) texts[t.locale] = { name: t.name, office: t.office };
  return {
    id: Number(row.id),
    campaignId: Number(row.campaign_id),
    kind: row.kind,
    country: row.country,
    links: row.links === '' ? [] : row.links.split('\n'),
    position: row.position,
    texts,
    updatedAt: row.updated_at,
  };
}

function toAsk(row: Selectable<AsksTable>): Ask {
  return {
    id: Number(row.id),
    targetId: Number(row.target_id),
    askedOn: row.asked_on,
    dateApproximate: row.date_approximate === 1,
    channel: row.channel,
    summary: row.summary,
    lang: row.lang,
  };
}

function toStatement(row: Selectable<StatementsTable>, sources: Selectable<StatementSourcesTable>[]): Statement {
  return {
    id: Number(row.id),
    targetId: Number(row.target_id),
    statedOn: row.stated_on,
    dateApproximate: row.date_approximate === 1,
    stance: row.stance,
    answersAsk: row.answers_ask === 1,
    quote: row.quote,
    verbatim: row.verbatim === 1,
    lang: row.lang,
    sources: sources.map((s) => ({ publisher: s.publisher, url: s.url, publishedOn: s.published_on })),
  };
}

function withTexts(db: Database, rows: Selectable<TargetsTable>[]): Promise<Target[]> {
  return withChildRows(rows, {
    load: (ids) => db.selectFrom('target_texts').selectAll().where('target_id', 'in', ids).execute(),
    parentIdOf: (text) => text.target_id,
    build: toTarget,
  });
}

export async function listTargetsOfCampaign(db: Database, campaignId: number): Promise<Target[]> {
  const rows = await db.selectFrom('targets').selectAll().where('campaign_id', '=', campaignId).orderBy('position').orderBy('id').execute();
  return withTexts(db, rows);
}

export async function findTargetById(db: Database, id: number): Promise<Target | undefined> {
  const rows = await db.selectFrom('targets').selectAll().where('id', '=', id).execute();
  return (await withTexts(db, rows))[0];
}

export async function listAsksOfTargets(db: Database, targetIds: readonly number[]): Promise<Ask[]> {
  if (targetIds.length === 0) return [];
  const rows = await db.selectFrom('asks').selectAll().where('target_id', 'in', targetIds).orderBy('asked_on').orderBy('id').execute();
  return rows.map(toAsk);
}

export async function listStatementsOfTargets(db: Database, targetIds: readonly number[]): Promise<Statement[]> {
  if (targetIds.length === 0) return [];
  const rows = await db.selectFrom('statements').selectAll().where('target_id', 'in', targetIds).orderBy('stated_on').orderBy('id').execute();
  return withSources(db, rows);
}

function withSources(db: Database, rows: Selectable<StatementsTable>[]): Promise<Statement[]> {
  return withChildRows(rows, {
    load: (ids) => db.selectFrom('statement_sources').selectAll().where('statement_id', 'in', ids).orderBy('id').execute(),
    parentIdOf: (source) => source.statement_id,
    build: toStatement,
  });
}

export async function findAskById(db: Database, id: number): Promise<Ask | undefined> {
  const row = await db.selectFrom('asks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toAsk(row) : undefined;
}

export async function findStatementById(db: Database, id: number): Promise<Statement | undefined> {
  const rows = await db.selectFrom('statements').selectAll().where('id', '=', id).execute();
  return (await withSources(db, rows))[0];
}

async function writeTargetTexts(db: Database, targetId: number, texts: TargetInput['texts']): Promise<void> {
  await db.deleteFrom('target_texts').where('target_id', '=', targetId).execute();
  const rows = Object.entries(texts).map(([locale, text]) => ({ target_id: targetId, locale, name: text.name, office: text.office }));
  if (rows.length > 0) await db.insertInto('target_texts').values(rows).execute();
}

export async function insertTarget(db: Database, campaignId: number, input: TargetInput, now: string): Promise<number> {
  const last = await db
    .selectFrom('targets')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  const row = await db
    .insertInto('targets')
    .values({
      campaign_id: campaignId,
      kind: input.kind,
      country: input.country,
      links: input.links.join('\n'),
      position: Number(last?.p ?? 0) + 1,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await writeTargetTexts(db, id, input.texts);
  return id;
}

export async function updateTargetRow(db: Database, id: number, input: TargetInput, now: string): Promise<void> {
  await db
    .updateTable('targets')
    .set({ kind: input.kind, country: input.country, links: input.links.join('\n'), updated_at: now })
    .where('id', '=', id)
    .execute();
  await writeTargetTexts(db, id, input.texts);
}

export async function deleteTargetRow(db: Database, id: number): Promise<void> {
  await db.deleteFrom('targets').where('id', '=', id).execute();
}

export async function insertAsk(db: Database, targetId: number, input: AskInput, now: string): Promise<number> {
  const row = await db
    .insertInto('asks')
    .values({
      target_id: targetId,
      asked_on: input.askedOn,
      date_approximate: input.dateApproximate ? 1 : 0,
      channel: input.channel,
      summary: input.summary,
      lang: input.lang,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function deleteAskRow(db: Database, id: number): Promise<void> {
  await db.deleteFrom('asks').where('id', '=', id).execute();
}

export async function insertStatement(db: Database, targetId: number, input: StatementInput, now: string): Promise<number> {
  const row = await db
    .insertInto('statements')
    .values({
      target_id: targetId,
      stated_on: input.statedOn,
      date_approximate: input.dateApproximate ? 1 : 0,
      stance: input.stance,
      answers_ask: input.answersAsk ? 1 : 0,
      quote: input.quote,
      verbatim: input.verbatim ? 1 : 0,
      lang: input.lang,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await db
    .insertInto('statement_sources')
    .values(input.sources.map((s) => ({ statement_id: id, publisher: s.publisher, url: s.url, published_on: s.publishedOn })))
    .execute();
  return id;
}

export async function deleteStatementRow(db: Database, id: number): Promise<void> {
  await db.deleteFrom('statements').where('id', '=', id).execute();
}

/** A statement with the target who made it: what other features cite (evidence puts denials beside the facts). */
export interface CampaignStatement {
  statement: Statement;
  target: Target;
}

export async function listStatementsOfCampaign(db: Database, campaignId: number): Promise<CampaignStatement[]> {
  const targets = await listTargetsOfCampaign(db, campaignId);
  const byId = new Map(targets.map((target) => [target.id, target]));
  const statements = await listStatementsOfTargets(db, [...byId.keys()]);
  return statements.map((statement) => ({ statement, target: byId.get(statement.targetId)! }));
}

export async function findCampaignStatement(db: Database, statementId: number): Promise<CampaignStatement | undefined> {
  const statement = await findStatementById(db, statementId);
  const target = statement && (await findTargetById(db, statement.targetId));
  return statement && target ? { statement, target } : undefined;
}
