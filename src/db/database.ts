/**
 * Opens the database named by DATABASE_URL: an embedded SQLite file (WAL) or a PostgreSQL pool. Everything above
 * `db/` speaks Kysely and asks the handle for what differs between the engines (a lock across processes, claiming
 * rows, notifications, a hot path's prepared batch); each engine answers in its own folder under `dialects/`.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Compilable, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Logger } from '../log.ts';
import type { DB } from './schema.ts';
import type { BackgroundCheckpointer } from './checkpointer.ts';
import type { WriteAheadLog } from './sqlite-batch.ts';
import { openPostgresDatabase, restorePostgresDatabase } from './dialects/postgres.ts';
import { openSqliteDatabase, restoreSqliteDatabase } from './dialects/sqlite.ts';
import { migrateToLatest } from './migrate.ts';

export type Database = Kysely<DB>;
export type Dialect = 'sqlite' | 'postgres';

export interface Committed<T> {
  value: T;
  /** Resolves once the commit is on disk. */
  durable: Promise<void>;
}

/**
 * The statements a hot path runs in one transaction, in each engine's fastest form: prepared once on the embedded
 * connection (building a query costs more than running it there), Kysely queries on a server (round trips dominate).
 */
export interface BatchStatementsFactory<S> {
  prepared(connection: SQLite.Database): S;
  queries(trx: Database): S;
}

export interface BatchWriter<S> {
  /** Runs `work` in one transaction; resolves once it is committed, with a promise of its being on disk. */
  transaction<T>(work: (statements: S) => Promise<T>): Promise<Committed<T>>;
}

export interface ListenOptions {
  /** What log lines call this listener, e.g. `count` for `count-listener-lost`. */
  name: string;
  logger: Logger;
  /** Called after a notification (and after each reconnection, for what was missed), at most once per `minIntervalMs`. */
  onSignal: () => void;
  minIntervalMs?: number;
}

export interface Listening {
  stop(): Promise<void>;
}

/**
 * A long ordered read taken a page at a time by its key (keyset pagination): each page is an index range however far
 * the read has gone, and memory holds one page.
 */
export interface PagedRead<K> {
  /** Every row's key is greater than this. */
  start: K;
  /** A select of the rows whose key is greater than `after`, ordered by the key and limited to a page. */
  page(after: K): Compilable<unknown>;
  /** The key of a row, from its columns in select order. */
  keyOf(row: readonly unknown[]): K;
}

/** A function a module exports to run on a worker thread (see `DatabaseHandle.runOnThread`); `post` reports progress. */
export type ThreadTask<I, O> = (database: DatabaseHandle, input: I, post: (message: unknown) => void) => Promise<O>;

export interface DatabaseHandle {
  readonly db: Database;
  /** Which engine: for reports (health, logs). Code that behaves differently per engine asks a capability below. */
  readonly dialect: Dialect;
  /**
   * Runs `work` in a transaction that holds `lock` alone across every process sharing the database (PostgreSQL: an
   * advisory lock; SQLite: its single writer). `snapshot`: every read sees one snapshot (repeatable read).
   */
  withLock<T>(lock: number, work: (trx: Database) => Promise<T>, options?: { snapshot?: boolean }): Promise<T>;
  /** Rows another process has locked are skipped, so several workers can claim rows at once without waiting. */
  skipLocked<Q extends SelectQueryBuilder<DB, keyof DB, object>>(query: Q): Q;
  /** Tells every process listening on `channel` that something changed; send it after the change has committed. */
  notify(channel: string): Promise<void>;
  /** Listens on `channel` from now on. One process (SQLite) has no one else to hear from: nothing happens. */
  listen(channel: string, options: ListenOptions): Promise<Listening>;
  batchWriter<S>(factory: BatchStatementsFactory<S>): BatchWriter<S>;
  /**
   * A transaction that is not on disk when it returns, for writes no one has been told are kept yet (an upload's
   * pieces): a later ordinary commit makes them durable with its own, since logs are flushed in order. It spares the
   * event loop a flush per write (SQLite: synchronous=NORMAL; PostgreSQL: synchronous_commit off).
   */
  unflushedWrite<T>(work: (trx: Database) => Promise<T>): Promise<T>;
  /**
   * Writes a consistent copy of the whole database to `file` while other processes go on writing: one self-contained
   * SQLite file, or a pg_dump archive. Written beside `file`, flushed and renamed onto it; mode 0600. On SQLite the
   * copy runs on this process's thread: for the command line, not for a serving process.
   */
  backupTo(file: string): Promise<BackupReport>;
  /**
   * The rows of a long read, a page at a time, each row an array of its columns in select order: no object per row,
   * for reads of millions of rows (SQLite: one prepared statement for every page). Between pages the connection is
   * free for other queries, and each page is its own snapshot.
   */
  readPages<K>(read: PagedRead<K>): AsyncGenerator<unknown[][]>;
  /**
   * Runs the function `name` that the module `file` (absolute, under src/) exports on a worker thread, with a connection
   * of its own to this database, and resolves with its result; what it posts goes to `onMessage`. A second core for a
   * long read. Absent where no other connection can open the database (SQLite in memory).
   */
  readonly runOnThread?: <I, O>(task: { file: string; name: string; input: I; onMessage?: (message: unknown) => void }) => Promise<O>;
  /** A text column as its UTF-8 bytes (a Buffer): for text only hashed or copied, never decoded into a string. */
  bytesOf(column: string): RawBuilder<Buffer>;
  /** A timestamp column as its UTC hour, `YYYY-MM-DDTHH`, for grouping by hour (timestamps are text on SQLite). */
  hourOf(column: string): RawBuilder<string>;
  /** The embedded connection, for `db/` itself and its tests; features use the capabilities above. */
  readonly sqlite?: EmbeddedSqlite;
  close(): Promise<void>;
}

export interface EmbeddedSqlite {
  readonly connection: SQLite.Database;
  /** The database file's absolute path; absent for an in-memory database. */
  readonly file?: string;
  readonly log: WriteAheadLog;
  /** Absent for an in-memory database, which has no log to copy back. */
  readonly checkpointer?: BackgroundCheckpointer;
}

export interface BackupReport {
  /** The size of the file written. */
  bytes: number;
  /** What the file is, for the operator: how to bring it back is in README, "Backups". */
  kind: string;
}

export interface RestoreReport {
  /** Where the database now is: the SQLite file, or the PostgreSQL database's name. */
  into: string;
  /** Migrations run on the restored copy to bring it to this version's schema. */
  applied: string[];
}

/** `mustExist`: a command that only reads (a backup) must not leave a new empty database behind a wrong DATA_DIR. */
export function openDatabase(options: { url: string; poolSize?: number; mustExist?: boolean }): DatabaseHandle {
  if (options.url.startsWith('sqlite:')) return openSqliteDatabase(options.url, { mustExist: options.mustExist ?? false });
  return openPostgresDatabase(options.url, options.poolSize ?? 10);
}

/**
 * Puts a backup written by `backupTo` in place of the database at `url`, checked first and then migrated to this
 * version's schema. Refuses a database another process has open; SQLite replaces an existing file only with `force`,
 * PostgreSQL restores into an empty database only.
 */
export function restoreDatabase(options: { url: string; from: string; force: boolean }): Promise<RestoreReport> {
  const migrate = async (url: string) => {
    const database = openDatabase({ url, poolSize: 1, mustExist: true });
    try {
      return await migrateToLatest(database.db);
    } finally {
      await database.close();
    }
  };
  if (options.url.startsWith('sqlite:')) return restoreSqliteDatabase({ ...options, migrate });
  return restorePostgresDatabase({ ...options, migrate });
}

export async function isDatabaseReachable(db: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
