/**
 * The background worker: runs queued jobs (mail) and periodic tasks (folding counts, milestones, housekeeping).
 * Embedded mode runs it inside the web process; scaled mode runs it as `outcry start --role worker` on one or more
 * processes, which share the queue through SKIP LOCKED and the counts through an advisory lock.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { deleteExpiredSessions } from '../web/session.ts';
import { foldCountEvents, recordReachedMilestones, recountSignatures } from '../features/petitions/counters.ts';
import { CONFIRMATION_MAIL, CONFIRMATION_MAILS, sendConfirmationMail, sendMilestoneMail, splitConfirmationMails, type MailJobContext } from '../features/petitions/mails.ts';
import { claimDueJobs, completeJob, rescheduleJob, type JobRow } from './queue.ts';
import { createMailer, type Mailer } from './mailer.ts';

export interface Worker {
  /** Look for jobs now rather than at the next poll (called when this process queued one). */
  wake(): void;
  stop(): Promise<void>;
}

interface PeriodicTask {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

type JobHandler = (ctx: MailJobContext, payload: string, job: JobRow) => Promise<void>;

const JOB_HANDLERS: Record<string, JobHandler> = {
  [CONFIRMATION_MAIL]: sendConfirmationMail,
  [CONFIRMATION_MAILS]: splitConfirmationMails,
  'milestone-mail': sendMilestoneMail,
};

const POLL_MS = 500;
const LOCK_MS = 60_000;
const BATCH = 20;
const BUSY_BATCH = 4;
const BUSY_UTILISATION = 0.8;
/** Two days of hourly retries: past that, a confirmation link would be close to expiring anyway. */
const MAX_ATTEMPTS = 60;

export function startWorker(options: { database: DatabaseHandle; logger: Logger; config: Config; dataKey: Buffer; mailer?: Mailer; pollMs?: number }): Worker {
  const { database, logger, config } = options;
  const { db, dialect } = database;
  const mailer = options.mailer ?? createMailer(config);
  const ctx: MailJobContext = { db, config, mailer, dataKey: options.dataKey };
  let stopped = false;
  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  const tasks: PeriodicTask[] = [
    { name: 'fold-counts', everyMs: 2000, run: async () => void (await foldCountEvents(db, dialect)) },
    { name: 'milestones', everyMs: 5000, run: async () => void (await recordReachedMilestones(db, options.dataKey)) },
    { name: 'recount', everyMs: 24 * 60 * 60 * 1000, run: () => recountSignatures(db, dialect) },
    { name: 'delete-expired-sessions', everyMs: 15 * 60 * 1000, run: () => deleteExpiredSessions(db) },
  ];
  const timers = tasks.map((task) => {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      track(task.run().catch((err: unknown) => logger.error({ job: task.name, err }, 'periodic task failed')).finally(() => (busy = false)));
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
        const jobs = await claimDueJobs(db, dialect, { limit, lockMs: LOCK_MS });
        for (const job of jobs) await runJob(job);
        if (jobs.length === BATCH) again = true;
      } while (again && !stopped);
    } catch (err) {
      logger.error({ job: 'claim', err }, 'job queue failed');
    } finally {
      draining = false;
    }
  };

  const runJob = async (job: JobRow) => {
    const handler = JOB_HANDLERS[job.kind];
    try {
      if (!handler) throw Object.assign(new Error('unknown job kind'), { code: 'UNKNOWN_JOB' });
      await handler(ctx, job.payload, job);
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
