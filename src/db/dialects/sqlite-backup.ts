/**
 * The embedded database copied out while the server writes, and put back.
 *
 * The copy is `VACUUM INTO`: one read transaction, so one snapshot, and in WAL mode a reader never holds up the
 * writer (signing goes on; only the log grows until it ends). It writes a fresh database in rollback-journal mode,
 * so the file needs no -wal beside it, and rebuilds every page: no free pages, and with the connection's
 * secure_delete on (dialects/sqlite.ts) the unused part of each page is zeroed, so nothing erased comes along. The
 * backup API was the other choice: step by step it starts again whenever another process commits, so under signing
 * it never finished; in one step it locks the same way but copies pages as they are, free ones included.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { BackupReport, RestoreReport } from '../database.ts';
import { checkBackupTarget, flushFile, moveIntoPlace, reserveTempBeside } from '../backup-files.ts';

/** Writes a consistent copy of the database `connection` has open to `out`; `databaseFile` is never replaced. */
export function backupSqlite(connection: SQLite.Database, databaseFile: string | undefined, out: string): BackupReport {
  const companions = databaseFile ? [databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`] : [];
  const target = checkBackupTarget(out, companions);
  const temp = reserveTempBeside(target);
  try {
    connection.prepare('vacuum into ?').run(temp);
    checkBackupFile(temp);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  moveIntoPlace(temp, target);
  return { bytes: statSync(target).size, kind: 'SQLite database, integrity checked' };
}

export interface RestoreSqliteOptions {
  /** The database file to restore into. */
  file: string;
  from: string;
  force: boolean;
  /** Opens the copy at this URL and runs the migrations on it. */
  migrate(url: string): Promise<string[]>;
}

/**
 * Checks and migrates a copy of the backup in the database's folder, then renames it onto the database file, so a
 * damaged backup or a failed migration leaves the database as it was.
 */
export async function restoreSqlite(options: RestoreSqliteOptions): Promise<RestoreReport> {
  const file = path.resolve(options.file);
  const from = path.resolve(options.from);
  if (!statSync(from, { throwIfNoEntry: false })?.isFile()) throw new Error('The backup file given with --from does not exist.');
  if ((statSync(`${from}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0) {
    throw new Error('The file given with --from has a write-ahead log beside it: it is a live database or a copy of one, not a file outcry backup wrote.');
  }
  if (statSync(file, { throwIfNoEntry: false })) {
    if (!options.force) {
      throw new Error(
        'A database already exists in this data folder: pass --force to replace it (what it holds now is lost; back it up first if it may be needed).',
      );
    }
    if (isOpenElsewhere(file)) throw new Error('The database is open in another process, a running Outcry perhaps: stop it, then restore.');
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });

  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.restoring`);
  const leftovers = [temp, `${temp}-wal`, `${temp}-shm`, `${temp}-journal`];
  try {
    copyFileSync(from, temp);
    chmodSync(temp, 0o600);
    checkBackupFile(temp);
    const applied = await options.migrate(`sqlite:${temp}`);
    leaveSelfContained(temp);
    // A log left by the database being replaced would be replayed into the restored one.
    for (const stale of [`${file}-wal`, `${file}-shm`]) rmSync(stale, { force: true });
    moveIntoPlace(temp, file);
    return { into: file, applied };
  } finally {
    for (const leftover of leftovers) rmSync(leftover, { force: true });
  }
}

/**
 * Throws a message a person understands unless `file` is an Outcry database whose integrity check passes. Opened
 * read-write (it is a copy) so that SQLite may roll back a journal left in it.
 */
function checkBackupFile(file: string): void {
  let connection: SQLite.Database | undefined;
  try {
    connection = new SQLite(file, { fileMustExist: true });
    const problems = (connection.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      const more = problems.length > 1 ? ` and ${problems.length - 1} more` : '';
      throw new Error(`The backup file is damaged: its integrity check failed: ${problems[0]}${more}. Use another backup.`);
    }
    const hasMigrations = connection.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    if (!hasMigrations) throw new Error('The backup file is an SQLite database but not an Outcry one (it has no migrations table).');
  } catch (error) {
    if (isDamaged(error)) throw new Error(`The backup file is damaged or is not an SQLite database (${(error as Error).message}). Use another backup.`);
    throw error;
  } finally {
    connection?.close();
  }
}

function isDamaged(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code);
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

/** The migrated copy, back in rollback-journal mode with its log folded in: one file, whatever moves it next. */
function leaveSelfContained(file: string): void {
  const connection = new SQLite(file, { fileMustExist: true });
  try {
    connection.pragma('journal_mode = DELETE');
  } finally {
    connection.close();
  }
  flushFile(file);
}

/**
 * True if another connection has the database open: every connection to a WAL database holds a shared lock on it as
 * long as it is open, so an exclusive one is refused at once. A file SQLite cannot read as a database is no one's.
 */
function isOpenElsewhere(file: string): boolean {
  let connection: SQLite.Database | undefined;
  try {
    connection = new SQLite(file, { fileMustExist: true, timeout: 0 });
    connection.pragma('locking_mode = EXCLUSIVE');
    connection.exec('BEGIN EXCLUSIVE; COMMIT');
    return false;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
    if (isDamaged(error)) return false;
    throw error;
  } finally {
    connection?.close();
  }
}
