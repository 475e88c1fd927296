/**
 * Write transactions on the embedded database whose flush to disk does not stop the event loop.
 *
 * better-sqlite3 runs COMMIT on the main thread, and with synchronous=FULL that COMMIT waits for the write-ahead log's
 * fsync: for those milliseconds no request is read. Here a transaction commits with synchronous=NORMAL (its pages are
 * written to the log but not yet flushed), and the log is then flushed on libuv's thread pool. `durable` resolves
 * once a flush that began after the commit has finished: a caller that answers 2xx only then acknowledges nothing
 * that is not on disk, as with FULL. Meanwhile requests are read and the next transaction may commit; one flush
 * covers every commit made before it began.
 */
import { closeSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';
import type { Committed, Database, EmbeddedSqlite } from './database.ts';

export async function commitThenFlush<T>(db: Database, sqlite: EmbeddedSqlite, work: () => Promise<T>): Promise<Committed<T>> {
  // Holding Kysely's connection keeps every other query off this connection until the transaction ends, so none
  // can run inside it (or commit it) between the awaits.
  const value = await db.connection().execute(async () => {
    const { connection } = sqlite;
    connection.pragma('synchronous = NORMAL');
    try {
      connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        connection.exec('COMMIT');
        sqlite.checkpointer?.afterCommit();
        return result;
      } catch (error) {
        if (connection.inTransaction) connection.exec('ROLLBACK');
        throw error;
      }
    } finally {
      connection.pragma('synchronous = FULL');
    }
  });
  return { value, durable: sqlite.log.flushAfterCommit() };
}

/** The write-ahead log file, flushed to disk off the event loop. */
export class WriteAheadLog {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private open: { fd: number; ino: number } | undefined;

  /** `file` is undefined for an in-memory database, which has nothing to flush. */
  constructor(private readonly file: string | undefined) {}

  /** A flush already under way may have begun before this commit, so the caller waits for the next one. */
  flushAfterCommit(): Promise<void> {
    if (!this.running) return this.startFlush();
    this.queued ??= this.running.then(
      () => this.startFlush(),
      () => this.startFlush(),
    );
    return this.queued;
  }

  close(): void {
    if (this.open) closeSync(this.open.fd);
    this.open = undefined;
  }

  private startFlush(): Promise<void> {
    this.queued = undefined;
    const flush = this.flush().finally(() => {
      if (this.running === flush) this.running = undefined;
    });
    this.running = flush;
    return flush;
  }

  private flush(): Promise<void> {
    const fd = this.currentFd();
    if (fd === undefined) return Promise.resolve();
    // fdatasync, as SQLite itself uses on Linux: the log's contents and size, without its timestamps.
    return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * The log stays open between flushes. SQLite deletes it only when the last connection closes, but should it ever be
   * replaced, the inode changes and the new file is opened, so a flush never goes to a file no longer in use.
   */
  private currentFd(): number | undefined {
    if (!this.file) return undefined;
    const onDisk = statSync(this.file, { throwIfNoEntry: false });
    if (this.open && this.open.ino === onDisk?.ino) return this.open.fd;
    this.close();
    // No log file: a checkpoint has already copied everything into the database file and synced it.
    if (!onDisk) return undefined;
    const fd = openSync(this.file, 'r');
    this.open = { fd, ino: fstatSync(fd).ino };
    return fd;
  }
}
