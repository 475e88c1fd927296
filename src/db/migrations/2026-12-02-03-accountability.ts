import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * Accountability: the people and institutions a campaign asks to act (targets), what it asked of them and when
 * (asks), and what they said (statements, each with its sources).
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('targets'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('person', 'institution')`))
    .addColumn('country', 'text')
    .addColumn('links', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('targets_campaign_id').on('targets').columns(['campaign_id', 'position']).execute();

  await db.schema
    .createTable('target_texts')
    .addColumn('target_id', t.bigint, (c) => c.notNull().references('targets.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('office', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('target_texts_pk', ['target_id', 'locale'])
    .execute();

  await withId(db, db.schema.createTable('asks'))
    .addColumn('target_id', t.bigint, (c) => c.notNull().references('targets.id').onDelete('cascade'))
    .addColumn('asked_on', t.date, (c) => c.notNull())
    .addColumn('date_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('petition-delivery', 'open-letter', 'meeting', 'public-call', 'milestone')`))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('asks_target_id').on('asks').column('target_id').execute();

  await withId(db, db.schema.createTable('statements'))
    .addColumn('target_id', t.bigint, (c) => c.notNull().references('targets.id').onDelete('cascade'))
    .addColumn('stated_on', t.date, (c) => c.notNull())
    .addColumn('date_approximate', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('stance', 'text', (c) =>
      c.notNull().check(sql`stance in ('denied', 'dismissed', 'no-knowledge', 'acknowledged', 'concern', 'committed', 'acted')`),
    )
    .addColumn('answers_ask', 'integer', (c) => c.notNull())
    .addColumn('quote', 'text', (c) => c.notNull())
    .addColumn('verbatim', 'integer', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('statements_target_id').on('statements').column('target_id').execute();

  await withId(db, db.schema.createTable('statement_sources'))
    .addColumn('statement_id', t.bigint, (c) => c.notNull().references('statements.id').onDelete('cascade'))
    .addColumn('publisher', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('published_on', t.date)
    .execute();
  await db.schema.createIndex('statement_sources_statement_id').on('statement_sources').column('statement_id').execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of ['statement_sources', 'statements', 'asks', 'target_texts', 'targets']) await db.schema.dropTable(table).execute();
}
