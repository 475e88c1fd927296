import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * Evidence: facts (a claim, an optional figure, a status), the sources that report them, incidents (dates, a coarse
 * region, counts), the links between them and to accountability's statements, and the history: one hash chain of
 * revisions per campaign, appended to and never changed. The other tables are its projection, kept in step with it in
 * the same transaction. Published exports of the chain are kept with the public keys that signed them.
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('evidence_facts'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id'))
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('claim', 'text', (c) => c.notNull())
    .addColumn('figure_value', t.bigint)
    .addColumn('figure_unit', 'text')
    .addColumn('figure_qualifier', 'text', (c) => c.check(sql`figure_qualifier in ('exact', 'at-least', 'more-than', 'about', 'up-to')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('reported', 'corroborated', 'disputed', 'denied', 'retracted')`))
    .addColumn('first_reported_on', t.date, (c) => c.notNull())
    .addColumn('first_reported_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_facts_campaign_id').on('evidence_facts').columns(['campaign_id', 'first_reported_on']).execute();

  await withId(db, db.schema.createTable('evidence_sources'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id'))
    .addColumn('publisher', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('published_on', t.date)
    .addColumn('published_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quote', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_sources_campaign_id').on('evidence_sources').column('campaign_id').execute();

  await withId(db, db.schema.createTable('evidence_incidents'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id'))
    .addColumn('starts_on', t.date, (c) => c.notNull())
    .addColumn('ends_on', t.date, (c) => c.check(sql`ends_on is null or ends_on >= starts_on`))
    .addColumn('date_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('detained', t.bigint, (c) => c.check(sql`detained >= 0`))
    .addColumn('tortured', t.bigint, (c) => c.check(sql`tortured >= 0`))
    .addColumn('killed', t.bigint, (c) => c.check(sql`killed >= 0`))
    .addColumn('disappeared', t.bigint, (c) => c.check(sql`disappeared >= 0`))
    .addColumn('released', t.bigint, (c) => c.check(sql`released >= 0`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_incidents_campaign_id').on('evidence_incidents').columns(['campaign_id', 'starts_on']).execute();

  await db.schema
    .createTable('evidence_fact_sources')
    .addColumn('fact_id', t.bigint, (c) => c.notNull().references('evidence_facts.id'))
    .addColumn('source_id', t.bigint, (c) => c.notNull().references('evidence_sources.id'))
    .addPrimaryKeyConstraint('evidence_fact_sources_pk', ['fact_id', 'source_id'])
    .execute();
  await db.schema.createIndex('evidence_fact_sources_source_id').on('evidence_fact_sources').column('source_id').execute();

  // A statement deleted in accountability leaves the fact's current view; the fact's revisions keep what it said.
  await db.schema
    .createTable('evidence_fact_statements')
    .addColumn('fact_id', t.bigint, (c) => c.notNull().references('evidence_facts.id'))
    .addColumn('statement_id', t.bigint, (c) => c.notNull().references('statements.id').onDelete('cascade'))
    .addColumn('relation', 'text', (c) => c.notNull().check(sql`relation in ('confirms', 'denies')`))
    .addPrimaryKeyConstraint('evidence_fact_statements_pk', ['fact_id', 'statement_id'])
    .execute();
  await db.schema.createIndex('evidence_fact_statements_statement_id').on('evidence_fact_statements').column('statement_id').execute();

  await db.schema
    .createTable('evidence_incident_facts')
    .addColumn('incident_id', t.bigint, (c) => c.notNull().references('evidence_incidents.id'))
    .addColumn('fact_id', t.bigint, (c) => c.notNull().references('evidence_facts.id'))
    .addPrimaryKeyConstraint('evidence_incident_facts_pk', ['incident_id', 'fact_id'])
    .execute();
  await db.schema.createIndex('evidence_incident_facts_fact_id').on('evidence_incident_facts').column('fact_id').execute();

  await db.schema
    .createTable('evidence_incident_sources')
    .addColumn('incident_id', t.bigint, (c) => c.notNull().references('evidence_incidents.id'))
    .addColumn('source_id', t.bigint, (c) => c.notNull().references('evidence_sources.id'))
    .addPrimaryKeyConstraint('evidence_incident_sources_pk', ['incident_id', 'source_id'])
    .execute();
  await db.schema.createIndex('evidence_incident_sources_source_id').on('evidence_incident_sources').column('source_id').execute();

  // The unique (campaign_id, seq) makes a fork impossible: two revisions can never follow the same one.
  await withId(db, db.schema.createTable('evidence_revisions'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id'))
    .addColumn('seq', t.bigint, (c) => c.notNull().check(sql`seq >= 1`))
    .addColumn('entity', 'text', (c) => c.notNull().check(sql`entity in ('fact', 'source', 'incident')`))
    .addColumn('entity_id', t.bigint, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('public', 'integer', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('data_hash', 'text', (c) => c.notNull())
    .addColumn('author_id', t.bigint, (c) => c.references('users.id'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('evidence_revisions_campaign_seq', ['campaign_id', 'seq'])
    .addUniqueConstraint('evidence_revisions_entity_version', ['entity', 'entity_id', 'version'])
    .execute();

  await withId(db, db.schema.createTable('evidence_signing_keys'))
    .addColumn('key_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('evidence_exports'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id'))
    .addColumn('head_seq', t.bigint, (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('generated_at', t.timestamp, (c) => c.notNull())
    .addColumn('body', t.binary, (c) => c.notNull())
    .addColumn('signature', t.binary, (c) => c.notNull())
    .addColumn('key_id', t.bigint, (c) => c.notNull().references('evidence_signing_keys.id'))
    .addColumn('published_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_exports_campaign_id').on('evidence_exports').columns(['campaign_id', 'id']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    'evidence_exports',
    'evidence_signing_keys',
    'evidence_revisions',
    'evidence_incident_sources',
    'evidence_incident_facts',
    'evidence_fact_statements',
    'evidence_fact_sources',
    'evidence_incidents',
    'evidence_sources',
    'evidence_facts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
