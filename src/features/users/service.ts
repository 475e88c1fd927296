import type { Database } from '../../db/database.ts';
import type { Role, User } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { destroyUserSessions } from '../../web/session.ts';
import { recordAudit } from '../audit/index.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';
import {
  countActiveOwners,
  findUserByEmail,
  insertUser,
  listUserSummaries,
  updateUserDisabledAt,
  updateUserLastLogin,
  updateUserPassword,
  type UserSummary,
} from './queries.ts';

/** The roles `outcry user add` gives. A partner organisation's account is made by `outcry intake partner-account`. */
export const ROLES: readonly Role[] = ['owner', 'editor', 'moderator'];

const PARTNER_ACCOUNTS_COMMAND = 'outcry intake partner-account --email E --partner ID';

/** Why `user add` gives no partner account: one belongs to an organisation, which intake's command links it to. */
export const PARTNER_ROLE_REFUSED = `A partner organisation's account is made with \`${PARTNER_ACCOUNTS_COMMAND}\`, which links it to its organisation.`;

export function normaliseAdminEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u.test(email);
}

/** The account with this address (any case, surrounding spaces ignored), disabled or not. */
export function findAccountByEmail(db: Database, email: string): Promise<User | undefined> {
  return findUserByEmail(db, normaliseAdminEmail(email));
}

async function getUserByEmail(db: Database, email: string): Promise<User> {
  const user = await findUserByEmail(db, normaliseAdminEmail(email));
  if (!user) throw new AppError('not_found', 'No account has that email address.');
  return user;
}

/**
 * Creates an organiser account, or resets the password and role of an existing one (so an owner locked out can
 * recover from the server's shell). A reset ends every session of the account, since whoever may have learnt the old
 * password may be logged in with it; it leaves a disabled account disabled (`enableUser` is a separate decision).
 * Used by `outcry user add`.
 */
export async function addOrResetUser(
  db: Database,
  options: { email: string; password: string; role: Role },
): Promise<{ id: number; created: boolean; disabled: boolean; sessionsEnded: number }> {
  if (options.role === 'partner') throw new AppError('validation_failed', PARTNER_ROLE_REFUSED);
  if (!ROLES.includes(options.role)) throw new AppError('validation_failed', `Role must be one of ${ROLES.join(', ')}.`);
  return saveAccount(db, options);
}

/**
 * The same for a partner organisation's account (`outcry intake partner-account`): `link` runs in the transaction
 * that creates or resets it, so the account never exists apart from the organisation it reads for.
 */
export async function addOrResetPartnerUser(
  db: Database,
  options: { email: string; password: string; link: (trx: Database, userId: number) => Promise<void> },
): Promise<{ id: number; created: boolean; disabled: boolean; sessionsEnded: number }> {
  return saveAccount(db, { ...options, role: 'partner' }, options.link);
}

async function saveAccount(
  db: Database,
  options: { email: string; password: string; role: Role },
  link?: (trx: Database, userId: number) => Promise<void>,
): Promise<{ id: number; created: boolean; disabled: boolean; sessionsEnded: number }> {
  const email = normaliseAdminEmail(options.email);
  if (!isPlausibleEmail(email)) throw new AppError('validation_failed', 'That is not an email address.');
  if (options.password.length < MIN_PASSWORD_LENGTH || options.password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `The password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`);
  }
  const passwordHash = await hashPassword(options.password);
  return db.transaction().execute(async (trx) => {
    const existing = await findUserByEmail(trx, email);
    if (existing) {
      assertSameSide(existing.role, options.role);
      await updateUserPassword(trx, existing.id, passwordHash, options.role);
      const sessionsEnded = await destroyUserSessions(trx, existing.id);
      await recordAudit(trx, {
        userId: null,
        action: 'user.reset',
        entityType: 'user',
        entityId: existing.id,
        changes: { role: [existing.role, options.role], sessions: [sessionsEnded, 0] },
      });
      await link?.(trx, existing.id);
      return { id: existing.id, created: false, disabled: existing.disabled_at !== null, sessionsEnded };
    }
    const id = await insertUser(trx, { email, password_hash: passwordHash, role: options.role, created_at: new Date().toISOString(), disabled_at: null });
    await recordAudit(trx, { userId: null, action: 'user.create', entityType: 'user', entityId: id, changes: { role: [null, options.role] } });
    await link?.(trx, id);
    return { id, created: true, disabled: false, sessionsEnded: 0 };
  });
}

/**
 * Staff and partner organisations keep separate accounts: a reset never turns one into the other, which would hand a
 * partner the whole site (or take an owner's away) by a mistyped address.
 */
function assertSameSide(existing: Role, wanted: Role): void {
  if ((existing === 'partner') === (wanted === 'partner')) return;
  const message =
    existing === 'partner'
      ? `That address is a partner organisation's account: reset it with \`${PARTNER_ACCOUNTS_COMMAND}\`, or give the organiser another address.`
      : `That address belongs to an account with the role ${existing}: a partner organisation's account needs an address of its own.`;
  throw new AppError('validation_failed', message);
}

/** Stops an account logging in and ends its sessions at once (a lost phone, someone who left). `outcry user disable`. */
export async function disableUser(db: Database, options: { email: string }): Promise<{ id: number; wasDisabled: boolean; sessionsEnded: number }> {
  return db.transaction().execute(async (trx) => {
    const user = await getUserByEmail(trx, options.email);
    const wasDisabled = user.disabled_at !== null;
    if (!wasDisabled && user.role === 'owner' && (await countActiveOwners(trx)) <= 1) {
      throw new AppError(
        'validation_failed',
        'This is the only active owner: disabling it would leave nobody able to manage the site. Add another owner first, or run `outcry user add` for it to set a new password and end its sessions.',
      );
    }
    if (!wasDisabled) await updateUserDisabledAt(trx, user.id, new Date().toISOString());
    const sessionsEnded = await destroyUserSessions(trx, user.id);
    if (!wasDisabled || sessionsEnded > 0) {
      await recordAudit(trx, {
        userId: null,
        action: 'user.disable',
        entityType: 'user',
        entityId: user.id,
        changes: { disabled: [wasDisabled, true], sessions: [sessionsEnded, 0] },
      });
    }
    return { id: user.id, wasDisabled, sessionsEnded };
  });
}

/** Lets a disabled account log in again with its current password. `outcry user enable`. */
export async function enableUser(db: Database, options: { email: string }): Promise<{ id: number; wasDisabled: boolean }> {
  return db.transaction().execute(async (trx) => {
    const user = await getUserByEmail(trx, options.email);
    const wasDisabled = user.disabled_at !== null;
    if (wasDisabled) {
      await updateUserDisabledAt(trx, user.id, null);
      await recordAudit(trx, { userId: null, action: 'user.enable', entityType: 'user', entityId: user.id, changes: { disabled: [true, false] } });
    }
    return { id: user.id, wasDisabled };
  });
}

/** Every account, oldest first, without its password hash. `outcry user list`. */
export function listUsers(db: Database): Promise<UserSummary[]> {
  return listUserSummaries(db);
}

/** Notes a successful login, so `outcry user list` can show when each account was last used. */
export function recordLogin(db: Database, userId: number, now = new Date()): Promise<void> {
  return updateUserLastLogin(db, userId, now.toISOString());
}

/** Returns the user when the email and password match an active account, otherwise undefined. */
export async function authenticate(db: Database, options: { email: string; password: string }): Promise<User | undefined> {
  const user = await findUserByEmail(db, normaliseAdminEmail(options.email));
  const active = user && user.disabled_at === null ? user : undefined;
  const ok = await verifyPassword(active?.password_hash, options.password.slice(0, MAX_PASSWORD_LENGTH));
  return ok ? active : undefined;
}
