/**
 * Copies the embedded database's write-ahead log back into the database file on a thread of its own, and empties the
 * log once commits pause.
 *
 * SQLite's automatic checkpoint runs inside whichever COMMIT crosses its threshold. On the embedded database that is
 * the event loop: it reads back a thousand logged pages, writes them into the database file and fsyncs it, and no
 * request is served meanwhile. Under a signing flood that was a stall every few dozen milliseconds, and about half of
 * SQLite's cost per signature. Here a worker thread with its own connection runs a PASSIVE checkpoint (it never
 * blocks the writer) every CHECKPOINT_EVERY_MS in which something was committed, and the event loop's connection
 * keeps only a far-off automatic threshold as a safety net should the thread ever fall behind or stop.
 *
 * A checkpoint copies pages but leaves the log file as it was, and SQLite only overwrites it from the start: the log
 * keeps older images of pages, erased rows and sent mail jobs among them. So after an interval with no commit, once a
 * PASSIVE checkpoint has copied every frame, the thread truncates the log (a TRUNCATE checkpoint) without waiting for
 * anyone: it holds the writer's lock meanwhile, and a wait for a reader would stall the event loop's next commit.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

const CHECKPOINT_EVERY_MS = 250;
/** While the thread runs: the log may grow to ~80 MB before the event loop checkpoints it itself. */
const SAFETY_AUTOCHECKPOINT = 20_000;
const CLOSE_TIMEOUT_MS = 5000;

// The thread's code is inline (eval) so that it runs the same from the bundle and from the TypeScript sources.
// data_version changes whenever another connection has committed, whether a signing batch or any other transaction.
// The thread copies pages and never deletes a row, so secure_delete (dialects/sqlite.ts) has nothing to do on its connection.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const connection = new SQLite(workerData.file, { fileMustExist: true });
connection.pragma('busy_timeout = 1000');
const dataVersion = connection.prepare('pragma data_version').pluck();
const checkpoint = (mode) => connection.pragma('wal_checkpoint(' + mode + ')')[0];
let seen = dataVersion.get();
let truncated = false;
const truncateIfCopied = () => {
  const copied = checkpoint('PASSIVE');
  if (copied.busy !== 0 || copied.checkpointed < copied.log) return false;
  connection.pragma('busy_timeout = 0');
  try {
    return checkpoint('TRUNCATE').busy === 0;
  } finally {
    connection.pragma('busy_timeout = 1000');
  }
};
const timer = setInterval(() => {
  try {
    const version = dataVersion.get();
    if (version !== seen) {
      seen = version;
      truncated = false;
      checkpoint('PASSIVE');
    } else if (!truncated) {
      truncated = truncateIfCopied();
    }
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

  constructor(
    private readonly connection: SQLite.Database,
    private readonly file: string,
  ) {}

  /**
   * Called after a commit; the first call starts the thread (most databases opened by tools never need one), which
   * from then on notices every commit itself, so no thread wakes per commit.
   */
  afterCommit(): void {
    if (this.stopped) return;
    this.worker ??= this.startThread();
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
      workerData: { driver, file: this.file, everyMs: CHECKPOINT_EVERY_MS },
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
