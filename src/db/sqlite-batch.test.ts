import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createFreshDatabase, type FreshDatabase } from '../../test/helpers/app.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { DeferredSyncWriter } from './sqlite-batch.ts';

describe('[sqlite] DeferredSyncWriter', () => {
  let fresh: FreshDatabase;
  let database: DatabaseHandle;
  let writer: DeferredSyncWriter;

  beforeEach(async () => {
    fresh = await createFreshDatabase('sqlite');
    database = openDatabase({ url: fresh.url });
    database.sqlite!.connection.exec('create table notes (id integer primary key, body text not null)');
    writer = new DeferredSyncWriter(database.db, database.sqlite!);
  });

  afterEach(async () => {
    await database.close();
    await fresh.drop();
  });

  const insert = (body: string) => database.sqlite!.connection.prepare('insert into notes (body) values (?)').run(body);
  const bodies = async () => (await sql<{ body: string }>`select body from notes order by id`.execute(database.db)).rows.map((r) => r.body);
  const synchronous = () => database.sqlite!.connection.pragma('synchronous', { simple: true });

  it('commits, resolves durable, and leaves the connection at synchronous=FULL', async () => {
    const committed = await writer.transaction(async () => insert('one').changes);
    expect(committed.value).toBe(1);
    await committed.durable;
    expect(await bodies()).toEqual(['one']);
    expect(synchronous()).toBe(2);
  });

  it('rolls back everything when the work throws, and restores FULL', async () => {
    await expect(
      writer.transaction(async () => {
        insert('lost');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await bodies()).toEqual([]);
    expect(synchronous()).toBe(2);
    expect(database.sqlite!.connection.inTransaction).toBe(false);
  });

  it('keeps other transactions off the connection while it awaits', async () => {
    const inside = writer.transaction(async () => {
      insert('batch');
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'done';
    });
    // Begun while the batch is open: were it let onto the connection, its BEGIN would fail inside the open transaction.
    const other = database.db.transaction().execute((trx) => sql`insert into notes (body) values ('other')`.execute(trx));
    await Promise.all([inside, other]);
    expect(await bodies()).toEqual(['batch', 'other']);
  });

  it('gives every one of many overlapping commits a flush that began after it', async () => {
    const commits = await Promise.all(Array.from({ length: 25 }, (_, i) => writer.transaction(async () => insert(`n${i}`))));
    await Promise.all(commits.map((c) => c.durable));
    expect(await bodies()).toHaveLength(25);
  });
});
