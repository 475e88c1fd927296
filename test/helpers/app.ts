/**
 * A fresh, migrated database and app per test file and dialect: SQLite in a temporary folder, PostgreSQL in a
 * schema of its own that is dropped afterwards. Nothing is shared between files, and nothing is seeded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type Database, type DatabaseHandle, type Dialect } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { FEATURES } from '../../src/features/index.ts';
import { startWorker, type Worker } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/log.ts';
import { workOf } from '../../src/main.ts';
import { TEST_POSTGRES_URL } from './environment.ts';
import { createPostgresSchema } from './postgres-schema.ts';

export interface TestContext {
  readonly dialect: Dialect;
  readonly app: FastifyInstance;
  readonly db: Database;
  /** The database handle itself, for what differs per engine (locks, the prepared batch). */
  readonly database: DatabaseHandle;
  readonly config: Config;
  /** Every log line the app wrote, for leak checks. */
  readonly logs: string[];
  readonly dataDir: string;
}

export interface FreshDatabase {
  readonly url: string;
  readonly dataDir: string;
  drop(): Promise<void>;
}

export async function createFreshDatabase(dialect: Dialect): Promise<FreshDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-test-'));
  if (dialect === 'sqlite') {
    return { url: `sqlite:${path.join(dataDir, 'outcry.db')}`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = await createPostgresSchema(TEST_POSTGRES_URL, 't');
  return {
    url: schema.url,
    dataDir,
    drop: async () => {
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testConfig(options: { databaseUrl: string; dataDir: string; env?: Record<string, string> }): Config {
  return loadConfig({
    DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    LOAD_DEMO: 'false',
    PUBLIC_URL: 'http://outcry.test',
    ...options.env,
  });
}

/** Starts a migrated app on a brand-new database, capturing its logs in memory. */
export async function startTestApp(dialect: Dialect, env?: Record<string, string>): Promise<TestContext & { close(): Promise<void> }> {
  const fresh = await createFreshDatabase(dialect);
  const config = testConfig({ databaseUrl: fresh.url, dataDir: fresh.dataDir, ...(env ? { env } : {}) });
  const database: DatabaseHandle = openDatabase({ url: config.databaseUrl, poolSize: 4 });
  await migrateToLatest(database.db);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination });
  const app = await buildApp({ config, database, logger });
  return {
    dialect,
    app,
    db: database.db,
    database,
    config,
    logs,
    dataDir: fresh.dataDir,
    async close() {
      await app.close();
      await database.close();
      await fresh.drop();
    },
  };
}

export function availableDialects(): Dialect[] {
  return inject('hasPostgres') ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * Runs a block of tests once per dialect, each with its own fresh database and app.
 * The PostgreSQL run is skipped (announced by the global setup) only where PostgreSQL is absent and not required.
 */
export function describeEachDialect(name: string, body: (get: () => TestContext) => void, options: { env?: Record<string, string> } = {}): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const enabled = dialect === 'sqlite' || inject('hasPostgres');
    (enabled ? describe : describe.skip)(`${name} [${dialect}]`, () => {
      let context: (TestContext & { close(): Promise<void> }) | undefined;
      beforeAll(async () => {
        context = await startTestApp(dialect, options.env);
      });
      afterAll(async () => {
        await context?.close();
      });
      body(() => {
        if (!context) throw new Error('The test app is not started yet');
        return context;
      });
    });
  }
}

/** The worker of a test app, with every feature's jobs and tasks, polling often so a test waits little. */
export function startTestWorker(app: FastifyInstance, options: { pollMs?: number } = {}): Worker {
  const { deps } = app;
  return startWorker({
    database: deps.database,
    logger: deps.logger,
    config: deps.config,
    dataKey: deps.keys.dataKey,
    pollMs: options.pollMs ?? 50,
    ...workOf(FEATURES),
  });
}
