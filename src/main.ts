/**
 * Starts Outcry: opens and migrates the database, loads the demo into an empty one, then runs the requested roles.
 * `web` serves HTTP; `worker` runs background housekeeping; `all` (the default) does both in one process.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createLogger, type Logger } from './log.ts';
import type { Feature } from './feature.ts';
import type { AnyJobKind, PeriodicTask } from './jobs/job.ts';
import { FEATURES } from './features/index.ts';
import { DEMO_KEY_FILE, isDemoKeyOnServer, loadDemoIfEmpty } from './features/demo/index.ts';
import { demoIntakeKeysOnServer } from './features/intake/index.ts';
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
  assertSafeForProduction(config);
  if (config.secureCookies && isSecretBesideData(config)) {
    logger.warn(
      { event: 'secret-beside-data' },
      'SECRET_KEY is kept in DATA_DIR: a copy of the data folder then holds the key to its dedup keys and queued mail',
    );
  }
  const startedAt = Date.now();
  const database = openDatabase({ url: config.databaseUrl });
  const applied = await migrateToLatest(database.db);
  for (const migration of applied) logger.info({ migration }, 'migration applied');
  if (config.loadDemo && (await loadDemoIfEmpty(database, { dataDir: config.dataDir, features: FEATURES })))
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
  const stop = () => (stopping ??= shutdown({ app, worker, database }, { timeoutMs: config.timeouts.shutdownMs, logger }));
  return { app, address, stop };
}

/**
 * A site on https is a real campaign: it refuses to start in a state that undoes what the README promises its
 * supporters, and says what to do. (Over http, a trial on one's own machine, all of these are the convenient defaults.)
 */
export function assertSafeForProduction(config: Config): void {
  if (!config.secureCookies) return;
  const problems: string[] = [];
  if (config.loadDemo) problems.push('LOAD_DEMO is on: a real campaign starts empty. Set LOAD_DEMO=false.');
  if (isDemoKeyOnServer(config.dataDir)) {
    problems.push(
      `The demo's organisation secret key is in ${config.dataDir}/${DEMO_KEY_FILE}: whoever takes the server could read every signer. ` +
        'Run `outcry keys new` on your own computer, then delete that file.',
    );
  }
  for (const file of demoIntakeKeysOnServer(config.dataDir)) {
    problems.push(
      `The demo's intake private key ${file} is on the server: whoever takes it could read what people sent to the demo readers. ` +
        'Remove the demo readers on Intake → recipients, add your own by their public keys, then delete that file.',
    );
  }
  if (!config.smtpUrl) {
    problems.push('SMTP_URL is not set: every mail (addresses, confirmation links) would be written in clear to DATA_DIR/mail/. Set SMTP_URL.');
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The generated secret sits in the data folder, so a disk image or backup of it carries the key too. */
function isSecretBesideData(config: Config): boolean {
  const source = config.secretKeySource;
  if (source.kind === 'env') return false;
  const relative = path.relative(config.dataDir, source.path);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The job kinds and periodic tasks every feature declares, for the worker. */
export function workOf(features: readonly Feature[]): { jobs: AnyJobKind[]; tasks: PeriodicTask[] } {
  return { jobs: features.flatMap((f) => f.jobs ?? []), tasks: features.flatMap((f) => f.tasks ?? []) };
}

/**
 * Stops in order: the web role takes no new connection, ends live streams (with a hint to reconnect soon, to another
 * process) and finishes the requests in flight, signatures waiting for their group commit among them; meanwhile the
 * worker finishes the job in hand; then the database closes. Rejects, and says so in the log, if that takes longer
 * than the bound: the caller then exits anyway, non-zero.
 */
async function shutdown(
  parts: { app: FastifyInstance | undefined; worker: Worker | undefined; database: DatabaseHandle },
  options: { timeoutMs: number; logger: Logger },
): Promise<void> {
  const { logger, timeoutMs } = options;
  const startedAt = Date.now();
  logger.info({ event: 'stopping' }, 'stopping: no new connections; finishing the requests and the job in hand');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  const orderly = (async () => {
    await Promise.all([parts.app?.close(), parts.worker?.stop()]);
    await parts.database.close();
    return 'stopped' as const;
  })();
  let outcome: 'stopped' | 'timed-out';
  try {
    outcome = await Promise.race([orderly, timedOut]);
  } catch (err) {
    logger.error({ event: 'shutdown-failed', err }, 'stopping failed');
    throw err;
  } finally {
    clearTimeout(timer);
  }
  if (outcome === 'timed-out') {
    const open = await openConnections(parts.app);
    logger.error(
      { event: 'shutdown-timeout', durationMs: Date.now() - startedAt, count: open },
      `still not stopped after ${timeoutMs / 1000} s (SHUTDOWN_TIMEOUT_SECONDS), ${open} connections open: exiting anyway`,
    );
    throw new Error('shutdown timed out');
  }
  logger.info({ event: 'stopped', durationMs: Date.now() - startedAt }, 'stopped');
}

function openConnections(app: FastifyInstance | undefined): Promise<number> {
  return new Promise((resolve) => {
    if (!app) return resolve(0);
    app.server.getConnections((error, count) => resolve(error ? 0 : count));
  });
}
