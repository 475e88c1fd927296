import type { Database } from '../../db/database.ts';
import type { NewUser, Role, User } from '../../db/schema.ts';

export function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function insertUser(db: Database, user: NewUser): Promise<number> {
  const row = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateUserPassword(db: Database, id: number, passwordHash: string, role: Role): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, role, disabled_at: null }).where('id', '=', id).execute();
}
