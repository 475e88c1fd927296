/**
 * Where intake's recipients are told that something arrived, and whether they have been since. The mail says the
 * same few words whatever arrived, and one mail covers everything since the last.
 */
import type { MigrationDb } from './helpers.ts';

export async function up(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('intake_recipients').addColumn('notify_email', 'text').execute();
  await db.schema
    .alterTable('intake_recipients')
    .addColumn('notify_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.alterTable('intake_recipients').dropColumn('notify_pending').execute();
  await db.schema.alterTable('intake_recipients').dropColumn('notify_email').execute();
}
