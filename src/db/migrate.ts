import { Migrator, PostgresAdapter, sql } from 'kysely';
import type { Database } from './database.ts';
import { migrations } from './migrations/index.ts';

async function migratorFor(db: Database): Promise<Migrator> {
  // Kysely looks for its bookkeeping tables in every schema it can see unless told which one: another schema in
  // the same PostgreSQL database holding a kysely_migration table would make it skip creating ours.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
}

/** Runs the migrations up to and including `name`, and no further: a migration's test fills the database it will meet. */
export async function migrateTo(db: Database, name: string): Promise<void> {
  const { error } = await (await migratorFor(db)).migrateTo(name);
  if (error) throw new Error(`Migrating to ${name} failed`, { cause: error });
}

export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = await migratorFor(db);
  let { error, results } = await migrator.migrateToLatest();
  // Before migrating, Kysely lists the tables of every schema it may use; another client dropping a schema of its own
  // at that moment makes the listing fail ("schema … does not exist", 3F000; or a table or column of it gone between
  // the catalogue's rows, 42P01, 42703) though nothing is wrong with ours. Such a failure happens before any migration
  // runs: trying again is safe.
  for (let attempt = 1; error && isSchemaGoneMeanwhile(error, results) && attempt < 5; attempt += 1) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

const SCHEMA_GONE_CODES = new Set(['3F000', '42P01', '42703']);

function isSchemaGoneMeanwhile(error: unknown, results: readonly unknown[] | undefined): boolean {
  return (results === undefined || results.length === 0) && SCHEMA_GONE_CODES.has(String((error as { code?: unknown } | null)?.code));
}
