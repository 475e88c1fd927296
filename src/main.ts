/**
 * Starts Outcry: opens and migrates the database, loads the demo into an empty one, then runs the requested roles.
 * `web` serves HTTP; `worker` runs background housekeeping; `all` (the default) does both in one process.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createLogger, type Logger } from './log.ts';
import type { Feature } from './feature.ts';
import type { AnyJobKind, PeriodicTask } from './jobs/job.ts';
import { FEATURES } from './features/index.ts';
import { loadDemoIfEmpty } from './features/demo/index.ts';
import { startWorker, type Worker } from './jobs/worker.ts';
import { deriveKey } from './crypto/keys.ts';

export type Role = 'web' | 'worker' | 'all';

export interface RunningServer {
  app: FastifyInstance | undefined;
  address: string | undefined;
  stop(): Promise<void>;
}

export async function startOutcry(options: { config: Config; role: Role; logger?: Logger }): Promise<RunningServer> {
  const { config, role } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const startedAt = Date.now();
  const database = openDatabase({ url: config.databaseUrl });
  const applied = await migrateToLatest(database.db);
  for (const migration of applied) logger.info({ migration }, 'migration applied');
  if (config.loadDemo && (await loadDemoIfEmpty(database.db, { dataDir: config.dataDir, features: FEATURES })))
    logger.info({ event: 'demo-loaded' }, 'demo campaign loaded');

  let app: FastifyInstance | undefined;
  let address: string | undefined;
  let worker: Worker | undefined;
  if (role === 'web' || role === 'all') {
    app = await buildApp({ config, database, logger, features: FEATURES, onJobQueued: () => worker?.wake() });
    address = await app.listen({ port: config.port, host: config.host });
    logger.info({ port: config.port, role, dialect: database.dialect, durationMs: Date.now() - startedAt }, 'outcry is serving');
  }
  if (role === 'worker' || role === 'all')
    worker = startWorker({ database, logger, config, dataKey: deriveKey(config.secretKey, 'data-key'), ...workOf(FEATURES) });

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= shutdown({ app, worker, database }));
  return { app, address, stop };
}

/** The job kinds and periodic tasks every feature declares, for the worker. */
export function workOf(features: readonly Feature[]): { jobs: AnyJobKind[]; tasks: PeriodicTask[] } {
  return { jobs: features.flatMap((f) => f.jobs ?? []), tasks: features.flatMap((f) => f.tasks ?? []) };
}

async function shutdown(parts: { app: FastifyInstance | undefined; worker: Worker | undefined; database: DatabaseHandle }): Promise<void> {
  await parts.worker?.stop();
  await parts.app?.close();
  await parts.database.close();
}
