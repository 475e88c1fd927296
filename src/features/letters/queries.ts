import type { Selectable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { LetterSignatoriesTable, LettersTable, SignatoryStatus } from '../../db/schema.ts';
import type { Evidence, Letter, LetterInput, Signatory, SignatoryInput } from './model.ts';

function toLetter(row: Selectable<LettersTable>, targetIds: number[]): Letter {
  return {
    id: Number(row.id),
    campaignId: Number(row.campaign_id),
    title: row.title,
    bodyMd: row.body_md,
    lang: row.lang,
    state: row.state,
    datedOn: row.dated_on,
    dateApproximate: row.date_approximate === 1,
    deliveredOn: row.delivered_on,
    deliveredApproximate: row.delivered_approximate === 1,
    reported: row.reported_count === null ? null : { count: row.reported_count, publisher: row.reported_publisher, url: row.reported_url },
    responseText: row.response_text,
    responseUrl: row.response_url,
    targetIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSignatory(row: Selectable<LetterSignatoriesTable>): Signatory {
  return {
    id: Number(row.id),
    letterId: Number(row.letter_id),
    name: row.name,
    title: row.title,
    affiliation: row.affiliation,
    category: row.category,
    signedOn: row.signed_on,
    status: row.status,
    source: row.source,
    evidence: { url: row.evidence_url, note: row.evidence_note },
    confirmedAt: row.confirmed_at,
    verifiedAt: row.verified_at,
  };
}

async function withTargets(db: Database, rows: Selectable<LettersTable>[]): Promise<Letter[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('letter_targets')
    .selectAll()
    .where(
      'letter_id',
      'in',
      rows.map((r) => Number(r.id)),
    )
    .orderBy('target_id')
    .execute();
  return rows.map((row) =>
    toLetter(
      row,
      links.filter((l) => Number(l.letter_id) === Number(row.id)).map((l) => Number(l.target_id)),
    ),
  );
}

export async function listLettersOfCampaign(db: Database, campaignId: number): Promise<Letter[]> {
  const rows = await db.selectFrom('letters').selectAll().where('campaign_id', '=', campaignId).orderBy('id', 'desc').execute();
  return withTargets(db, rows);
}

export async function findLetterById(db: Database, id: number): Promise<Letter | undefined> {
  const rows = await db.selectFrom('letters').selectAll().where('id', '=', id).execute();
  return (await withTargets(db, rows))[0];
}

function letterColumns(input: LetterInput) {
  return {
    title: input.title,
    body_md: input.bodyMd,
    lang: input.lang,
    state: input.state,
    dated_on: input.datedOn,
    date_approximate: input.dateApproximate ? (1 as const) : (0 as const),
    delivered_on: input.deliveredOn,
    delivered_approximate: input.deliveredApproximate ? (1 as const) : (0 as const),
    reported_count: input.reported?.count ?? null,
    reported_publisher: input.reported?.publisher ?? '',
    reported_url: input.reported?.url ?? '',
    response_text: input.responseText,
    response_url: input.responseUrl,
  };
}

async function writeLetterTargets(db: Database, letterId: number, targetIds: readonly number[]): Promise<void> {
  await db.deleteFrom('letter_targets').where('letter_id', '=', letterId).execute();
  if (targetIds.length > 0)
    await db
      .insertInto('letter_targets')
      .values(targetIds.map((target_id) => ({ letter_id: letterId, target_id })))
      .execute();
}

export async function insertLetter(db: Database, campaignId: number, input: LetterInput, now: string): Promise<number> {
  const row = await db
    .insertInto('letters')
    .values({ campaign_id: campaignId, ...letterColumns(input), created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await writeLetterTargets(db, id, input.targetIds);
  return id;
}

export async function updateLetterRow(db: Database, id: number, input: LetterInput, now: string): Promise<void> {
  await db
    .updateTable('letters')
    .set({ ...letterColumns(input), updated_at: now })
    .where('id', '=', id)
    .execute();
  await writeLetterTargets(db, id, input.targetIds);
}

export async function listSignatoriesOfLetters(db: Database, letterIds: readonly number[], statuses: readonly SignatoryStatus[]): Promise<Signatory[]> {
  if (letterIds.length === 0 || statuses.length === 0) return [];
  const rows = await db
    .selectFrom('letter_signatories')
    .selectAll()
    .where('letter_id', 'in', letterIds)
    .where('status', 'in', statuses)
    .orderBy('signed_on')
    .orderBy('id')
    .execute();
  return rows.map(toSignatory);
}

export async function findSignatoryById(db: Database, id: number): Promise<Signatory | undefined> {
  const row = await db.selectFrom('letter_signatories').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSignatory(row) : undefined;
}

/** A signatory an organiser adds: no address, no confirmation; verified at once when evidence comes with it. */
export async function insertSignatory(db: Database, letterId: number, input: SignatoryInput, evidence: Evidence | null, now: string): Promise<number> {
  const row = await db
    .insertInto('letter_signatories')
    .values({
      letter_id: letterId,
      name: input.name,
      title: input.title,
      affiliation: input.affiliation,
      category: input.category,
      signed_on: input.signedOn,
      status: evidence ? 'verified' : 'unverified',
      source: 'organiser',
      evidence_url: evidence?.url ?? '',
      evidence_note: evidence?.note ?? '',
      dedup_key: null,
      confirm_token_hash: null,
      token_expires_at: null,
      last_mailed_at: null,
      confirmed_at: null,
      verified_at: evidence ? now : null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function setSignatoryVerified(db: Database, id: number, evidence: Evidence, now: string): Promise<void> {
  await db
    .updateTable('letter_signatories')
    .set({ status: 'verified', evidence_url: evidence.url, evidence_note: evidence.note, verified_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function setSignatoryRejected(db: Database, id: number, now: string): Promise<void> {
  await db.updateTable('letter_signatories').set({ status: 'rejected', verified_at: null, updated_at: now }).where('id', '=', id).execute();
}
