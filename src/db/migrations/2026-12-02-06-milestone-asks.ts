import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * An organiser's promise that a petition reaching a milestone is delivered to a target: when the milestone is
 * reached, the worker records the ask (and notes it here, so it is recorded once).
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('milestone_asks'))
    .addColumn('target_id', t.bigint, (c) => c.notNull().references('targets.id').onDelete('cascade'))
    .addColumn('petition_id', t.bigint, (c) => c.notNull().references('petitions.id').onDelete('cascade'))
    .addColumn('milestone', 'integer', (c) => c.notNull().check(sql`milestone > 0`))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('ask_id', t.bigint, (c) => c.references('asks.id').onDelete('set null'))
    .addColumn('recorded_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('milestone_asks_unique', ['target_id', 'petition_id', 'milestone'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('milestone_asks').execute();
}
