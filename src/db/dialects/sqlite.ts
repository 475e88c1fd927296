/**
 * The embedded engine: one SQLite file in WAL mode, one process. There is one writer at a time and no other process
 * to tell about changes, so the cross-process capabilities are the plain transaction, the plain query and nothing.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, Kysely, SqliteDialect, type SqliteDialectConfig, SqliteDriver, sql } from 'kysely';
import type { BatchStatementsFactory, BatchWriter, Database, DatabaseHandle, EmbeddedSqlite, PagedRead, RestoreReport } from '../database.ts';
import type { DB } from '../schema.ts';
import { BackgroundCheckpointer } from '../checkpointer.ts';
import { commitThenFlush, WriteAheadLog } from '../sqlite-batch.ts';
import { runOnThread } from '../threads.ts';
import { backupSqlite, restoreSqlite, type RestoreSqliteOptions } from './sqlite-backup.ts';

export function openSqliteDatabase(url: string, options: { mustExist?: boolean } = {}): DatabaseHandle {
  const sqlite = openSqlite(url, options);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: sqlite.connection }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    // The worker's tasks commit through here every few seconds, so the checkpointer starts (and empties the log of
    // what was erased) even in a process where no one has signed yet.
    withLock: async (_lock, work) => {
      const result = await db.transaction().execute(work);
      sqlite.checkpointer?.afterCommit();
      return result;
    },
    skipLocked: (query) => query,
    hourOf: (column) => sql<string>`substr(${sql.ref(column)}, 1, 13)`,
    // The database is UTF-8: the cast hands over the stored bytes as they are.
    bytesOf: (column) => sql<Buffer>`cast(${sql.ref(column)} as blob)`,
    readPages: (read) => readSqlitePages(db, sqlite.connection, read),
    ...(sqlite.file === undefined ? {} : { runOnThread: (task) => runOnThread(url, task) }),
    notify: async () => {},
    listen: async () => ({ stop: async () => {} }),
    batchWriter: <S>(factory: BatchStatementsFactory<S>): BatchWriter<S> => {
      // Prepared on first use, when the migrations have made the tables.
      let statements: S | undefined;
      return { transaction: (work) => commitThenFlush(db, sqlite, () => work((statements ??= factory.prepared(sqlite.connection)))) };
    },
    unflushedWrite: (work) =>
      // Holding the connection keeps any other query from running while the connection is at NORMAL.
      db.connection().execute(async (connection) => {
        await sql`pragma synchronous = NORMAL`.execute(connection);
        try {
          const result = await connection.transaction().execute(work);
          sqlite.checkpointer?.afterCommit();
          return result;
        } finally {
          await sql`pragma synchronous = FULL`.execute(connection);
        }
      }),
    backupTo: (file) => db.connection().execute(async () => backupSqlite(sqlite.connection, sqlite.file, file)),
    close: async () => {
      await sqlite.checkpointer?.close();
      await db.destroy();
      sqlite.log.close();
    },
  };
}

/**
 * Each page runs the one prepared statement in raw mode (arrays, not objects) while holding Kysely's connection, so no
 * page is read inside another caller's open transaction.
 */
async function* readSqlitePages<K>(db: Database, connection: SQLite.Database, read: PagedRead<K>): AsyncGenerator<unknown[][]> {
  const statements = new Map<string, SQLite.Statement<unknown[], unknown[]>>();
  let after = read.start;
  for (;;) {
    const query = read.page(after).compile();
    let statement = statements.get(query.sql);
    if (!statement) {
      statement = connection.prepare<unknown[], unknown[]>(query.sql).raw(true);
      statements.set(query.sql, statement);
    }
    const prepared = statement;
    const rows = await db.connection().execute(async () => prepared.all(...query.parameters));
    if (rows.length === 0) return;
    yield rows;
    after = read.keyOf(rows[rows.length - 1]!);
  }
}

/**
 * Transactions take the writer's lock when they begin. A deferred BEGIN takes it at the first write, and if another
 * connection (the checkpoint thread restarting the log) moved the log on since the first read, SQLite fails that write
 * at once with "database is locked" without waiting the busy timeout. IMMEDIATE waits for the lock at BEGIN instead;
 * nothing is lost, as this process is the only writer.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export function restoreSqliteDatabase(options: Omit<RestoreSqliteOptions, 'file'> & { url: string }): Promise<RestoreReport> {
  const file = fileOf(options.url);
  if (file === ':memory:') throw new Error('An in-memory database cannot be restored into.');
  return restoreSqlite({ ...options, file });
}

function fileOf(url: string): string {
  return url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
}

function openSqlite(url: string, options: { mustExist?: boolean }): EmbeddedSqlite {
  const file = fileOf(url);
  const inMemory = file === ':memory:';
  if (options.mustExist && !inMemory && !existsSync(file)) {
    throw new Error('There is no database in this data folder: check DATA_DIR (or DATABASE_URL).');
  }
  if (!inMemory) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    restrictToOwner(path.resolve(file));
  }
  const connection = new SQLite(file);
  connection.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer 2xx, even across a power cut, not just a killed process.
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // ON, not FAST: pages freed whole (a batch mail job's overflow pages) are zeroed too, not only space freed within a page.
  connection.pragma('secure_delete = ON');
  if (inMemory) return { connection, log: new WriteAheadLog(undefined) };
  const absolute = path.resolve(file);
  return { connection, file: absolute, log: new WriteAheadLog(`${absolute}-wal`), checkpointer: new BackgroundCheckpointer(connection, absolute) };
}

/**
 * The database file holds the signatures: this user's alone, whatever the umask. SQLite gives the -wal and -shm
 * files the main file's mode, so a new file is created 0600 before SQLite opens it, and an existing one (and its
 * companions), made before this or by hand, is tightened if anyone else may read or write it.
 */
function restrictToOwner(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    const stat = statSync(each, { throwIfNoEntry: false });
    if (stat && (stat.mode & 0o077) !== 0) chmodSync(each, 0o600);
  }
}
