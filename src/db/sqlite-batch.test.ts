import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createFreshDatabase, type FreshDatabase } from '../../test/helpers/app.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';
import { commitThenFlush, WriteAheadLog } from './sqlite-batch.ts';

describe('[sqlite] commitThenFlush', () => {
  let fresh: FreshDatabase;
  let database: DatabaseHandle;

  beforeEach(async () => {
    fresh = await createFreshDatabase('sqlite');
    database = openDatabase({ url: fresh.url });
    database.sqlite!.connection.exec('create table notes (id integer primary key, body text not null)');
  });

  afterEach(async () => {
    await database.close();
    await fresh.drop();
  });

  const transaction = <T>(work: () => Promise<T>) => commitThenFlush(database.db, database.sqlite!, work);
  const insert = (body: string) => database.sqlite!.connection.prepare('insert into notes (body) values (?)').run(body);
  const bodies = async () => (await sql<{ body: string }>`select body from notes order by id`.execute(database.db)).rows.map((r) => r.body);
  const synchronous = () => database.sqlite!.connection.pragma('synchronous', { simple: true });

  it('commits, resolves durable, and leaves the connection at synchronous=FULL', async () => {
    const committed = await transaction(async () => insert('one').changes);
    expect(committed.value).toBe(1);
    await committed.durable;
    expect(await bodies()).toEqual(['one']);
    expect(synchronous()).toBe(2);
  });

  it('rolls back everything when the work throws, and restores FULL', async () => {
    await expect(
      transaction(async () => {
        insert('lost');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await bodies()).toEqual([]);
    expect(synchronous()).toBe(2);
    expect(database.sqlite!.connection.inTransaction).toBe(false);
  });

  it('keeps other transactions off the connection while it awaits', async () => {
    const inside = transaction(async () => {
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
    const commits = await Promise.all(Array.from({ length: 25 }, (_, i) => transaction(async () => insert(`n${i}`))));
    await Promise.all(commits.map((c) => c.durable));
    expect(await bodies()).toHaveLength(25);
  });
});

describe('WriteAheadLog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'outcry-wal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has nothing to flush for an in-memory database or a log that does not exist', async () => {
    await expect(new WriteAheadLog(undefined).flushAfterCommit()).resolves.toBeUndefined();
    await expect(new WriteAheadLog(path.join(dir, 'none-wal')).flushAfterCommit()).resolves.toBeUndefined();
  });

  it('follows the log to a new file when the old one is replaced', async () => {
    const file = path.join(dir, 'db-wal');
    writeFileSync(file, 'first');
    const log = new WriteAheadLog(file);
    await log.flushAfterCommit();
    rmSync(file);
    writeFileSync(file, 'second');
    await expect(log.flushAfterCommit()).resolves.toBeUndefined();
    log.close();
  });
});
