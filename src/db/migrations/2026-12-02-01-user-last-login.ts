import { columnTypes, type MigrationDb } from './helpers.ts';

/** When each organiser last logged in: `outcry user list` shows it, so an owner can spot a login nobody made. */
export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('users').addColumn('last_login_at', columnTypes(db).timestamp).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('users').dropColumn('last_login_at').execute();
}
