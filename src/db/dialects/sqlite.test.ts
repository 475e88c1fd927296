/** The SQLite file on disk: whoever else shares the machine cannot read the signatures in it. */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from './sqlite.ts';

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('the SQLite file', () => {
  let dataDir: string;
  let umask: number;

  beforeEach(() => {
    // An existing data folder and the usual umask: what made outcry.db 0644.
    dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-sqlite-'));
    umask = process.umask(0o022);
  });

  afterEach(() => {
    process.umask(umask);
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function openAndWrite(file: string): Promise<void> {
    const database = openSqliteDatabase(`sqlite:${file}`);
    try {
      await sql`create table if not exists t (x integer)`.execute(database.db);
      await sql`insert into t values (1)`.execute(database.db);
      for (const each of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(each).toString(8), each).toBe('600');
    } finally {
      await database.close();
    }
  }

  it('is created 0600 in a data folder that already exists, and so are its -wal and -shm', async () => {
    await openAndWrite(path.join(dataDir, 'outcry.db'));
    expect(modeOf(path.join(dataDir, 'outcry.db')).toString(8)).toBe('600');
  });

  it('is tightened to 0600 when an earlier run left it readable by others, data intact', async () => {
    const file = path.join(dataDir, 'outcry.db');
    const earlier = new SQLite(file);
    earlier.exec('create table t (x integer); insert into t values (42);');
    earlier.close();
    chmodSync(file, 0o644);
    for (const companion of [`${file}-wal`, `${file}-shm`]) writeFileSync(companion, '', { mode: 0o666 });
    await openAndWrite(file);
    const reopened = new SQLite(file, { readonly: true });
    expect(reopened.prepare('select x from t order by x').pluck().all()).toEqual([1, 42]);
    reopened.close();
  });
});

describe('a transaction on the SQLite file', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-sqlite-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  // The checkpoint thread's connection moves the log on between a transaction's first read and its first write; a
  // deferred BEGIN then fails that write at once with "database is locked", whatever the busy timeout.
  it('that reads before it writes is not failed by another connection committing in between', async () => {
    const file = path.join(dataDir, 'outcry.db');
    const database = openSqliteDatabase(`sqlite:${file}`);
    const other = new SQLite(file);
    other.pragma('busy_timeout = 0');
    try {
      await sql`create table t (x integer)`.execute(database.db);
      await database.db.transaction().execute(async (trx) => {
        await sql`select count(*) from t`.execute(trx);
        try {
          other.exec('insert into t values (2)');
        } catch {
          // Refused while the transaction holds the writer's lock: what it should do.
        }
        await sql`insert into t values (1)`.execute(trx);
      });
      expect(other.prepare('select x from t order by x').pluck().all()).toContain(1);
    } finally {
      other.close();
      await database.close();
    }
  });
});
