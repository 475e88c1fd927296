/**
 * Signing an open letter from the public form, and confirming the address from the mailed link. The address is never
 * stored: only an HMAC of it for this letter (one signature per address) and, in the queued mail job, the address
 * encrypted with the server's data key. A confirmed signatory waits, unverified and unpublished, for an organiser:
 * a confirmed address proves a mailbox, not an office.
 */
import { randomBytes } from 'node:crypto';
import { coarseTimestamp, coarseTimestampAfter } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import { constantTimeEqual, hmacBase64Url, sha256Hex } from '../../crypto/keys.ts';
import { AppError } from '../../errors.ts';
import { enqueueJobs } from '../../jobs/queue.ts';
import type { Locale } from '../../web/i18n.ts';
import { canonicalEmail } from '../petitions/index.ts';
import type { SignOnForm } from './forms.ts';
import { letterConfirmationMail } from './mails.ts';
import type { Letter } from './model.ts';

const TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** A second sign-on with the same address re-sends the mail, at most this often (the first may be in spam). */
const RESEND_AFTER_MS = 2 * 60 * 1000;
/** A mailed link's token: the signatory's id, a dot, and a secret whose SHA-256 the row holds. */
const TOKEN_PATTERN = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

export interface SignOnDeps {
  db: Database;
  pepper: Buffer;
  dataKey: Buffer;
}

function dedupKeyOf(pepper: Buffer, letterId: number, email: string): string {
  return hmacBase64Url(pepper, `${letterId}:${canonicalEmail(email)}`);
}

/**
 * Takes one signature and queues its confirmation mail, in one transaction. The signer is told "check your email"
 * whatever happened, so the form cannot be used to learn whether an address signed before.
 */
export async function signLetter(
  deps: SignOnDeps,
  options: { letter: Letter; form: SignOnForm; locale: Locale; campaignSlug: string; now?: Date },
): Promise<void> {
  const { letter, form } = options;
  if (letter.state !== 'collecting') throw new AppError('gone', 'This letter no longer takes signatures.', { messageKey: 'letters.errors.notCollecting' });
  const now = options.now ?? new Date();
  const secret = randomBytes(32).toString('base64url');
  const dedupKey = dedupKeyOf(deps.pepper, letter.id, form.email);
  const tokenColumns = {
    confirm_token_hash: sha256Hex(secret),
    // To the minute, as a petition signer's times are (the mail time rounded up, so a re-send is never early).
    token_expires_at: coarseTimestampAfter(now.getTime() + TOKEN_TTL_MS),
    last_mailed_at: coarseTimestampAfter(now),
  };
  await deps.db.transaction().execute(async (trx) => {
    const id = (await insertPending(trx, letter.id, form, dedupKey, tokenColumns, now)) ?? (await refreshPending(trx, letter.id, dedupKey, tokenColumns, now));
    if (id === undefined) return;
    const payload = { to: form.email, locale: options.locale, campaignSlug: options.campaignSlug, letterId: letter.id, confirmToken: `${id}.${secret}` };
    await enqueueJobs(trx, [letterConfirmationMail.toJob(deps.dataKey, payload)]);
  });
}

type TokenColumns = { confirm_token_hash: string; token_expires_at: string; last_mailed_at: string };

async function insertPending(db: Database, letterId: number, form: SignOnForm, dedupKey: string, token: TokenColumns, now: Date): Promise<number | undefined> {
  const row = await db
    .insertInto('letter_signatories')
    .values({
      letter_id: letterId,
      ...form.signatory,
      signed_on: now.toISOString().slice(0, 10),
      status: 'pending',
      source: 'sign-on',
      evidence_url: '',
      evidence_note: '',
      dedup_key: dedupKey,
      ...token,
      confirmed_at: null,
      verified_at: null,
      created_at: coarseTimestamp(now),
      updated_at: coarseTimestamp(now),
    })
    .onConflict((oc) => oc.columns(['letter_id', 'dedup_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** The same address again: a new link for a signature still unconfirmed (not too often); otherwise nothing. */
async function refreshPending(db: Database, letterId: number, dedupKey: string, token: TokenColumns, now: Date): Promise<number | undefined> {
  const row = await db
    .updateTable('letter_signatories')
    .set({ ...token, updated_at: coarseTimestamp(now) })
    .where('letter_id', '=', letterId)
    .where('dedup_key', '=', dedupKey)
    .where('status', '=', 'pending')
    .where('last_mailed_at', '<', new Date(now.getTime() - RESEND_AFTER_MS).toISOString())
    .returning('id')
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

export interface ConfirmationTarget {
  signatoryId: number;
  letterId: number;
  status: 'pending' | 'unverified' | 'verified' | 'rejected';
}

/** What a confirmation link points at, for the page that shows the confirm button. */
export async function lookUpLetterConfirmation(db: Database, token: string, now = new Date()): Promise<ConfirmationTarget> {
  const invalid = new AppError('not_found', 'This confirmation link is not valid or has expired.', { messageKey: 'letters.errors.badLink' });
  const match = TOKEN_PATTERN.exec(token);
  if (!match) throw invalid;
  const row = await db
    .selectFrom('letter_signatories')
    .select(['id', 'letter_id', 'status', 'confirm_token_hash', 'token_expires_at'])
    .where('id', '=', Number(match[1]))
    .executeTakeFirst();
  if (!row?.confirm_token_hash || !constantTimeEqual(row.confirm_token_hash, sha256Hex(match[2]!))) throw invalid;
  if (row.status === 'pending' && (row.token_expires_at === null || Date.parse(row.token_expires_at) < now.getTime())) throw invalid;
  return { signatoryId: Number(row.id), letterId: Number(row.letter_id), status: row.status };
}

/** Confirms the address: the signatory joins the organisers' queue. Confirming twice is harmless. */
export async function confirmLetterSignatory(db: Database, token: string, now = new Date()): Promise<ConfirmationTarget> {
  const target = await lookUpLetterConfirmation(db, token, now);
  if (target.status !== 'pending') return target;
  await db
    .updateTable('letter_signatories')
    .set({ status: 'unverified', confirmed_at: coarseTimestamp(now), updated_at: coarseTimestamp(now) })
    .where('id', '=', target.signatoryId)
    .where('status', '=', 'pending')
    .execute();
  return { ...target, status: 'unverified' };
}
