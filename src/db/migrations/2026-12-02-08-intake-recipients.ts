import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * Who can read what people at risk send through intake: reviewers (campaign staff) and partner organisations, each
 * with an OpenPGP public key checked on entry (its fingerprint is what people are shown).
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('intake_recipients'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('reviewer', 'partner')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('key_expires_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('intake_recipients').execute();
}
