import type { Database } from '../../db/database.ts';
import type { Role, User } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit/index.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import { findUserByEmail, insertUser, updateUserPassword } from './queries.ts';

export const ROLES: readonly Role[] = ['owner', 'editor', 'moderator'];

export function normaliseAdminEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u.test(email);
}

/**
 * Creates an organiser account, or resets the password and role of an existing one (so an owner locked out can
 * recover from the server's shell). Used by `outcry user add`.
 */
export async function addOrResetUser(db: Database, options: { email: string; password: string; role: Role }): Promise<{ id: number; created: boolean }> {
  const email = normaliseAdminEmail(options.email);
  if (!isPlausibleEmail(email)) throw new AppError('validation_failed', 'That is not an email address.');
  if (!ROLES.includes(options.role)) throw new AppError('validation_failed', `Role must be one of ${ROLES.join(', ')}.`);
  if (options.password.length < MIN_PASSWORD_LENGTH || options.password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `The password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`);
  }
  const passwordHash = await hashPassword(options.password);
  return db.transaction().execute(async (trx) => {
    const existing = await findUserByEmail(trx, email);
    if (existing) {
      await updateUserPassword(trx, existing.id, passwordHash, options.role);
      await recordAudit(trx, {
        userId: null,
        action: 'user.reset',
        entityType: 'user',
        entityId: existing.id,
        changes: { role: [existing.role, options.role] },
      });
      return { id: existing.id, created: false };
    }
    const id = await insertUser(trx, { email, password_hash: passwordHash, role: options.role, created_at: new Date().toISOString(), disabled_at: null });
    await recordAudit(trx, { userId: null, action: 'user.create', entityType: 'user', entityId: id, changes: { role: [null, options.role] } });
    return { id, created: true };
  });
}

/** Returns the user when the email and password match an active account, otherwise undefined. */
export async function authenticate(db: Database, options: { email: string; password: string }): Promise<User | undefined> {
  const user = await findUserByEmail(db, normaliseAdminEmail(options.email));
  const active = user && user.disabled_at === null ? user : undefined;
  const ok = await verifyPassword(active?.password_hash, options.password.slice(0, MAX_PASSWORD_LENGTH));
  return ok ? active : undefined;
}
