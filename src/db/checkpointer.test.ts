import { existsSync, statSync } from 'node:fs';
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
