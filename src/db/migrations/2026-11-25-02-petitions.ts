import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);

  // Public keys only: the organisation's secret keys never reach the server.
  await withId(db, db.schema.createTable('organisation_keys'))
    .addColumn('key_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  // Kill switches and other settings an organiser flips at run time; every process re-reads them within a second.
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('petitions'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('goal', 'integer', (c) => c.notNull())
    /** Comma-separated signature counts, ascending. */
    .addColumn('milestones', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('closed_at', t.timestamp)
    .execute();
  await db.schema.createIndex('petitions_campaign').on('petitions').columns(['campaign_id', 'position']).execute();

  await db.schema
    .createTable('petition_texts')
    .addColumn('petition_id', t.bigint, (c) => c.notNull().references('petitions.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('body_md', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('petition_texts_pk', ['petition_id', 'locale'])
    .execute();

  // One HPKE encapsulated key per sealing window; each signature names the window its record was sealed in.
  await db.schema
    .createTable('sealing_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('enc', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('signatures'))
    .addColumn('petition_id', t.bigint, (c) => c.notNull().references('petitions.id').onDelete('cascade'))
    /** HMAC(pepper, petition, canonical email); set to null when the petition closes. */
    .addColumn('dedup_key', 'text')
    .addColumn('window_id', 'text', (c) => c.notNull().references('sealing_windows.id'))
    /** Name, email and postcode sealed to the organisation's public key. */
    .addColumn('sealed', t.binary, (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'confirmed', 'withdrawn')`))
    /** Suspect signatures are kept but not counted until a moderator restores them. */
    .addColumn('suspect', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('suspect_reason', 'text')
    /** The first name, kept in the clear only when the signer chose to be shown. */
    .addColumn('public_name', 'text')
    .addColumn('wants_updates', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ref', 'text')
    /** SHA-256 of the secret half of the mailed links; a link names its signature by id, so these need no index. */
    .addColumn('confirm_token_hash', 'text')
    .addColumn('withdraw_token_hash', 'text', (c) => c.notNull())
    .addColumn('token_expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_mailed_at', t.timestamp, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('confirmed_at', t.timestamp)
    .addColumn('withdrawn_at', t.timestamp)
    .execute();
  await db.schema.createIndex('signatures_dedup').on('signatures').columns(['petition_id', 'dedup_key']).unique().execute();
  // Only signers who chose to be shown are ever listed: a small partial index, not one more index on every row.
  await db.schema
    .createIndex('signatures_public_recent')
    .on('signatures')
    .columns(['petition_id', 'confirmed_at'])
    .where(sql.ref('public_name'), 'is not', null)
    .execute();

  // Count changes are appended here by confirmations and withdrawals, then folded into signature_counts by the
  // worker: no request ever updates a hot counter row.
  await withId(db, db.schema.createTable('count_events'))
    .addColumn('petition_id', t.bigint, (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('delta', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('signature_counts')
    .addColumn('petition_id', t.bigint, (c) => c.notNull().references('petitions.id').onDelete('cascade'))
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('signature_counts_pk', ['petition_id', 'country'])
    .execute();

  await db.schema
    .createTable('milestones_reached')
    .addColumn('petition_id', t.bigint, (c) => c.notNull().references('petitions.id').onDelete('cascade'))
    .addColumn('milestone', 'integer', (c) => c.notNull())
    .addColumn('reached_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('milestones_reached_pk', ['petition_id', 'milestone'])
    .execute();

  await withId(db, db.schema.createTable('jobs'))
    .addColumn('kind', 'text', (c) => c.notNull())
    /** JSON; any address in it is encrypted with the server's data key. */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('run_at', t.timestamp, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', t.timestamp)
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['run_at']).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const table of [
    'jobs',
    'milestones_reached',
    'signature_counts',
    'count_events',
    'signatures',
    'sealing_windows',
    'petition_texts',
    'petitions',
    'settings',
    'organisation_keys',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
