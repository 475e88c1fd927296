/**
 * Opens the database named by DATABASE_URL: an embedded SQLite file (WAL) or a PostgreSQL pool.
 * Everything above this file speaks Kysely and does not care which.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Dialect } from '../config.ts';
import type { DB } from './schema.ts';
import { BackgroundCheckpointer } from './checkpointer.ts';
import { WriteAheadLog } from './sqlite-batch.ts';

export type Database = Kysely<DB>;

export interface DatabaseHandle {
  readonly db: Database;
  readonly dialect: Dialect;
  /** The embedded connection itself, for the one hot path that prepares its statements once (see sqlite-batch.ts). */
  readonly sqlite?: EmbeddedSqlite;
  close(): Promise<void>;
}

export interface EmbeddedSqlite {
  readonly connection: SQLite.Database;
  readonly log: WriteAheadLog;
  /** Absent for an in-memory database, which has no log to copy back. */
  readonly checkpointer?: BackgroundCheckpointer;
}

export function openDatabase(options: { url: string; poolSize?: number }): DatabaseHandle {
  if (options.url.startsWith('sqlite:')) {
    const sqlite = openSqlite(options.url);
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite.connection }) });
    return {
      db,
      dialect: 'sqlite',
      sqlite,
      close: async () => {
        await sqlite.checkpointer?.close();
        await db.destroy();
        sqlite.log.close();
      },
    };
  }
  const db = openPostgres(options.url, options.poolSize ?? 10);
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

function openSqlite(url: string): EmbeddedSqlite {
  const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  const inMemory = file === ':memory:';
  if (!inMemory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const connection = new SQLite(file);
  connection.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer 2xx, even across a power cut, not just a killed process.
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  if (inMemory) return { connection, log: new WriteAheadLog(undefined) };
  const absolute = path.resolve(file);
  return { connection, log: new WriteAheadLog(`${absolute}-wal`), checkpointer: new BackgroundCheckpointer(connection, absolute) };
}

// PostgreSQL gives bigints and timestamps back in types the SQLite side cannot match; normalise them here.
const INT8 = 20;
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const DATE = 1082;

function openPostgres(url: string, max: number): Database {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8) return (value: string) => Number(value);
      if (oid === TIMESTAMPTZ || oid === TIMESTAMP) return (value: string) => new Date(value).toISOString();
      if (oid === DATE) return (value: string) => value;
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({ connectionString: url, max, types: types as pg.CustomTypesConfig });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

export async function isDatabaseReachable(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
