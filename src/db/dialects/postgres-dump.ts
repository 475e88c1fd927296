/**
 * PostgreSQL copied out with pg_dump (custom format: one consistent snapshot, taken without blocking writers) and put
 * back with pg_restore, both from Debian's postgresql-client, whose major version must be at least the server's.
 * The password in DATABASE_URL reaches them through a 0600 password file, not the command line others can read.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { BackupReport, RestoreReport } from '../database.ts';
import { checkBackupTarget, moveIntoPlace, reserveTempBeside } from '../backup-files.ts';

export async function dumpPostgres(url: string, out: string): Promise<BackupReport> {
  const target = checkBackupTarget(out);
  const temp = reserveTempBeside(target);
  try {
    await withConnectionString(url, (dbname) => runTool('pg_dump', ['--format=custom', `--file=${temp}`, `--dbname=${dbname}`]));
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  moveIntoPlace(temp, target);
  return { bytes: statSync(target).size, kind: 'pg_dump custom-format archive' };
}

export interface RestorePostgresOptions {
  url: string;
  from: string;
  force: boolean;
  migrate(url: string): Promise<string[]>;
}

/** Into an empty database only: replacing tables one by one could leave a mixture of the two if anything failed. */
export async function restorePostgres(options: RestorePostgresOptions): Promise<RestoreReport> {
  if (!statSync(options.from, { throwIfNoEntry: false })?.isFile()) throw new Error('The backup file given with --from does not exist.');
  await runTool('pg_restore', ['--list', options.from]).catch((error: unknown) => {
    throw new Error(`The backup file is damaged or is not a pg_dump archive: ${(error as Error).message}`);
  });
  const database = await describeTarget(options.url);
  if (database.tables > 0) {
    throw new Error(
      `The database ${database.name} already has tables: restore into an empty one. Create it with createdb (or drop and re-create this one), point DATABASE_URL at it, and run restore again.${options.force ? ' --force does not apply to PostgreSQL.' : ''}`,
    );
  }
  await withConnectionString(options.url, (dbname) =>
    runTool('pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${dbname}`, options.from]),
  );
  return { into: database.name, applied: await options.migrate(options.url) };
}

async function describeTarget(url: string): Promise<{ name: string; tables: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; tables: number }>(
      'select current_database() as name, (select count(*)::int from information_schema.tables where table_schema = current_schema()) as tables',
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

/** Runs `work` with DATABASE_URL minus its password, which goes into a password file only this user can read. */
async function withConnectionString<T>(url: string, work: (dbname: string) => Promise<T>): Promise<T> {
  const parsed = new URL(url);
  // The driver reads + in the query as a space (options=-c+search_path%3D…); libpq reads it as a plus.
  parsed.search = parsed.search.replaceAll('+', '%20');
  if (parsed.password === '') return work(parsed.toString());
  const folder = mkdtempSync(path.join(tmpdir(), 'outcry-pgpass-'));
  try {
    const passfile = path.join(folder, 'pgpass');
    const password = decodedPassword(parsed.password).replace(/[\\:]/g, (c) => `\\${c}`);
    writeFileSync(passfile, `*:*:*:*:${password}\n`, { mode: 0o600 });
    parsed.password = '';
    parsed.search = `${parsed.search ? `${parsed.search}&` : '?'}passfile=${encodeURIComponent(passfile)}`;
    return await work(parsed.toString());
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** As the driver reads it: percent-decoded where that is valid, else as written. */
function decodedPassword(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Runs a PostgreSQL client program; a failure carries its own explanation (stderr), or how to install it. */
function runTool(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new Error(`${command} is not installed: apt-get install postgresql-client (its major version at least the server's).`));
      }
      reject(new Error(`${command} failed: ${stderr.trim().split('\n').slice(0, 3).join(' ') || error.message}`));
    });
  });
}
