import type { Database } from '../../../db/database.ts';
import type { FactorKind } from '../../../db/schema.ts';
import type { StoredPasskey } from './passkeys.ts';

/** What the security page shows of a factor: never its secret or key. */
export interface FactorSummary {
  id: number;
  kind: FactorKind;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listFactors(db: Database, userId: number): Promise<FactorSummary[]> {
  const rows = await db
    .selectFrom('user_factors')
    .select(['id', 'kind', 'label', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: Number(row.id), kind: row.kind, label: row.label, createdAt: row.created_at, lastUsedAt: row.last_used_at }));
}

export async function countFactors(db: Database, userId: number): Promise<number> {
  const row = await db
    .selectFrom('user_factors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function insertTotpFactor(
  db: Database,
  factor: { userId: number; label: string; secretSealed: string; step: number; now: string },
): Promise<number> {
  const row = await db
    .insertInto('user_factors')
    .values({
      user_id: factor.userId,
      kind: 'totp',
      label: factor.label,
      created_at: factor.now,
      last_used_at: factor.now,
      totp_secret_sealed: factor.secretSealed,
      totp_last_step: factor.step,
      credential_id: null,
      public_key: null,
      sign_count: null,
      transports: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function insertPasskeyFactor(db: Database, factor: { userId: number; label: string; passkey: StoredPasskey; now: string }): Promise<number> {
  const row = await db
    .insertInto('user_factors')
    .values({
      user_id: factor.userId,
      kind: 'passkey',
      label: factor.label,
      created_at: factor.now,
      last_used_at: null,
      totp_secret_sealed: null,
      totp_last_step: null,
      credential_id: factor.passkey.credentialId,
      public_key: factor.passkey.publicKey,
      sign_count: factor.passkey.signCount,
      transports: factor.passkey.transports.join(','),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface TotpFactor {
  id: number;
  secretSealed: string;
  lastStep: number | null;
}

export async function listTotpFactors(db: Database, userId: number): Promise<TotpFactor[]> {
  const rows = await db
    .selectFrom('user_factors')
    .select(['id', 'totp_secret_sealed', 'totp_last_step'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'totp')
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    secretSealed: row.totp_secret_sealed ?? '',
    lastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
  }));
}

/** Records a code's step as used, unless another request used that step (or a later one) first; true when this one won. */
export async function spendTotpStep(db: Database, factorId: number, step: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('user_factors')
    .set({ totp_last_step: step, last_used_at: now })
    .where('id', '=', factorId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface PasskeyFactor extends StoredPasskey {
  id: number;
}

export async function listPasskeys(db: Database, userId: number): Promise<PasskeyFactor[]> {
  const rows = await db
    .selectFrom('user_factors')
    .select(['id', 'credential_id', 'public_key', 'sign_count', 'transports'])
    .where('user_id', '=', userId)
    .where('kind', '=', 'passkey')
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    credentialId: row.credential_id ?? '',
    publicKey: Buffer.from(row.public_key ?? []),
    signCount: Number(row.sign_count ?? 0),
    transports: row.transports ? row.transports.split(',') : [],
  }));
}

export async function recordPasskeyUse(db: Database, factorId: number, signCount: number, now: string): Promise<void> {
  await db.updateTable('user_factors').set({ sign_count: signCount, last_used_at: now }).where('id', '=', factorId).execute();
}

export async function deleteFactor(db: Database, userId: number, factorId: number): Promise<FactorSummary | undefined> {
  const factor = (await listFactors(db, userId)).find((f) => f.id === factorId);
  if (factor) await db.deleteFrom('user_factors').where('id', '=', factorId).where('user_id', '=', userId).execute();
  return factor;
}

export async function deleteAllFactors(db: Database, userId: number): Promise<{ factors: number; codes: number }> {
  const factors = await db.deleteFrom('user_factors').where('user_id', '=', userId).executeTakeFirst();
  const codes = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
  return { factors: Number(factors.numDeletedRows), codes: Number(codes.numDeletedRows) };
}

export async function replaceRecoveryCodes(db: Database, userId: number, codeHashes: readonly string[], now: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('recovery_codes')
    .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: now, used_at: null })))
    .execute();
}

export async function countUnusedRecoveryCodes(db: Database, userId: number): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Marks the code used if it is one of the account's unused codes; true when it was (and only one request can win). */
export async function spendRecoveryCode(db: Database, userId: number, codeHash: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
