/**
 * Intake's recipients: reviewers (campaign staff) and partner organisations, each with an OpenPGP public key checked
 * on entry. Only owners choose them: whoever holds these keys can read what people at risk send. Adding and removing
 * one is audited with its fingerprint. A recipient's key is never edited in place: a new key is a new recipient, so a
 * changed fingerprint can never pass unnoticed.
 */
import type { Database } from '../../db/database.ts';
import type { RecipientKind } from '../../db/schema.ts';
import { inspectPublicKey, KeyRefused } from '../../crypto/openpgp-keys.ts';
import { AppError, type FieldErrors } from '../../errors.ts';
import { readText, type FormBody } from '../../web/form.ts';
import { recordAudit } from '../audit/index.ts';
import { isValidEmail } from '../petitions/index.ts';

export const RECIPIENT_KINDS: readonly RecipientKind[] = ['reviewer', 'partner'];

export interface Recipient {
  id: number;
  kind: RecipientKind;
  name: string;
  description: string;
  region: string;
  fingerprint: string;
  algorithm: string;
  keyExpiresAt: string | null;
  publicKey: string;
  notifyEmail: string | null;
  createdAt: string;
}

export async function listRecipients(db: Database): Promise<Recipient[]> {
  const rows = await db.selectFrom('intake_recipients').selectAll().orderBy('kind', 'desc').orderBy('name').orderBy('id').execute();
  return rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    name: row.name,
    description: row.description,
    region: row.region,
    fingerprint: row.fingerprint,
    algorithm: row.algorithm,
    keyExpiresAt: row.key_expires_at,
    publicKey: row.public_key,
    notifyEmail: row.notify_email,
    createdAt: row.created_at,
  }));
}

export interface RecipientForm {
  kind: RecipientKind;
  name: string;
  description: string;
  region: string;
  publicKey: string;
  notifyEmail: string;
}

export function parseRecipientForm(body: FormBody): { input: RecipientForm; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const kindValue = body['kind'];
  const kind = RECIPIENT_KINDS.find((k) => k === kindValue);
  if (!kind) errors['kind'] = 'intake.errors.kind';
  const name = readText(body, 'name', { required: true, max: 200 }, errors);
  const description = readText(body, 'description', { required: kind === 'partner', max: 2000, multiline: true }, errors);
  const region = readText(body, 'region', { max: 200 }, errors);
  const publicKey = readText(body, 'public_key', { required: true, max: 100_000, multiline: true }, errors);
  const notifyEmail = readText(body, 'notify_email', { max: 254 }, errors);
  if (notifyEmail && !errors['notify_email'] && !isValidEmail(notifyEmail)) errors['notify_email'] = 'intake.errors.notifyEmail';
  return { input: { kind: kind ?? 'reviewer', name, description, region, publicKey, notifyEmail }, errors };
}

/** Checks the key and stores the recipient; a refused key comes back as the reason, beside the key field. */
export async function addRecipient(db: Database, options: { userId: number | null; input: RecipientForm; now?: Date }): Promise<number> {
  const now = options.now ?? new Date();
  let facts: Awaited<ReturnType<typeof inspectPublicKey>>;
  try {
    facts = await inspectPublicKey(options.input.publicKey, now);
  } catch (error) {
    if (!(error instanceof KeyRefused)) throw error;
    throw new AppError('validation_failed', 'That public key cannot be used.', { fields: { public_key: `intake.keyProblems.${error.problem}` } });
  }
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('intake_recipients')
      .values({
        kind: options.input.kind,
        name: options.input.name,
        description: options.input.description,
        region: options.input.region,
        public_key: facts.armored,
        fingerprint: facts.fingerprint,
        algorithm: facts.algorithm,
        key_expires_at: facts.expiresAt,
        notify_email: options.input.notifyEmail || null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .onConflict((oc) => oc.column('fingerprint').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new AppError('validation_failed', 'That key is already a recipient.', { fields: { public_key: 'intake.errors.duplicate' } });
    const id = Number(row.id);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'intake.recipient.add',
      entityType: 'intake_recipient',
      entityId: id,
      changes: { recipient: [null, `${options.input.kind} ${options.input.name} ${facts.fingerprint}`] },
    });
    return id;
  });
}

export async function removeRecipient(db: Database, options: { userId: number; id: number | undefined }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = options.id === undefined ? undefined : await trx.selectFrom('intake_recipients').selectAll().where('id', '=', options.id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'No such recipient.');
    // A partner's own accounts lose their link with it (and see nothing): the audit entry says how many.
    const linked = await trx.selectFrom('intake_partner_accounts').select('user_id').where('recipient_id', '=', row.id).execute();
    await trx.deleteFrom('intake_recipients').where('id', '=', row.id).execute();
    await recordAudit(trx, {
      userId: options.userId,
      action: 'intake.recipient.remove',
      entityType: 'intake_recipient',
      entityId: Number(row.id),
      changes: {
        recipient: [`${row.kind} ${row.name} ${row.fingerprint}`, null],
        ...(linked.length > 0 ? { partnerAccounts: [linked.map((l) => Number(l.user_id)), []] } : {}),
      },
    });
  });
}
