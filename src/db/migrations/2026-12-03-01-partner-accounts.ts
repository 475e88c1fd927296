import { sql } from 'kysely';
import { columnTypes, isPostgres, type MigrationDb } from './helpers.ts';

/**
 * Partner organisations get accounts of their own: the role `partner`, which opens only the inbox of the requests for
 * help sent to the organisation, and the link from such an account to its partner recipient (owned by intake).
 */
const STAFF_ROLES = "role in ('owner', 'editor', 'moderator')";
const WITH_PARTNER = "role in ('owner', 'editor', 'moderator', 'partner')";

export async function up(db: MigrationDb): Promise<void> {
  const t = columnTypes(db);
  await replaceRoleCheck(db, STAFF_ROLES, WITH_PARTNER);
  await db.schema
    .createTable('intake_partner_accounts')
    .addColumn('user_id', t.bigint, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('recipient_id', t.bigint, (c) => c.notNull().references('intake_recipients.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('intake_partner_accounts_recipient').on('intake_partner_accounts').column('recipient_id').execute();
}

/** The role goes, so its accounts go too (their sessions and second factors with them; audit entries stay, unnamed). */
export async function down(db: MigrationDb): Promise<void> {
  await db.deleteFrom('users').where('role', '=', 'partner').execute();
  await db.schema.dropTable('intake_partner_accounts').execute();
  await replaceRoleCheck(db, WITH_PARTNER, STAFF_ROLES);
}

async function replaceRoleCheck(db: MigrationDb, from: string, to: string): Promise<void> {
  if (isPostgres(db)) await replacePostgresRoleCheck(db, to);
  else await rebuildSqliteUsers(db, from, to);
}

/** PostgreSQL alters a CHECK in place (inside the migration's transaction): whatever its generated name, it is replaced. */
async function replacePostgresRoleCheck(db: MigrationDb, to: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select con.conname as name
    from pg_catalog.pg_constraint con
    join pg_catalog.pg_attribute att on att.attrelid = con.conrelid and att.attnum = any (con.conkey)
    where con.conrelid = 'users'::regclass and con.contype = 'c' and att.attname = 'role'`.execute(db);
  if (rows.length !== 1) throw new Error(`Expected one check constraint on users.role, found ${rows.length}`);
  await db.schema.alterTable('users').dropConstraint(rows[0]!.name).execute();
  await db.schema.alterTable('users').addCheckConstraint('users_role_check', sql.raw(to)).execute();
}

/**
 * SQLite cannot alter a CHECK: the table is rebuilt as https://sqlite.org/lang_altertable.html#otheralter says, with
 * foreign keys off so that dropping the old table cascades to no session, factor or audit entry. Kysely runs SQLite
 * migrations outside a transaction, so this one can turn them off and hold its own.
 */
async function rebuildSqliteUsers(db: MigrationDb, from: string, to: string): Promise<void> {
  const table = await sql<{ sql: string }>`select sql from sqlite_schema where type = 'table' and name = 'users'`.execute(db);
  const ddl = table.rows[0]?.sql ?? '';
  if (!ddl.includes(from)) throw new Error(`The users table's definition does not hold the check "${from}"`);
  if (!/^CREATE TABLE "users" \(/.test(ddl)) throw new Error('The users table is not defined as this migration expects');
  const nextDdl = ddl.replace(from, to).replace(/^CREATE TABLE "users" \(/, 'CREATE TABLE "users_next" (');

  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin immediate`.execute(db);
    try {
      const companions = await sql<{ sql: string }>`
        select sql from sqlite_schema where tbl_name = 'users' and type in ('index', 'trigger') and sql is not null`.execute(db);
      const sequence = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'users'`.execute(db);
      await sql.raw(nextDdl).execute(db);
      await sql`insert into users_next select * from users`.execute(db);
      await sql`drop table users`.execute(db);
      await sql`alter table users_next rename to users`.execute(db);
      for (const { sql: statement } of companions.rows) await sql.raw(statement).execute(db);
      // Ids are never reused: the next account still gets a number above any account ever deleted.
      const seq = sequence.rows[0]?.seq;
      if (seq !== undefined) {
        await sql`delete from sqlite_sequence where name = 'users'`.execute(db);
        await sql`insert into sqlite_sequence (name, seq) values ('users', ${seq})`.execute(db);
      }
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0) throw new Error(`Rebuilding users left ${broken.rows.length} rows whose foreign keys point nowhere`);
      await sql`commit`.execute(db);
    } catch (error) {
      await sql`rollback`.execute(db);
      throw error;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
