import type { Selectable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { EndorsementsTable } from '../../db/schema.ts';
import { DEFAULT_LOCALE, isLocale } from '../../web/i18n.ts';
import type { Endorsement, EndorsementInput, SuggestionInput } from './model.ts';

function toEndorsement(row: Selectable<EndorsementsTable>): Endorsement {
  return {
    id: Number(row.id),
    campaignId: Number(row.campaign_id),
    name: row.name,
    description: row.description,
    quote: row.quote,
    platform: row.platform,
    url: row.url,
    lang: isLocale(row.lang) ? row.lang : DEFAULT_LOCALE,
    date: row.endorsed_on,
    dateApproximate: row.date_approximate === 1,
    status: row.status,
    evidenceUrl: row.evidence_url,
    evidenceNote: row.evidence_note,
    featured: row.featured === 1,
    source: row.source,
    verifiedAt: row.verified_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function inputColumns(input: EndorsementInput) {
  return {
    name: input.name,
    description: input.description,
    quote: input.quote,
    platform: input.platform,
    url: input.url,
    lang: input.lang,
    endorsed_on: input.date,
    date_approximate: input.dateApproximate ? 1 : 0,
    status: input.status,
    evidence_url: input.evidenceUrl,
    evidence_note: input.evidenceNote,
    featured: input.featured ? 1 : 0,
  } as const;
}

export async function findEndorsementById(db: Database, id: number): Promise<Endorsement | undefined> {
  const row = await db.selectFrom('endorsements').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEndorsement(row) : undefined;
}

/**
 * A campaign's endorsements, featured first, then the most recent (undated last). `verifiedOnly` is what the public
 * may see; the organisers see every one.
 */
export async function listEndorsementsOfCampaign(db: Database, campaignId: number, options: { verifiedOnly: boolean }): Promise<Endorsement[]> {
  let query = db.selectFrom('endorsements').selectAll().where('campaign_id', '=', campaignId);
  if (options.verifiedOnly) query = query.where('status', '=', 'verified');
  const rows = await query
    .orderBy('featured', 'desc')
    // Undated endorsements after the dated ones, on both engines (each sorts nulls differently by default).
    .orderBy((eb) => eb.case().when('endorsed_on', 'is', null).then(1).else(0).end())
    .orderBy('endorsed_on', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toEndorsement);
}

export async function insertEndorsement(db: Database, campaignId: number, input: EndorsementInput, now: string): Promise<number> {
  const row = await db
    .insertInto('endorsements')
    .values({
      campaign_id: campaignId,
      ...inputColumns(input),
      source: 'organiser',
      verified_at: input.status === 'verified' ? now : null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** A public suggestion: unverified, not featured, undated; `now` is coarse, so it cannot single out a visit. */
export async function insertSuggestion(db: Database, campaignId: number, input: SuggestionInput, lang: string, now: string): Promise<number> {
  const row = await db
    .insertInto('endorsements')
    .values({
      campaign_id: campaignId,
      name: input.name,
      description: input.description,
      quote: input.quote,
      platform: '',
      url: input.url,
      lang,
      endorsed_on: null,
      date_approximate: 0,
      status: 'unverified',
      evidence_url: '',
      evidence_note: '',
      featured: 0,
      source: 'suggestion',
      verified_at: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateEndorsementRow(db: Database, id: number, input: EndorsementInput, verifiedAt: string | null, now: string): Promise<void> {
  await db
    .updateTable('endorsements')
    .set({ ...inputColumns(input), verified_at: verifiedAt, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function deleteEndorsementRow(db: Database, id: number): Promise<void> {
  await db.deleteFrom('endorsements').where('id', '=', id).execute();
}

export interface EndorsementCounts {
  verified: number;
  unverified: number;
}

export async function countEndorsements(db: Database, campaignId: number): Promise<EndorsementCounts> {
  const rows = await db
    .selectFrom('endorsements')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy('status')
    .execute();
  const counts: EndorsementCounts = { verified: 0, unverified: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}
