import { existsSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { createFreshDatabase, type FreshDatabase } from '../../test/helpers/app.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { commitThenFlush } from './sqlite-batch.ts';

describe('[sqlite] BackgroundCheckpointer', () => {
  let fresh: FreshDatabase;
  let database: DatabaseHandle;
  let file: string;

  beforeEach(async () => {
    fresh = await createFreshDatabase('sqlite');
    file = fresh.url.slice('sqlite:'.length);
    database = openDatabase({ url: fresh.url });
    database.sqlite!.connection.exec('create table notes (id integer primary key, body text not null)');
  });

  afterEach(async () => {
    await database.close();
    await fresh.drop();
  });

  const autocheckpoint = () => database.sqlite!.connection.pragma('wal_autocheckpoint', { simple: true });
  const insertBatch = (rows: number) =>
    commitThenFlush(database.db, database.sqlite!, async () => {
      const insert = database.sqlite!.connection.prepare('insert into notes (body) values (?)');
      for (let i = 0; i < rows; i += 1) insert.run('x'.repeat(1000));
    });

  it('is not started by a database that never commits a batch', () => {
    expect(autocheckpoint()).toBe(1000);
  });

  it('copies the log into the database file on its own thread, the event loop no longer checkpointing by itself', async () => {
    const before = statSync(file).size;
    for (let batch = 0; batch < 10; batch += 1) await (await insertBatch(200)).durable;
    // The event loop's own threshold is now far above the ~600 pages written, so only the thread can have copied them.
    expect(autocheckpoint()).toBe(20_000);
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 1_500_000), { timeout: 10_000, interval: 25 });
    const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(database.db);
    expect(rows[0]!.n).toBe(2000);
  });

  const logSize = () => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  const count = async () => (await sql<{ n: number }>`select count(*) as n from notes`.execute(database.db)).rows[0]!.n;

  it('truncates the log once commits pause, and later commits are flushed and kept as before', async () => {
    for (let batch = 0; batch < 5; batch += 1) await (await insertBatch(100)).durable;
    await vi.waitFor(() => expect(logSize()).toBe(0), { timeout: 10_000, interval: 25 });
    // The log is the same file, emptied: the flush that keeps it open goes on working.
    await (await insertBatch(10)).durable;
    expect(logSize()).toBeGreaterThan(0);
    await vi.waitFor(() => expect(logSize()).toBe(0), { timeout: 10_000, interval: 25 });
    await database.close();
    database = openDatabase({ url: fresh.url });
    expect(await count()).toBe(510);
  });

  it('notices commits that are not a batch, and the first commit of a locked transaction starts it', async () => {
    await database.withLock(1, (trx) => sql`insert into notes (body) values ('locked')`.execute(trx));
    expect(autocheckpoint()).toBe(20_000);
    await vi.waitFor(() => expect(logSize()).toBe(0), { timeout: 10_000, interval: 25 });
    await sql`insert into notes (body) values ('plain')`.execute(database.db);
    expect(logSize()).toBeGreaterThan(0);
    await vi.waitFor(() => expect(logSize()).toBe(0), { timeout: 10_000, interval: 25 });
    expect(await count()).toBe(2);
  });

  it('leaves the log alone while a reader holds an older snapshot, commits going on meanwhile', async () => {
    await (await insertBatch(10)).durable;
    await vi.waitFor(() => expect(logSize()).toBe(0), { timeout: 10_000, interval: 25 });
    await (await insertBatch(10)).durable;
    const reader = new SQLite(file, { fileMustExist: true });
    try {
      reader.exec('begin');
      expect(reader.prepare('select count(*) from notes').pluck().get()).toBe(20);
      for (let batch = 0; batch < 3; batch += 1) await (await insertBatch(10)).durable;
      // A few of the thread's rounds: it must neither truncate what the reader may still read nor block the commits.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(logSize()).toBeGreaterThan(0);
      expect(reader.prepare('select count(*) from notes').pluck().get()).toBe(20);
      reader.exec('commit');
    } finally {
      reader.close();
    }
    await vi.waitFor(() => expect(logSize()).toBe(0), { timeout: 10_000, interval: 25 });
    expect(await count()).toBe(50);
  });

  it('stops with the database, which then leaves no log behind', async () => {
    await (await insertBatch(10)).durable;
    await database.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    database = openDatabase({ url: fresh.url });
    const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(database.db);
    expect(rows[0]!.n).toBe(10);
  });

  it('hands checkpoints back to the event loop should its thread ever stop', async () => {
    await (await insertBatch(10)).durable;
    const checkpointer = database.sqlite!.checkpointer as unknown as { worker: { terminate(): Promise<number> } };
    await checkpointer.worker.terminate();
    await vi.waitFor(() => expect(autocheckpoint()).toBe(1000));
    // Later batches do not start another thread behind the event loop's back.
    await (await insertBatch(10)).durable;
    expect(autocheckpoint()).toBe(1000);
  });
});
