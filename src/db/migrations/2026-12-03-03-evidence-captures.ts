import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * Copies of evidence sources kept by the server: a page the worker fetched (a WARC file of every request and response)
 * or a copy an organiser uploaded, its bytes in chunk rows so a large file never sits in one row, and RFC 3161
 * timestamp tokens over a copy's SHA-256 or over a campaign's ledger head. Kept in the database, so backups keep them.
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('evidence_captures'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id'))
    .addColumn('source_id', t.bigint, (c) => c.notNull().references('evidence_sources.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('fetched', 'uploaded')`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'fetching', 'stored', 'failed')`))
    .addColumn('requested_url', 'text')
    .addColumn('final_url', 'text')
    .addColumn('http_status', 'integer')
    .addColumn('content_type', 'text')
    .addColumn('file_type', 'text', (c) => c.check(sql`file_type in ('warc', 'pdf', 'png', 'jpeg', 'html', 'text')`))
    .addColumn('captured_at', t.timestamp)
    .addColumn('sha256', 'text')
    .addColumn('size', t.bigint)
    .addColumn('author_id', t.bigint, (c) => c.references('users.id'))
    .addColumn('error_reason', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('started_at', t.timestamp)
    .execute();
  await db.schema.createIndex('evidence_captures_source_id').on('evidence_captures').columns(['source_id', 'id']).execute();

  await db.schema
    .createTable('evidence_capture_chunks')
    .addColumn('capture_id', t.bigint, (c) => c.notNull().references('evidence_captures.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', t.binary, (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_capture_chunks_pk', ['capture_id', 'seq'])
    .execute();

  // Either a capture's copy or a campaign's ledger head; `digest` is the SHA-256 the token covers, in hex.
  await withId(db, db.schema.createTable('evidence_timestamps'))
    .addColumn('capture_id', t.bigint, (c) => c.references('evidence_captures.id'))
    .addColumn('campaign_id', t.bigint, (c) => c.references('campaigns.id'))
    .addColumn('head_seq', t.bigint)
    .addColumn('head_hash', 'text')
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('tsa_url', 'text', (c) => c.notNull())
    .addColumn('token', t.binary)
    .addColumn('gen_time', t.timestamp)
    .addColumn('authority', 'text')
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addCheckConstraint('evidence_timestamps_subject', sql`(capture_id is null) <> (campaign_id is null)`)
    .execute();
  await db.schema.createIndex('evidence_timestamps_capture_id').on('evidence_timestamps').column('capture_id').execute();
  await db.schema.createIndex('evidence_timestamps_campaign_id').on('evidence_timestamps').columns(['campaign_id', 'head_seq']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['evidence_timestamps', 'evidence_capture_chunks', 'evidence_captures']) await db.schema.dropTable(table).execute();
}
