/**
 * Write transactions on the embedded database whose flush to disk does not stop the event loop.
 *
 * better-sqlite3 runs COMMIT on the main thread, and with synchronous=FULL that COMMIT waits for the write-ahead log's
 * fsync: for those milliseconds no request is read. Here a transaction commits with synchronous=NORMAL (its pages are
 * written to the log but not yet flushed), and the log is then fsynced on libuv's thread pool. `durable` resolves
 * once an fsync that began after the commit has finished: a caller that answers 2xx only then acknowledges nothing
 * that is not on disk, as with FULL. Meanwhile requests are read and the next transaction may commit; one fsync
 * covers every commit made before it began.
 */
import { open } from 'node:fs/promises';
import type { Database, EmbeddedSqlite } from './database.ts';

export interface Committed<T> {
  value: T;
  /** Resolves once the commit is on disk. */
  durable: Promise<void>;
}

export class DeferredSyncWriter {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly db: Database, private readonly sqlite: EmbeddedSqlite) {}

  async transaction<T>(work: () => Promise<T>): Promise<Committed<T>> {
    // Holding Kysely's connection keeps every other query off this connection until the transaction ends, so none
    // can run inside it (or commit it) between the awaits.
    const value = await this.db.connection().execute(async () => {
      const { connection } = this.sqlite;
      connection.pragma('synchronous = NORMAL');
      try {
        connection.exec('BEGIN IMMEDIATE');
        try {
          const result = await work();
          connection.exec('COMMIT');
          return result;
        } catch (error) {
          if (connection.inTransaction) connection.exec('ROLLBACK');
          throw error;
        }
      } finally {
        connection.pragma('synchronous = FULL');
      }
    });
    return { value, durable: this.flushAfterCommit() };
  }

  /** An fsync already under way may have begun before this commit, so the caller waits for the next one. */
  private flushAfterCommit(): Promise<void> {
    if (!this.running) return this.startFlush();
    this.queued ??= this.running.then(
      () => this.startFlush(),
      () => this.startFlush(),
    );
    return this.queued;
  }

  private startFlush(): Promise<void> {
    this.queued = undefined;
    const flush = flushLog(this.sqlite.walFile).finally(() => {
      if (this.running === flush) this.running = undefined;
    });
    this.running = flush;
    return flush;
  }
}

async function flushLog(walFile: string | undefined): Promise<void> {
  if (!walFile) return;
  let file;
  try {
    file = await open(walFile, 'r');
  } catch (error) {
    // No log file: a checkpoint has already copied everything into the database file and synced it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}
