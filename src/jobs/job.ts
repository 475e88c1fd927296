/**
 * What features give the worker: job kinds, each with its payload type, and periodic tasks. The worker runs them and
 * knows none of them by name. Payloads may hold addresses, so every payload is stored as JSON encrypted with the
 * server's data key, and the row is deleted once its job has run.
 */
import type { Config } from '../config.ts';
import { decryptForServer, encryptForServer } from '../crypto/data-key.ts';
import type { Database, DatabaseHandle } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from './mailer.ts';
import type { JobRow, NewJob } from './queue.ts';

/** What a job or a periodic task may use. */
export interface JobContext {
  readonly database: DatabaseHandle;
  readonly db: Database;
  readonly config: Config;
  readonly mailer: Mailer;
  readonly dataKey: Buffer;
  readonly logger: Logger;
}

export interface JobKind<P> {
  readonly kind: string;
  /** The row to enqueue for `payload` (in the transaction that makes the job necessary). */
  toJob(dataKey: Buffer, payload: P, runAt?: Date): NewJob;
  run(ctx: JobContext, payload: P, job: JobRow): Promise<void>;
}

/** Any job kind, as the worker holds them: it reads the payload back for the kind that wrote it. */
// biome-ignore lint/suspicious/noExplicitAny: a list of kinds with different payload types
export type AnyJobKind = JobKind<any>;

export function defineJob<P>(kind: string, run: (ctx: JobContext, payload: P, job: JobRow) => Promise<void>): JobKind<P> {
  return {
    kind,
    toJob: (dataKey, payload, runAt) => ({ kind, payload: encryptForServer(dataKey, JSON.stringify(payload)), ...(runAt ? { runAt } : {}) }),
    run,
  };
}

export function readJobPayload<P>(dataKey: Buffer, job: JobRow): P {
  return JSON.parse(decryptForServer(dataKey, job.payload)) as P;
}

export interface PeriodicTask {
  readonly name: string;
  readonly everyMs: number;
  run(ctx: JobContext): Promise<void>;
}
