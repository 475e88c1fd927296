/**
 * Second factors for organisers: enrolling and removing them, recovery codes, and checking a code at login. Every
 * change is audited in the transaction that makes it (what kind of factor and its label; never a secret or a code).
 */
import type { Database } from '../../../db/database.ts';
import { decryptForServer, encryptForServer } from '../../../crypto/data-key.ts';
import { deriveKey } from '../../../crypto/keys.ts';
import { AppError } from '../../../errors.ts';
import { destroyUserSessions, type SessionUser } from '../../../web/session.ts';
import { recordAudit } from '../../audit/index.ts';
import type { StoredPasskey } from './passkeys.ts';
import {
  countUnusedRecoveryCodes,
  deleteAllFactors,
  deleteFactor,
  insertPasskeyFactor,
  insertTotpFactor,
  listTotpFactors,
  replaceRecoveryCodes,
  spendRecoveryCode,
  spendTotpStep,
} from './queries.ts';
import { asRecoveryCode, hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { acceptTotpCode, asTotpCode, newTotpSecret } from './totp.ts';

export interface TwoFactorKeys {
  /** Encrypts authenticator-app secrets at rest: a copy of the database alone cannot make codes. */
  totpSecret: Buffer;
  /** Seals a secret being set up into the form that confirms it, so no row exists until the first code is right. */
  enrolment: Buffer;
  recoveryCode: Buffer;
}

export function twoFactorKeys(secret: Buffer): TwoFactorKeys {
  return { totpSecret: deriveKey(secret, 'totp-secret'), enrolment: deriveKey(secret, 'totp-enrolment'), recoveryCode: deriveKey(secret, 'recovery-code') };
}

/** How long a person has to scan the QR code and type the first code. */
const ENROLMENT_MS = 30 * 60 * 1000;
export const MAX_LABEL_LENGTH = 60;

export function beginTotpEnrolment(keys: TwoFactorKeys, userId: number, now: Date): { secret: string; sealed: string } {
  const secret = newTotpSecret();
  return { secret, sealed: encryptForServer(keys.enrolment, `${userId}.${now.getTime()}.${secret}`) };
}

/** The secret sealed into the set-up form, if it was sealed for this account and has not expired. */
export function openTotpEnrolment(keys: TwoFactorKeys, userId: number, sealed: string, now: Date): string | undefined {
  let opened: string;
  try {
    opened = decryptForServer(keys.enrolment, sealed);
  } catch {
    return undefined;
  }
  const [owner, issuedAt, secret] = opened.split('.');
  if (Number(owner) !== userId || !secret) return undefined;
  const age = now.getTime() - Number(issuedAt);
  return age >= 0 && age <= ENROLMENT_MS ? secret : undefined;
}

export type EnrolResult = { ok: true; factorId: number } | { ok: false; problem: 'expired' | 'wrong-code' };

export async function enrolTotp(
  db: Database,
  keys: TwoFactorKeys,
  user: SessionUser,
  form: { sealed: string; code: string; label: string },
  now = new Date(),
): Promise<EnrolResult> {
  const secret = openTotpEnrolment(keys, user.id, form.sealed, now);
  if (!secret) return { ok: false, problem: 'expired' };
  const code = asTotpCode(form.code);
  const step = code ? acceptTotpCode(secret, code, null, now) : undefined;
  if (step === undefined) return { ok: false, problem: 'wrong-code' };
  const factorId = await db.transaction().execute(async (trx) => {
    const id = await insertTotpFactor(trx, {
      userId: user.id,
      label: form.label,
      secretSealed: encryptForServer(keys.totpSecret, secret),
      step,
      now: now.toISOString(),
    });
    await auditFactorChange(trx, user, 'two-factor.add', `totp: ${form.label}`);
    return id;
  });
  return { ok: true, factorId };
}

export async function enrolPasskey(db: Database, user: SessionUser, passkey: StoredPasskey, label: string, now = new Date()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await insertPasskeyFactor(trx, { userId: user.id, label, passkey, now: now.toISOString() });
    await auditFactorChange(trx, user, 'two-factor.add', `passkey: ${label}`);
    return id;
  });
}

export async function removeFactor(db: Database, user: SessionUser, factorId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const removed = await deleteFactor(trx, user.id, factorId);
    if (!removed) throw new AppError('not_found', 'That sign-in method is not one of yours, or was already removed.');
    await auditFactorChange(trx, user, 'two-factor.remove', `${removed.kind}: ${removed.label}`);
  });
}

/** Ten new codes, replacing any earlier ones; they are shown once and only their HMACs are kept. */
export async function createRecoveryCodes(db: Database, keys: TwoFactorKeys, user: SessionUser, now = new Date()): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db.transaction().execute(async (trx) => {
    const before = await countUnusedRecoveryCodes(trx, user.id);
    await replaceRecoveryCodes(
      trx,
      user.id,
      codes.map((code) => hashRecoveryCode(keys.recoveryCode, code)),
      now.toISOString(),
    );
    await recordAudit(trx, {
      userId: user.id,
      action: 'two-factor.recovery-codes',
      entityType: 'user',
      entityId: user.id,
      changes: { unused: [before, codes.length] },
    });
  });
  return codes;
}

export type SecondFactorUsed = 'totp' | 'recovery-code';

/**
 * Whether what the person typed is a current authenticator code or an unused recovery code of this account. Each is
 * spent as it is accepted (the step, or the code), in one conditional update, so two requests cannot both use it.
 */
export async function checkSecondFactorCode(
  db: Database,
  keys: TwoFactorKeys,
  userId: number,
  input: string,
  now = new Date(),
): Promise<SecondFactorUsed | undefined> {
  const totpCode = asTotpCode(input);
  if (totpCode) {
    for (const factor of await listTotpFactors(db, userId)) {
      const step = acceptTotpCode(decryptForServer(keys.totpSecret, factor.secretSealed), totpCode, factor.lastStep, now);
      if (step !== undefined && (await spendTotpStep(db, factor.id, step, now.toISOString()))) return 'totp';
    }
    return undefined;
  }
  const recoveryCode = asRecoveryCode(input);
  if (!recoveryCode) return undefined;
  return db.transaction().execute(async (trx) => {
    if (!(await spendRecoveryCode(trx, userId, hashRecoveryCode(keys.recoveryCode, recoveryCode), now.toISOString()))) return undefined;
    const left = await countUnusedRecoveryCodes(trx, userId);
    await recordAudit(trx, { userId, action: 'two-factor.recovery-code-used', entityType: 'user', entityId: userId, changes: { unused: [left + 1, left] } });
    return 'recovery-code' as const;
  });
}

/**
 * Removes every second factor and recovery code of an account and ends its sessions: for an organiser who lost
 * them all, from the server's shell (`outcry user reset-two-factor`), never from the web.
 */
export async function resetTwoFactor(db: Database, userId: number): Promise<{ factors: number; codes: number; sessionsEnded: number }> {
  return db.transaction().execute(async (trx) => {
    const removed = await deleteAllFactors(trx, userId);
    const sessionsEnded = await destroyUserSessions(trx, userId);
    await recordAudit(trx, {
      userId: null,
      action: 'two-factor.reset',
      entityType: 'user',
      entityId: userId,
      changes: { factors: [removed.factors, 0], sessions: [sessionsEnded, 0] },
    });
    return { ...removed, sessionsEnded };
  });
}

async function auditFactorChange(db: Database, user: SessionUser, action: 'two-factor.add' | 'two-factor.remove', factor: string): Promise<void> {
  const [before, after] = action === 'two-factor.add' ? [null, factor] : [factor, null];
  await recordAudit(db, { userId: user.id, action, entityType: 'user', entityId: user.id, changes: { factor: [before, after] } });
}
