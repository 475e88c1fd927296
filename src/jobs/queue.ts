/**
 * Jobs kept in the database: enqueued inside the transaction that makes them necessary (so a committed signature
 * always has its mail queued), claimed by workers with SKIP LOCKED on PostgreSQL so each runs once, deleted when done.
 */
import type SQLite from 'better-sqlite3';
import type { Database, DatabaseHandle } from '../db/database.ts';

export interface JobRow {
  id: number;
  kind: string;
  payload: string;
  attempts: number;
}

export interface NewJob {
  kind: string;
  payload: string;
  runAt?: Date;
}

export async function enqueueJob(db: Database, job: NewJob): Promise<void> {
  await enqueueJobs(db, [job]);
}

/** Several jobs in one statement: the signing hot path queues a whole batch's mail at once. */
export async function enqueueJobs(db: Database, jobs: NewJob[]): Promise<void> {
  if (jobs.length === 0) return;
  const now = new Date().toISOString();
  await db
    .insertInto('jobs')
    .values(
      jobs.map((job) => ({
        kind: job.kind,
        payload: job.payload,
        run_at: job.runAt?.toISOString() ?? now,
        attempts: 0,
        locked_until: null,
        last_error: null,
        created_at: now,
      })),
    )
    .execute();
}

/** The same insert prepared once on the embedded connection, for the signing hot path (see db/sqlite-batch.ts). */
export function prepareJobInsert(connection: SQLite.Database): (jobs: NewJob[]) => void {
  const insert = connection.prepare('insert into jobs (kind, payload, run_at, attempts, created_at) values (?, ?, ?, 0, ?)');
  return (jobs) => {
    const now = new Date().toISOString();
    for (const job of jobs) insert.run(job.kind, job.payload, job.runAt?.toISOString() ?? now, now);
  };
}

/** Takes up to `limit` due jobs and locks them for `lockMs`; a worker that dies lets them run again after that. */
export async function claimDueJobs(database: DatabaseHandle, options: { limit: number; lockMs: number; now?: Date }): Promise<JobRow[]> {
  const { db } = database;
  const now = options.now ?? new Date();
  const nowIso = now.toISOString();
  const due = database.skipLocked(
    db
      .selectFrom('jobs')
      .select('id')
      .where('run_at', '<=', nowIso)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', nowIso)]))
      .orderBy('run_at')
      .limit(options.limit),
  );
  const rows = await db
    .updateTable('jobs')
    .set((eb) => ({ locked_until: new Date(now.getTime() + options.lockMs).toISOString(), attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', due)
    .returning(['id', 'kind', 'payload', 'attempts'])
    .execute();
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, payload: r.payload, attempts: r.attempts }));
}

export async function completeJob(db: Database, id: number): Promise<void> {
  await db.deleteFrom('jobs').where('id', '=', id).execute();
}

/** Exponential backoff from 5 s up to an hour between tries. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5000 * 2 ** Math.max(0, attempts - 1), 60 * 60 * 1000);
}

export async function rescheduleJob(db: Database, job: JobRow, errorCode: string, now = new Date()): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ run_at: new Date(now.getTime() + retryDelayMs(job.attempts)).toISOString(), locked_until: null, last_error: errorCode.slice(0, 100) })
    .where('id', '=', job.id)
    .execute();
}

/** Gives back jobs claimed but not run (the worker is stopping): they are due again at once, their try not spent. */
export async function releaseJobs(db: Database, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('jobs')
    .set((eb) => ({ locked_until: null, attempts: eb('attempts', '-', 1) }))
    .where('id', 'in', ids)
    .execute();
}

export interface JobQueueMeasure {
  /** Jobs whose time has come (running ones included). */
  due: number;
  /** Jobs waiting for a later time (retries backing off). */
  later: number;
  /** When the oldest due job became due, or null when none is. */
  oldestDueAt: string | null;
}

/** The queue at a glance, for the metrics: two counts and a minimum, each read along the run_at index. */
export async function measureJobQueue(db: Database, now = new Date()): Promise<JobQueueMeasure> {
  const nowIso = now.toISOString();
  const [due, later] = await Promise.all([
    db
      .selectFrom('jobs')
      .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min('run_at').as('oldest')])
      .where('run_at', '<=', nowIso)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('run_at', '>', nowIso)
      .executeTakeFirstOrThrow(),
  ]);
  return { due: Number(due.count), later: Number(later.count), oldestDueAt: due.oldest ?? null };
}
