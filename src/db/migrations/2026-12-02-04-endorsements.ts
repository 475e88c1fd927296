import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * Public figures backing a campaign. Organisers add them, or the public suggests them; only verified ones (with the
 * evidence an organiser recorded) are ever shown. A suggestion stores nothing about whoever sent it.
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('endorsements'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('quote', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('platform', 'text', (c) => c.notNull().defaultTo(''))
    /** The original post: an http(s) URL, or '' when none is known. */
    .addColumn('url', 'text', (c) => c.notNull().defaultTo(''))
    /** The language the name, description and quote are written in. */
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('endorsed_on', t.date)
    .addColumn('date_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('unverified', 'verified')`))
    .addColumn('evidence_url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('evidence_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('featured', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('organiser', 'suggestion')`))
    .addColumn('verified_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('endorsements_campaign').on('endorsements').columns(['campaign_id', 'status']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('endorsements').execute();
}
