/**
 * The background worker. For now it runs periodic housekeeping; queued jobs (confirmation mail) join it with petitions.
 * Each task runs on its own interval and never overlaps itself.
 */
import type { DatabaseHandle } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { deleteExpiredSessions } from '../web/session.ts';

export interface Worker {
  stop(): Promise<void>;
}

interface PeriodicTask {
  name: string;
  everyMs: number;
  run(database: DatabaseHandle): Promise<void>;
}

const TASKS: PeriodicTask[] = [
  { name: 'delete-expired-sessions', everyMs: 15 * 60 * 1000, run: ({ db }) => deleteExpiredSessions(db) },
];

export function startWorker(options: { database: DatabaseHandle; logger: Logger; tasks?: PeriodicTask[] }): Worker {
  const { database, logger } = options;
  const running = new Set<Promise<void>>();
  const timers = (options.tasks ?? TASKS).map((task) => {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const run = task
        .run(database)
        .catch((err: unknown) => logger.error({ job: task.name, err }, 'periodic task failed'))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    tick();
    return setInterval(tick, task.everyMs).unref();
  });
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running);
    },
  };
}
