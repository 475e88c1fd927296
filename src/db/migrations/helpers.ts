/**
 * The one place where the two dialects' column types differ. Migrations are frozen in time: they import
 * this helper and Kysely, never application code, so they run the same way forever on both engines.
 */
import { PostgresAdapter, sql, type ColumnDataType, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own moment, not today's DB type
export type MigrationDb = Kysely<any>;

export function isPostgres(db: MigrationDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export interface ColumnTypes {
  timestamp: ColumnDataType;
  date: ColumnDataType;
  json: ColumnDataType;
  bigint: ColumnDataType;
  binary: ColumnDataType;
}

export function columnTypes(db: MigrationDb): ColumnTypes {
  return isPostgres(db)
    ? { timestamp: 'timestamptz', date: 'date', json: 'jsonb', bigint: 'bigint', binary: 'bytea' }
    : { timestamp: 'text', date: 'text', json: 'text', bigint: 'integer', binary: 'blob' };
}

/** An auto-numbered primary key: `integer primary key autoincrement` on SQLite, an identity bigint on PostgreSQL. */
export function withId<T extends string>(db: MigrationDb, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return isPostgres(db)
    ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export function nowDefault(db: MigrationDb): RawBuilder<unknown> {
  return isPostgres(db) ? sql`now()` : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
}
