import { withChildRows } from '../../db/child-rows.ts';
import type { Database } from '../../db/database.ts';
import type { PetitionTextsTable, PetitionsTable } from '../../db/schema.ts';
import { isLocale, type Locale } from '../../web/i18n.ts';
import type { Selectable } from 'kysely';
import type { Petition, PetitionInput, PetitionText } from './model.ts';

function toPetition(row: Selectable<PetitionsTable>, textRows: Selectable<PetitionTextsTable>[]): Petition {
  const texts: Partial<Record<Locale, PetitionText>> = {};
  for (const t of textRows) if (isLocale(t.locale)) texts[t.locale] = { title: t.title, target: t.target, bodyMd: t.body_md };
  return {
    id: Number(row.id),
    campaignId: Number(row.campaign_id),
    position: row.position,
    goal: row.goal,
    milestones: row.milestones.split(',').filter(Boolean).map(Number),
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    texts,
  };
}

function withTexts(db: Database, rows: Selectable<PetitionsTable>[]): Promise<Petition[]> {
  return withChildRows(rows, {
    load: (ids) => db.selectFrom('petition_texts').selectAll().where('petition_id', 'in', ids).execute(),
    parentIdOf: (text) => text.petition_id,
    build: toPetition,
  });
}

export async function listPetitionsOfCampaign(db: Database, campaignId: number): Promise<Petition[]> {
  const rows = await db.selectFrom('petitions').selectAll().where('campaign_id', '=', campaignId).orderBy('position').orderBy('id').execute();
  return withTexts(db, rows);
}

export async function findPetitionById(db: Database, id: number): Promise<Petition | undefined> {
  const row = await db.selectFrom('petitions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await withTexts(db, [row]))[0] : undefined;
}

export async function insertPetition(db: Database, campaignId: number, input: PetitionInput, now: string): Promise<number> {
  const position = await db
    .selectFrom('petitions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const row = await db
    .insertInto('petitions')
    .values({
      campaign_id: campaignId,
      position: Number(position.n),
      goal: input.goal,
      milestones: input.milestones.join(','),
      status: 'open',
      created_at: now,
      updated_at: now,
      closed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await replacePetitionTexts(db, id, input.texts);
  return id;
}

export async function updatePetitionRow(db: Database, id: number, input: PetitionInput, now: string): Promise<void> {
  await db
    .updateTable('petitions')
    .set({ goal: input.goal, milestones: input.milestones.join(','), updated_at: now })
    .where('id', '=', id)
    .execute();
  await replacePetitionTexts(db, id, input.texts);
}

async function replacePetitionTexts(db: Database, petitionId: number, texts: Partial<Record<Locale, PetitionText>>): Promise<void> {
  await db.deleteFrom('petition_texts').where('petition_id', '=', petitionId).execute();
  const rows = Object.entries(texts).map(([locale, text]) => ({
    petition_id: petitionId,
    locale,
    title: text.title,
    target: text.target,
    body_md: text.bodyMd,
  }));
  if (rows.length > 0) await db.insertInto('petition_texts').values(rows).execute();
}

/** Closing a petition also deletes its dedup keys: once no one can sign, nothing should be testable against them. */
export async function closePetitionRow(db: Database, id: number, now: string): Promise<void> {
  await db.updateTable('petitions').set({ status: 'closed', closed_at: now, updated_at: now }).where('id', '=', id).execute();
  await db.updateTable('signatures').set({ dedup_key: null }).where('petition_id', '=', id).execute();
}

export async function reopenPetitionRow(db: Database, id: number, now: string): Promise<void> {
  await db.updateTable('petitions').set({ status: 'open', closed_at: null, updated_at: now }).where('id', '=', id).execute();
}

export interface RecentSigner {
  name: string;
  country: string;
  confirmedAt: string;
}

/** Recent confirmed signers who chose to be shown; only their first name and country exist in the clear. */
export async function listRecentPublicSigners(db: Database, petitionId: number, limit: number): Promise<RecentSigner[]> {
  const rows = await db
    .selectFrom('signatures')
    .select(['public_name', 'country', 'confirmed_at'])
    .where('petition_id', '=', petitionId)
    .where('status', '=', 'confirmed')
    .where('suspect', '=', 0)
    .where('public_name', 'is not', null)
    .orderBy('confirmed_at', 'desc')
    // Confirmation times are stored to the minute; within one, the later signature first.
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ name: r.public_name!, country: r.country, confirmedAt: r.confirmed_at! }));
}

export interface MilestoneReached {
  milestone: number;
  reachedAt: string;
}

export async function listMilestonesReached(db: Database, petitionId: number): Promise<MilestoneReached[]> {
  const rows = await db
    .selectFrom('milestones_reached')
    .select(['milestone', 'reached_at'])
    .where('petition_id', '=', petitionId)
    .orderBy('milestone')
    .execute();
  return rows.map((r) => ({ milestone: r.milestone, reachedAt: r.reached_at }));
}

/** How many milestones the given petitions have reached in all. */
export async function countMilestonesReached(db: Database, petitionIds: number[]): Promise<number> {
  if (petitionIds.length === 0) return 0;
  const row = await db
    .selectFrom('milestones_reached')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('petition_id', 'in', petitionIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Suspect signatures (not withdrawn) per petition. */
export async function countSuspects(db: Database, petitionIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (petitionIds.length === 0) return counts;
  const rows = await db
    .selectFrom('signatures')
    .select(['petition_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('petition_id', 'in', petitionIds)
    .where('suspect', '=', 1)
    .where('status', '!=', 'withdrawn')
    .groupBy('petition_id')
    .execute();
  for (const row of rows) counts.set(Number(row.petition_id), Number(row.n));
  return counts;
}
