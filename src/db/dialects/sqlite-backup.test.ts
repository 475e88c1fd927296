/**
 * The embedded database's backup file and its restore, in one process: what is erased stays out of the copy, the copy
 * is the owner's alone, and restore puts it in place whole or not at all. Under a real signing load, as separate
 * processes: test/backup.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, restoreDatabase, type DatabaseHandle } from '../database.ts';
import { migrateToLatest } from '../migrate.ts';

describe('a backup of the SQLite database', () => {
  let folder: string;
  let umask: number;
  let database: DatabaseHandle;
  const live = () => path.join(folder, 'data', 'outcry.db');

  beforeEach(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'outcry-sqlite-backup-'));
    umask = process.umask(0o022);
    database = openDatabase({ url: `sqlite:${live()}` });
    await migrateToLatest(database.db);
    await sql`create table marks (id integer primary key, mark blob not null)`.execute(database.db);
  });

  afterEach(async () => {
    await database.close();
    process.umask(umask);
    rmSync(folder, { recursive: true, force: true });
  });

  async function addMarks(count: number): Promise<Buffer[]> {
    const marks = Array.from({ length: count }, () => randomBytes(48));
    for (const mark of marks) await sql`insert into marks (mark) values (${mark})`.execute(database.db);
    return marks;
  }

  it('holds the rows that are there and no byte of those deleted, though the live log still has them', async () => {
    const kept = await addMarks(20);
    const erased = await addMarks(20);
    await sql`delete from marks where id > 20`.execute(database.db);
    const walBytes = readFileSync(`${live()}-wal`);
    // Without this the test would prove nothing: the log still holds the erased rows' older page images.
    expect(erased.some((mark) => walBytes.includes(mark))).toBe(true);

    const out = path.join(folder, 'backup.db');
    const report = await database.backupTo(out);
    const copy = readFileSync(out);
    expect(report.bytes).toBe(copy.length);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(kept.filter((mark) => !copy.includes(mark))).toEqual([]);
    expect(erased.filter((mark) => copy.includes(mark))).toEqual([]);
    expect(readdirSync(folder).sort()).toEqual(['backup.db', 'data']);
  });

  it('replaces an earlier backup of the same name whole, and never the live database', async () => {
    const out = path.join(folder, 'backup.db');
    writeFileSync(out, 'an older backup');
    await addMarks(3);
    await database.backupTo(out);
    expect(readFileSync(out).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    await expect(database.backupTo(live())).rejects.toThrow('--out names the live database or its log');
    await expect(database.backupTo(path.join(folder, 'missing', 'backup.db'))).rejects.toThrow('The folder of --out does not exist');
  });

  it('is restored only into a database no one has open, asked to replace it, and then is the same', async () => {
    const marks = await addMarks(5);
    const out = path.join(folder, 'backup.db');
    await database.backupTo(out);
    const url = `sqlite:${live()}`;

    await expect(restoreDatabase({ url, from: out, force: false })).rejects.toThrow('A database already exists in this data folder: pass --force');
    await expect(restoreDatabase({ url, from: out, force: true })).rejects.toThrow('The database is open in another process');
    await sql`delete from marks`.execute(database.db);
    await database.close();

    const report = await restoreDatabase({ url, from: out, force: true });
    expect(report).toEqual({ into: live(), applied: [] });
    expect(readdirSync(path.dirname(live()))).toEqual(['outcry.db']);
    expect(statSync(live()).mode & 0o777).toBe(0o600);
    database = openDatabase({ url });
    const restored = await sql<{ mark: Buffer }>`select mark from marks order by id`.execute(database.db);
    expect(restored.rows.map((row) => Buffer.from(row.mark))).toEqual(marks);
  });

  it('refuses a file that is not an Outcry database, or is a live one, and leaves the data folder as it was', async () => {
    await database.close();
    const into = `sqlite:${path.join(folder, 'fresh', 'outcry.db')}`;
    const plain = path.join(folder, 'plain.db');
    const other = openDatabase({ url: `sqlite:${plain}` });
    await sql`create table t (x integer)`.execute(other.db);
    await expect(restoreDatabase({ url: into, from: plain, force: false })).rejects.toThrow('has a write-ahead log beside it');
    await other.close();
    await expect(restoreDatabase({ url: into, from: plain, force: false })).rejects.toThrow('not an Outcry one');
    await expect(restoreDatabase({ url: into, from: path.join(folder, 'nowhere.db'), force: false })).rejects.toThrow('does not exist');
    expect(readdirSync(path.join(folder, 'fresh'))).toEqual([]);
    database = openDatabase({ url: `sqlite:${live()}` });
  });
});
