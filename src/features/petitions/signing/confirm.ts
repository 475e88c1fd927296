/**
 * The links in a confirmation mail: confirming (double opt-in; only a POST confirms, since mail scanners follow links)
 * and withdrawing (the signature stops counting and its sealed details are erased). Each count change is a +1/-1
 * event appended in the same transaction.
 */
import { coarseTimestamp } from '../../../clock.ts';
import type { Database } from '../../../db/database.ts';
import { AppError } from '../../../errors.ts';
import { constantTimeEqual, sha256Hex } from '../../../crypto/keys.ts';
import { appendCountEvent } from '../counting/count-events.ts';

/** A mailed link's token: the signature's id, a dot, and a secret whose SHA-256 the row holds. */
const TOKEN_PATTERN = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export interface TokenTarget {
  signatureId: number;
  petitionId: number;
  status: 'pending' | 'confirmed' | 'withdrawn';
}

async function findByToken(
  db: Database,
  column: 'confirm_token_hash' | 'withdraw_token_hash',
  token: string,
): Promise<(TokenTarget & { country: string; suspect: number; expiresAt: string; petitionOpen: boolean }) | undefined> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  const row = await db
    .selectFrom('signatures')
    .innerJoin('petitions', 'petitions.id', 'signatures.petition_id')
    .select([
      'signatures.id',
      'signatures.petition_id',
      'signatures.status',
      'signatures.country',
      'signatures.suspect',
      'signatures.token_expires_at',
      `signatures.${column}`,
      'petitions.status as petition_status',
    ])
    .where('signatures.id', '=', Number(match[1]))
    .executeTakeFirst();
  const stored = row?.[column];
  if (!row || !stored || !constantTimeEqual(stored, sha256Hex(match[2]!))) return undefined;
  return {
    signatureId: Number(row.id),
    petitionId: Number(row.petition_id),
    status: row.status,
    country: row.country,
    suspect: row.suspect,
    expiresAt: row.token_expires_at,
    petitionOpen: row.petition_status === 'open',
  };
}

/** What a confirmation link points at, for the page that shows the confirm button. */
export async function lookUpConfirmation(db: Database, token: string): Promise<TokenTarget> {
  const target = await findByToken(db, 'confirm_token_hash', token);
  if (!target || (target.status === 'pending' && Date.parse(target.expiresAt) < Date.now())) {
    throw new AppError('not_found', 'This confirmation link is not valid or has expired.', { messageKey: 'petitions.errors.badConfirmLink' });
  }
  // As the UK Parliament's petitions do: a signature still pending when its petition closed is never counted.
  if (target.status === 'pending' && !target.petitionOpen) {
    throw new AppError('gone', 'This petition closed before your signature was confirmed.', { messageKey: 'petitions.errors.closedBeforeConfirmed' });
  }
  return target;
}

/**
 * Confirms a signature. Confirming twice is harmless; only the first adds to the count. The update itself requires
 * the petition to be open, so a petition closed at the same moment never gains a signature after it closed.
 */
export async function confirmSignature(db: Database, token: string): Promise<TokenTarget> {
  const target = await lookUpConfirmation(db, token);
  if (target.status !== 'pending') return target;
  const confirmed = await db.transaction().execute(async (trx) => {
    const now = coarseTimestamp(Date.now());
    const updated = await trx
      .updateTable('signatures')
      .set({ status: 'confirmed', confirmed_at: now })
      .where('id', '=', target.signatureId)
      .where('status', '=', 'pending')
      .where('petition_id', 'in', (eb) => eb.selectFrom('petitions').select('id').where('status', '=', 'open'))
      .returning(['country', 'suspect'])
      .executeTakeFirst();
    if (updated && updated.suspect === 0) await appendCountEvent(trx, { petitionId: target.petitionId, country: updated.country, delta: 1, now });
    return updated !== undefined;
  });
  // Not updated: confirmed meanwhile (say so), or the petition closed meanwhile (lookUpConfirmation refuses).
  return confirmed ? { ...target, status: 'confirmed' } : lookUpConfirmation(db, token);
}

export async function lookUpWithdrawal(db: Database, token: string): Promise<TokenTarget> {
  const target = await findByToken(db, 'withdraw_token_hash', token);
  if (!target) throw new AppError('not_found', 'This link is not valid.', { messageKey: 'petitions.errors.badWithdrawLink' });
  return target;
}

/** Withdraws a signature: it stops counting, and the sealed name and address are erased. */
export async function withdrawSignature(db: Database, token: string): Promise<TokenTarget> {
  const target = await lookUpWithdrawal(db, token);
  if (target.status === 'withdrawn') return target;
  return db.transaction().execute(async (trx) => {
    const now = coarseTimestamp(Date.now());
    const erase = { status: 'withdrawn' as const, withdrawn_at: now, sealed: Buffer.alloc(0), public_name: null, dedup_key: null, confirm_token_hash: null };
    // Each update states what it expects to find, so a moderator acting at the same moment cannot make one
    // withdrawal count twice: whichever statement matches decides whether a -1 is due.
    const wasCounted = await trx
      .updateTable('signatures')
      .set(erase)
      .where('id', '=', target.signatureId)
      .where('status', '=', 'confirmed')
      .where('suspect', '=', 0)
      .returning('country')
      .executeTakeFirst();
    if (wasCounted) {
      await appendCountEvent(trx, { petitionId: target.petitionId, country: wasCounted.country, delta: -1, now });
    } else {
      await trx.updateTable('signatures').set(erase).where('id', '=', target.signatureId).where('status', '!=', 'withdrawn').execute();
    }
    return { ...target, status: 'withdrawn' as const };
  });
}
