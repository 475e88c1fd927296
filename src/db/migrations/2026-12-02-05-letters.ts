import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * Open letters: a campaign's letters to its targets, and their signatories. A signatory who signed on through the
 * public form is kept without their address: only an HMAC of it (to refuse a second signature) and the SHA-256 of
 * their confirmation link's secret.
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('letters'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_md', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('draft', 'collecting', 'published', 'delivered')`))
    .addColumn('dated_on', t.date)
    .addColumn('date_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered_on', t.date)
    .addColumn('delivered_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reported_count', 'integer')
    .addColumn('reported_publisher', 'text', (c) => c.notNull())
    .addColumn('reported_url', 'text', (c) => c.notNull())
    .addColumn('response_text', 'text', (c) => c.notNull())
    .addColumn('response_url', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('letters_campaign_id').on('letters').column('campaign_id').execute();

  await db.schema
    .createTable('letter_targets')
    .addColumn('letter_id', t.bigint, (c) => c.notNull().references('letters.id').onDelete('cascade'))
    .addColumn('target_id', t.bigint, (c) => c.notNull().references('targets.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('letter_targets_pk', ['letter_id', 'target_id'])
    .execute();

  await withId(db, db.schema.createTable('letter_signatories'))
    .addColumn('letter_id', t.bigint, (c) => c.notNull().references('letters.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('affiliation', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('official', 'organisation', 'public-figure', 'individual')`))
    .addColumn('signed_on', t.date, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'unverified', 'verified', 'rejected')`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('organiser', 'sign-on')`))
    .addColumn('evidence_url', 'text', (c) => c.notNull())
    .addColumn('evidence_note', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text')
    .addColumn('confirm_token_hash', 'text')
    .addColumn('token_expires_at', t.timestamp)
    .addColumn('last_mailed_at', t.timestamp)
    .addColumn('confirmed_at', t.timestamp)
    .addColumn('verified_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('letter_signatories_letter_status').on('letter_signatories').columns(['letter_id', 'status']).execute();
  // Both engines treat NULLs as distinct here: signatories an organiser added (no address) never collide.
  await db.schema.createIndex('letter_signatories_dedup').unique().on('letter_signatories').columns(['letter_id', 'dedup_key']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['letter_signatories', 'letter_targets', 'letters']) await db.schema.dropTable(table).execute();
}
