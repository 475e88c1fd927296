/**
 * The server engine for scaled mode: a PostgreSQL pool shared by any number of processes. Folding and recounting
 * take an advisory lock, workers claim jobs with SKIP LOCKED, and processes tell each other of changes with
 * LISTEN/NOTIFY on a connection of their own.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { BatchStatementsFactory, BatchWriter, Database, DatabaseHandle, ListenOptions, Listening, PagedRead, RestoreReport } from '../database.ts';
import type { DB } from '../schema.ts';
import { runOnThread } from '../threads.ts';
import { dumpPostgres, restorePostgres, type RestorePostgresOptions } from './postgres-dump.ts';
import { NotificationListener } from './postgres-listener.ts';

export function openPostgresDatabase(url: string, poolSize: number): DatabaseHandle {
  const { db, pool } = openPool(url, poolSize);
  return {
    db,
    dialect: 'postgres',
    withLock: (lock, work, options = {}) => {
      const transaction = options.snapshot ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
      return transaction.execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${lock})`.execute(trx);
        return work(trx);
      });
    },
    skipLocked: (query) => query.forUpdate().skipLocked() as typeof query,
    hourOf: (column) => sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24')`,
    bytesOf: (column) => sql<Buffer>`convert_to(${sql.ref(column)}, 'UTF8')`,
    readPages: (read) => readPostgresPages(pool, read),
    runOnThread: (task) => runOnThread(url, task),
    notify: async (channel) => {
      await sql`select pg_notify(${channel}, '')`.execute(db);
    },
    listen: (channel, options) => listen(url, channel, options),
    // COMMIT returns once the commit is durable (synchronous_commit); the wait is on the socket, not the event loop.
    batchWriter: <S>(factory: BatchStatementsFactory<S>): BatchWriter<S> => ({
      transaction: async (work) => ({ value: await db.transaction().execute((trx) => work(factory.queries(trx))), durable: Promise.resolve() }),
    }),
    unflushedWrite: (work) =>
      db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return work(trx);
      }),
    backupTo: (file) => dumpPostgres(url, file),
    close: () => db.destroy(),
  };
}

/** pg_restore of a `backupTo` archive into the empty database at `options.url`, then the migrations. */
export function restorePostgresDatabase(options: RestorePostgresOptions): Promise<RestoreReport> {
  return restorePostgres(options);
}

/** Rows as arrays (pg's rowMode), through the pool's type parsers like every other query. */
async function* readPostgresPages<K>(pool: pg.Pool, read: PagedRead<K>): AsyncGenerator<unknown[][]> {
  let after = read.start;
  for (;;) {
    const query = read.page(after).compile();
    const { rows } = await pool.query<unknown[]>({ text: query.sql, values: [...query.parameters], rowMode: 'array' });
    if (rows.length === 0) return;
    yield rows;
    after = read.keyOf(rows[rows.length - 1]!);
  }
}

async function listen(url: string, channel: string, options: ListenOptions): Promise<Listening> {
  const listener = new NotificationListener({ url, channel, ...options });
  await listener.start();
  return listener;
}

// PostgreSQL gives bigints and timestamps back in types the SQLite side cannot match; normalise them here.
const INT8 = 20;
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const DATE = 1082;

function openPool(url: string, max: number): { db: Database; pool: pg.Pool } {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8) return (value: string) => Number(value);
      if (oid === TIMESTAMPTZ || oid === TIMESTAMP) return (value: string) => new Date(value).toISOString();
      if (oid === DATE) return (value: string) => value;
      return pg.types.getTypeParser(oid, format);
    },
  };
  const pool = new pg.Pool({ connectionString: url, max, types: types as pg.CustomTypesConfig });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool };
}
