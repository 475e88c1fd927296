import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * What people at risk send, as ciphertext only: a submission (testimony or a request for help to one partner), its
 * messages (the first one, follow-ups, replies) and each message's bytes in chunks, written as they stream in. Dates
 * are days, never times; nothing names or locates the sender. A submission becomes visible once its first message is
 * stored whole; one left receiving (a dropped upload, a killed process) is swept away.
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('intake_submissions'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('testimony', 'help')`))
    .addColumn('campaign_id', 'bigint', (c) => c.references('campaigns.id').onDelete('set null'))
    .addColumn('partner_id', 'bigint', (c) => c.references('intake_recipients.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('receiving', 'open')`))
    .addColumn('codename_lookup', 'text', (c) => c.unique())
    .addColumn('reply_public_key', t.binary)
    .addColumn('received_on', t.date, (c) => c.notNull())
    .addColumn('last_follow_up_on', t.date)
    .addColumn('delete_on', t.date, (c) => c.notNull())
    .addColumn('follow_ups_today', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('intake_submissions_delete_on').on('intake_submissions').columns(['delete_on']).execute();
  await withId(db, db.schema.createTable('intake_messages'))
    .addColumn('submission_id', 'bigint', (c) => c.notNull().references('intake_submissions.id').onDelete('cascade'))
    .addColumn('author', 'text', (c) => c.notNull().check(sql`author in ('sender', 'reviewer')`))
    .addColumn('encrypted_by', 'text', (c) => c.notNull().check(sql`encrypted_by in ('browser', 'server')`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('receiving', 'stored')`))
    .addColumn('received_on', t.date, (c) => c.notNull())
    .addColumn('receiving_since', t.timestamp, (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('sender_copy', t.binary)
    .execute();
  await db.schema.createIndex('intake_messages_submission').on('intake_messages').columns(['submission_id']).execute();
  await db.schema
    .createTable('intake_chunks')
    .addColumn('message_id', 'bigint', (c) => c.notNull().references('intake_messages.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', t.binary, (c) => c.notNull())
    .addPrimaryKeyConstraint('intake_chunks_pk', ['message_id', 'seq'])
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  await db.schema.dropTable('intake_chunks').execute();
  await db.schema.dropTable('intake_messages').execute();
  await db.schema.dropTable('intake_submissions').execute();
}
