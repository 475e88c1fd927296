import type { Database } from '../../db/database.ts';
import type { NewUser, Role, User } from '../../db/schema.ts';

/** What `outcry user list` shows of an account: never its password hash. */
export interface UserSummary {
  id: number;
  email: string;
  role: Role;
  disabledAt: string | null;
  lastLoginAt: string | null;
}

export function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function listUserSummaries(db: Database): Promise<UserSummary[]> {
  const rows = await db.selectFrom('users').select(['id', 'email', 'role', 'disabled_at', 'last_login_at']).orderBy('id').execute();
  return rows.map((row) => ({ id: Number(row.id), email: row.email, role: row.role, disabledAt: row.disabled_at, lastLoginAt: row.last_login_at }));
}

export async function countActiveOwners(db: Database): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'owner')
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function insertUser(db: Database, user: NewUser): Promise<number> {
  const row = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Sets a new password and role; whether the account is disabled stays as it was. */
export async function updateUserPassword(db: Database, id: number, passwordHash: string, role: Role): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, role }).where('id', '=', id).execute();
}

export async function updateUserDisabledAt(db: Database, id: number, disabledAt: string | null): Promise<void> {
  await db.updateTable('users').set({ disabled_at: disabledAt }).where('id', '=', id).execute();
}

export async function updateUserLastLogin(db: Database, id: number, at: string): Promise<void> {
  await db.updateTable('users').set({ last_login_at: at }).where('id', '=', id).execute();
}
