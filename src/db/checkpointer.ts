/**
 * Copies the embedded database's write-ahead log back into the database file on a thread of its own.
 *
 * SQLite's automatic checkpoint runs inside whichever COMMIT crosses its threshold. On the embedded database that is
 * the event loop: it reads back a thousand logged pages, writes them into the database file and fsyncs it, and no
 * request is served meanwhile. Under a signing flood that was a stall every few dozen milliseconds, and about half of
 * SQLite's cost per signature. Here a worker thread with its own connection runs a PASSIVE checkpoint (it never
 * blocks the writer) every CHECKPOINT_EVERY_MS in which something was committed, and the event loop's connection
 * keeps only a far-off automatic threshold as a safety net should the thread ever fall behind or stop.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

const CHECKPOINT_EVERY_MS = 250;
/** While the thread runs: the log may grow to ~80 MB before the event loop checkpoints it itself. */
const SAFETY_AUTOCHECKPOINT = 20_000;
const CLOSE_TIMEOUT_MS = 5000;

// The thread's code is inline (eval) so that it runs the same from the bundle and from the TypeScript sources.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const committed = new Int32Array(workerData.committed);
const connection = new SQLite(workerData.file, { fileMustExist: true });
connection.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  if (Atomics.exchange(committed, 0, 0) === 0) return;
  try {
    connection.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next round tries again, and the event loop's own threshold is the safety net.
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  connection.close();
  parentPort.close();
});
`;

export class BackgroundCheckpointer {
  private worker: Worker | undefined;
  private stopped = false;
  /** Set after each commit, cleared by the thread when it checkpoints: a store, not a message, so no thread wakes per commit. */
  private readonly committed = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly connection: SQLite.Database,
    private readonly file: string,
  ) {}

  /** Called after each commit; the first call starts the thread (most databases opened by tools never need one). */
  afterCommit(): void {
    if (this.stopped) return;
    this.worker ??= this.startThread();
    Atomics.store(this.committed, 0, 1);
  }

  async close(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    const timeout = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timeout);
  }

  private startThread(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { driver, file: this.file, everyMs: CHECKPOINT_EVERY_MS, committed: this.committed.buffer },
    });
    worker.unref();
    const ownThreshold = this.connection.pragma('wal_autocheckpoint', { simple: true }) as number;
    this.connection.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT}`);
    worker.once('error', () => this.fallBackToEventLoop(ownThreshold));
    worker.once('exit', () => this.fallBackToEventLoop(ownThreshold));
    return worker;
  }

  /** Without the thread, SQLite checkpoints on the event loop again, at the threshold the connection had before. */
  private fallBackToEventLoop(threshold: number): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker = undefined;
    if (this.connection.open) this.connection.pragma(`wal_autocheckpoint = ${threshold}`);
  }
}
