/**
 * What a copy of the storage would show, for leak checks on both dialects: every row of every table as text, and
 * (SQLite) the raw bytes of the files under DATA_DIR, the database's write-ahead log and shared memory included.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { TestContext } from './app.ts';

export interface StorageDump {
  /** Every row of every table, as JSON text; binary columns read both as latin1 and as UTF-8. */
  readonly rows: string;
  /** SQLite: the bytes of every file under DATA_DIR (but `skip`ped folders); PostgreSQL: undefined (it keeps nothing there). */
  readonly files: Buffer | undefined;
  /** Both, as one Buffer to search: the files' bytes, then the rows as UTF-8. */
  readonly all: Buffer;
}

/** Reads everything stored. `skip`: folders under DATA_DIR that hold data in the clear by design (the dev mailbox). */
export async function dumpStorage(context: Pick<TestContext, 'dialect' | 'db' | 'dataDir'>, options: { skip?: readonly string[] } = {}): Promise<StorageDump> {
  const { dialect, db, dataDir } = context;
  const { rows: tables } =
    dialect === 'sqlite'
      ? await sql<{ table_name: string }>`select name as table_name from sqlite_master where type = 'table'`.execute(db)
      : await sql<{
          table_name: string;
        }>`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  // An empty dump would make every absence vacuous.
  if (!tables.some((t) => t.table_name === 'signatures')) throw new Error(`no signatures table among ${JSON.stringify(tables)}: not the app's database`);
  const parts: string[] = [];
  for (const { table_name: table } of tables.sort((a, b) => a.table_name.localeCompare(b.table_name))) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    parts.push(
      JSON.stringify({ [table]: rows }, (_key, value: unknown) => {
        if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
          const bytes = Buffer.from((value as { data: number[] }).data);
          return `${bytes.toString('latin1')}|${bytes.toString('utf8')}`;
        }
        return value;
      }),
    );
  }
  const rows = parts.join('\n');
  let files: Buffer | undefined;
  if (dialect === 'sqlite') {
    const read: string[] = [];
    files = filesUnder(dataDir, new Set(options.skip ?? []), read);
    // The search must read the right files: the database itself is among them.
    if (!read.includes(path.join(dataDir, 'outcry.db'))) throw new Error(`no outcry.db under ${dataDir}: ${JSON.stringify(read)}`);
  }
  return { rows, files, all: Buffer.concat([files ?? Buffer.alloc(0), Buffer.from(rows, 'utf8')]) };
}

function filesUnder(dir: string, skip: ReadonlySet<string>, read: string[], top = dir): Buffer {
  const buffers: Buffer[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) {
      if (!skip.has(path.relative(top, file))) buffers.push(filesUnder(file, skip, read, top));
    } else {
      read.push(file);
      buffers.push(readFileSync(file));
    }
  }
  return Buffer.concat(buffers);
}
