/**
 * The background worker: runs the queued jobs and the periodic tasks that features register (mail, folding counts,
 * housekeeping), knowing none of them by name. Embedded mode runs it inside the web process; scaled mode runs it as
 * `outcry start --role worker` on one or more processes, which share the queue by claiming jobs with SKIP LOCKED.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { readJobPayload, type AnyJobKind, type JobContext, type PeriodicTask } from './job.ts';
import { claimDueJobs, completeJob, releaseJobs, rescheduleJob, type JobRow } from './queue.ts';
import { createMailer, type Mailer } from './mailer.ts';

export interface Worker {
  /** Look for jobs now rather than at the next poll (called when this process queued one). */
  wake(): void;
  stop(): Promise<void>;
}

const POLL_MS = 500;
const LOCK_MS = 60_000;
const BATCH = 20;
const BUSY_BATCH = 4;
const BUSY_UTILISATION = 0.8;
/** Two days of hourly retries: past that, a confirmation link would be close to expiring anyway. */
const MAX_ATTEMPTS = 60;

export interface WorkerOptions {
  database: DatabaseHandle;
  logger: Logger;
  config: Config;
  dataKey: Buffer;
  /** The job kinds and periodic tasks of every feature. */
  jobs: readonly AnyJobKind[];
  tasks: readonly PeriodicTask[];
  mailer?: Mailer;
  pollMs?: number;
}

export function startWorker(options: WorkerOptions): Worker {
  const { database, logger, config } = options;
  const { db } = database;
  const mailer = options.mailer ?? createMailer(config);
  const ctx: JobContext = { database, db, config, mailer, dataKey: options.dataKey, logger };
  const kinds = new Map(options.jobs.map((kind) => [kind.kind, kind]));
  let stopped = false;
  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  const timers = options.tasks.map((task) => {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      track(
        task
          .run(ctx)
          .catch((err: unknown) => logger.error({ job: task.name, err }, 'periodic task failed'))
          .finally(() => (busy = false)),
      );
    };
    tick();
    return setInterval(tick, task.everyMs).unref();
  });

  let draining = false;
  let again = false;
  // When this process is also serving a crowd (embedded mode), signing comes first: while the event loop is busy,
  // mail goes out in small batches per poll and the queue drains once the spike passes. Nothing is lost meanwhile.
  let utilisation = performance.eventLoopUtilization();
  let lastBusyDrain = 0;
  const batchSize = () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, utilisation).utilization > BUSY_UTILISATION;
    utilisation = now;
    if (!busy) return BATCH;
    // Busy: one small batch per poll interval, however often signing wakes us.
    if (Date.now() - lastBusyDrain < (options.pollMs ?? POLL_MS)) return 0;
    lastBusyDrain = Date.now();
    return BUSY_BATCH;
  };
  const drain = async () => {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      do {
        again = false;
        const limit = batchSize();
        if (limit === 0) break;
        const jobs = await claimDueJobs(database, { limit, lockMs: LOCK_MS });
        for (const [i, job] of jobs.entries()) {
          // Stopping: finish the job in hand and give the rest back, rather than leave them locked for a minute.
          if (stopped) {
            const unrun = jobs.slice(i).map((j) => j.id);
            await releaseJobs(db, unrun);
            break;
          }
          await runJob(job);
        }
        if (jobs.length === BATCH) again = true;
      } while (again && !stopped);
    } catch (err) {
      logger.error({ job: 'claim', err }, 'job queue failed');
    } finally {
      draining = false;
    }
  };

  const runJob = async (job: JobRow) => {
    const kind = kinds.get(job.kind);
    try {
      if (!kind) throw Object.assign(new Error('unknown job kind'), { code: 'UNKNOWN_JOB' });
      await kind.run(ctx, readJobPayload(options.dataKey, job), job);
      await completeJob(db, job.id);
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? (err as Error).name ?? 'error');
      if (job.attempts >= MAX_ATTEMPTS) {
        logger.error({ job: job.kind, count: job.attempts, err }, 'job given up');
        await completeJob(db, job.id);
      } else {
        logger.warn({ job: job.kind, count: job.attempts, err }, 'job failed, will retry');
        await rescheduleJob(db, job, code);
      }
    }
  };

  const poller = setInterval(() => track(drain()), options.pollMs ?? POLL_MS).unref();
  return {
    wake() {
      if (!stopped) track(drain());
    },
    async stop() {
      stopped = true;
      clearInterval(poller);
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running);
      mailer.close();
    },
  };
}
