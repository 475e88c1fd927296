import { sql } from 'kysely';
import { columnTypes, withId, type MigrationDb } from './helpers.ts';

/**
 * Second factors for organisers: passkeys and authenticator-app (TOTP) secrets, one-time recovery codes, and sessions
 * that are only half open (password given, second factor not yet) while they hold a WebAuthn challenge.
 */
export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await withId(db, db.schema.createTable('user_factors'))
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('totp', 'passkey')`))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_used_at', t.timestamp)
    .addColumn('totp_secret_sealed', 'text')
    .addColumn('totp_last_step', t.bigint)
    .addColumn('credential_id', 'text', (c) => c.unique())
    .addColumn('public_key', t.binary)
    .addColumn('sign_count', t.bigint)
    .addColumn('transports', 'text')
    .execute();
  await db.schema.createIndex('user_factors_user_id').on('user_factors').column('user_id').execute();

  await withId(db, db.schema.createTable('recovery_codes'))
    .addColumn('user_id', t.bigint, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .execute();
  await db.schema.createIndex('recovery_codes_user_id').on('recovery_codes').column('user_id').execute();

  await db.schema
    .alterTable('sessions')
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('full'))
    .execute();
  await db.schema.alterTable('sessions').addColumn('challenge', 'text').execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: MigrationDb): Promise<void> {
  for (const column of ['failed_attempts', 'challenge', 'stage']) await db.schema.alterTable('sessions').dropColumn(column).execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('user_factors').execute();
}
