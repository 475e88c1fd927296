/**
 * Reviewing suspect signatures. Anti-abuse checks mark a signature suspect silently (the signer is never told); a
 * suspect signature is kept but not counted until a moderator restores it. A moderator can also set a signature
 * aside by hand. Moderators only ever see what is stored in the clear: number, country, status, reason, dates.
 * Names and addresses are sealed to the organisation's key and this server cannot read them.
 *
 * Counts move by count events in the same transaction as the change, exactly as confirmation and withdrawal do:
 * +1 when a confirmed signature is restored, -1 when a confirmed, counted one is set aside.
 */
import { coarseTimestamp } from '../../clock.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { SignatureStatus } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/index.ts';
import { appendCountEvent, MODERATOR_REASON } from '../petitions/index.ts';

export interface ReviewedSignature {
  id: number;
  country: string;
  status: SignatureStatus;
  suspect: boolean;
  reason: string | null;
  createdAt: string;
  confirmedAt: string | null;
}

/**
 * A page of a petition's signatures, newest first, for review: only the suspect ones, or all that are not withdrawn.
 * The sealed record is never selected.
 */
export async function listSignaturesForReview(
  db: Database,
  options: { petitionId: number; suspectOnly: boolean; limit: number; beforeId?: number | undefined },
): Promise<ReviewedSignature[]> {
  let query = db
    .selectFrom('signatures')
    .select(['id', 'country', 'status', 'suspect', 'suspect_reason', 'created_at', 'confirmed_at'])
    .where('petition_id', '=', options.petitionId)
    .where('status', '!=', 'withdrawn')
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.suspectOnly) query = query.where('suspect', '=', 1);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: Number(row.id),
    country: row.country,
    status: row.status,
    suspect: row.suspect === 1,
    reason: row.suspect_reason,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
  }));
}

async function assertSignatureOf(db: Database, petitionId: number, signatureId: number): Promise<void> {
  const row =
    Number.isSafeInteger(signatureId) && signatureId > 0
      ? await db.selectFrom('signatures').select('status').where('id', '=', signatureId).where('petition_id', '=', petitionId).executeTakeFirst()
      : undefined;
  if (!row) throw new AppError('not_found', 'No such signature on this petition.');
  if (row.status === 'withdrawn') throw new AppError('conflict', 'This signature was withdrawn.');
}

/**
 * Clears a signature's suspect mark. If it is confirmed it starts counting (+1) in the same transaction. The update
 * itself checks the mark, so two moderators restoring at once add one, and a confirmation racing with the restore
 * counts exactly once (confirmSignature counts only a signature that is not suspect after its own update).
 * Returns false when there was nothing to restore.
 */
export async function restoreSignature(db: Database, options: { userId: number | null; petitionId: number; signatureId: number }): Promise<boolean> {
  const { petitionId, signatureId } = options;
  return db.transaction().execute(async (trx) => {
    await assertSignatureOf(trx, petitionId, signatureId);
    const before = await trx.selectFrom('signatures').select('suspect_reason').where('id', '=', signatureId).executeTakeFirst();
    const updated = await trx
      .updateTable('signatures')
      .set({ suspect: 0, suspect_reason: null })
      .where('id', '=', signatureId)
      .where('petition_id', '=', petitionId)
      .where('suspect', '=', 1)
      .where('status', '!=', 'withdrawn')
      .returning(['status', 'country'])
      .executeTakeFirst();
    if (!updated) return false;
    const counted = updated.status === 'confirmed';
    if (counted) await appendCountEvent(trx, { petitionId, country: updated.country, delta: 1, now: coarseTimestamp(Date.now()) });
    await recordAudit(trx, {
      userId: options.userId,
      action: 'signature.restore',
      entityType: 'signature',
      entityId: signatureId,
      changes: { petition: [petitionId, petitionId], suspect: [true, false], reason: [before?.suspect_reason ?? null, null], counted: [false, counted] },
    });
    return true;
  });
}

/**
 * Sets a signature aside as suspect. If it was confirmed (and so counted) it stops counting (-1) in the same
 * transaction. Returns false when it was already suspect.
 */
export async function markSignatureSuspect(db: Database, options: { userId: number | null; petitionId: number; signatureId: number }): Promise<boolean> {
  const { petitionId, signatureId } = options;
  return db.transaction().execute(async (trx) => {
    await assertSignatureOf(trx, petitionId, signatureId);
    const updated = await trx
      .updateTable('signatures')
      .set({ suspect: 1, suspect_reason: MODERATOR_REASON })
      .where('id', '=', signatureId)
      .where('petition_id', '=', petitionId)
      .where('suspect', '=', 0)
      .where('status', '!=', 'withdrawn')
      .returning(['status', 'country'])
      .executeTakeFirst();
    if (!updated) return false;
    const wasCounted = updated.status === 'confirmed';
    if (wasCounted) await appendCountEvent(trx, { petitionId, country: updated.country, delta: -1, now: coarseTimestamp(Date.now()) });
    await recordAudit(trx, {
      userId: options.userId,
      action: 'signature.suspect',
      entityType: 'signature',
      entityId: signatureId,
      changes: { petition: [petitionId, petitionId], suspect: [false, true], reason: [null, MODERATOR_REASON], counted: [wasCounted, false] },
    });
    return true;
  });
}

/** Suspects that share a reason, a country and the hour they signed in: what a moderator decides on at once. */
export interface SuspectGroup {
  reason: string;
  country: string;
  /** UTC, `YYYY-MM-DDTHH`. */
  hour: string;
  suspects: number;
  /** Of those, confirmed by mail: restoring them adds this many to the count. */
  confirmed: number;
}

export const SUSPECT_GROUP_LIMIT = 200;

/** The groups still to review (not withdrawn, not already kept aside by a moderator), largest first. */
export async function listSuspectGroups(database: DatabaseHandle, petitionId: number): Promise<SuspectGroup[]> {
  const hour = database.hourOf('created_at');
  const rows = await database.db
    .selectFrom('signatures')
    .select([
      'suspect_reason',
      'country',
      hour.as('hour'),
      (eb) => eb.fn.countAll<number>().as('suspects'),
      (eb) => eb.fn.sum<number>(eb.case().when('status', '=', 'confirmed').then(1).else(0).end()).as('confirmed'),
    ])
    .where('petition_id', '=', petitionId)
    .where('suspect', '=', 1)
    .where('status', '!=', 'withdrawn')
    .where('suspect_reason', '!=', MODERATOR_REASON)
    .groupBy(['suspect_reason', 'country', hour])
    .orderBy('suspects', 'desc')
    .orderBy('hour', 'desc')
    .limit(SUSPECT_GROUP_LIMIT)
    .execute();
  return rows.map((row) => ({
    reason: row.suspect_reason ?? '',
    country: row.country,
    hour: row.hour,
    suspects: Number(row.suspects),
    confirmed: Number(row.confirmed),
  }));
}

export type GroupDecision = 'restore' | 'keep-aside';

/**
 * Decides on a whole group in one transaction, with one audit entry: restore (they count, +N for the confirmed ones)
 * or keep aside (a moderator's reason replaces the checks', so the group leaves the list and stays uncounted).
 * Returns how many signatures changed; a group another moderator already decided on changes nothing.
 */
export async function decideSuspectGroup(
  database: DatabaseHandle,
  options: { userId: number | null; petitionId: number; group: Pick<SuspectGroup, 'reason' | 'country' | 'hour'>; decision: GroupDecision },
): Promise<number> {
  const { petitionId, group, decision } = options;
  return database.db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('signatures')
      .set(decision === 'restore' ? { suspect: 0, suspect_reason: null } : { suspect_reason: MODERATOR_REASON })
      .where('petition_id', '=', petitionId)
      .where('suspect', '=', 1)
      .where('status', '!=', 'withdrawn')
      .where('suspect_reason', '=', group.reason)
      .where('country', '=', group.country)
      .where(database.hourOf('created_at'), '=', group.hour)
      .returning('status')
      .execute();
    if (changed.length === 0) return 0;
    const counted = decision === 'restore' ? changed.filter((row) => row.status === 'confirmed').length : 0;
    await appendCountEvent(trx, { petitionId, country: group.country, delta: counted, now: coarseTimestamp(Date.now()) });
    await recordAudit(trx, {
      userId: options.userId,
      action: decision === 'restore' ? 'signatures.restore-group' : 'signatures.keep-aside-group',
      entityType: 'petition',
      entityId: petitionId,
      changes: {
        group: [null, `${group.reason} · ${group.country} · ${group.hour}`],
        signatures: [null, changed.length],
        counted: [0, counted],
        ...(decision === 'keep-aside' ? { reason: [group.reason, MODERATOR_REASON] } : {}),
      },
    });
    return changed.length;
  });
}
