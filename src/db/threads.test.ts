/**
 * readPages, bytesOf and runOnThread on both engines: a long read in keyset pages of arrays, with the connection free
 * between pages; text as its bytes; the same read on a worker thread with a connection of its own, its progress and its
 * failure reported.
 */
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, createFreshDatabase, type FreshDatabase } from '../../test/helpers/app.ts';
import { openDatabase, type DatabaseHandle } from './database.ts';

const TASK_FILE = fileURLToPath(new URL('./threads-test-task.ts', import.meta.url));

for (const dialect of availableDialects()) {
  describe(`[${dialect}] readPages, bytesOf and runOnThread`, () => {
    let fresh: FreshDatabase;
    let database: DatabaseHandle;
    const table = () => database.db.withTables<{ pages_test: { id: number; label: string } }>();

    beforeAll(async () => {
      fresh = await createFreshDatabase(dialect);
      database = openDatabase({ url: fresh.url });
      await sql`create table pages_test (id integer primary key, label text not null)`.execute(database.db);
      await table()
        .insertInto('pages_test')
        .values(Array.from({ length: 10 }, (_, i) => ({ id: i + 1, label: `row ${i + 1}` })))
        .execute();
    });

    afterAll(async () => {
      await database.close();
      await fresh.drop();
    });

    it('reads every row once, in key order, as arrays of the selected columns, a page at a time', async () => {
      const pages: unknown[][][] = [];
      const read = database.readPages({
        start: 2,
        page: (after: number) => table().selectFrom('pages_test').select(['label', 'id']).where('id', '>', after).orderBy('id').limit(3),
        keyOf: (row) => Number(row[1]),
      });
      for await (const page of read) {
        pages.push(page);
        // Between pages the connection is free for anyone else's query.
        expect(Number((await sql<{ n: number }>`select count(*) as n from pages_test`.execute(database.db)).rows[0]!.n)).toBe(10);
      }
      expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
      expect(pages.flat().map((row) => [row[0], Number(row[1])])).toEqual(Array.from({ length: 8 }, (_, i) => [`row ${i + 3}`, i + 3]));
    });

    it('reads a text column as its UTF-8 bytes', async () => {
      await table().updateTable('pages_test').set({ label: 'Грозный – “row”' }).where('id', '=', 10).execute();
      const row = await table().selectFrom('pages_test').select(database.bytesOf('label').as('bytes')).where('id', '=', 10).executeTakeFirstOrThrow();
      expect(Buffer.isBuffer(row.bytes) && row.bytes.equals(Buffer.from('Грозный – “row”', 'utf8'))).toBe(true);
      await table().updateTable('pages_test').set({ label: 'row 10' }).where('id', '=', 10).execute();
    });

    it('runs a task on a thread with its own connection, passing on what it posts, and its failure', async () => {
      const posted: unknown[] = [];
      const labels = await database.runOnThread!<{ after: number }, string[]>({
        file: TASK_FILE,
        name: 'readLabelsOnThread',
        input: { after: 5 },
        onMessage: (message) => posted.push(message),
      });
      expect(labels).toEqual(['row 6', 'row 7', 'row 8', 'row 9', 'row 10']);
      expect(posted).toEqual([4, 1]);
      await expect(database.runOnThread!({ file: TASK_FILE, name: 'readLabelsOnThread', input: { after: 0, fail: true } })).rejects.toThrow(/asked to fail/);
    });
  });
}

describe('[sqlite] in memory', () => {
  it('offers no thread: no other connection could see the database', async () => {
    const database = openDatabase({ url: 'sqlite::memory:' });
    expect(database.runOnThread).toBeUndefined();
    await database.close();
  });
});
