/** `outcry backup --out FILE` and `outcry restore --from FILE [--force]`; the copying itself is the engine's (db/). */
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { restoreDatabase } from '../../db/database.ts';
import type { CliContext } from '../../feature.ts';

export function addBackupCommands(program: Command, cli: CliContext): void {
  program
    .command('backup')
    .description('write a consistent copy of the database to FILE (mode 0600) while the site runs; the secret key is not in it')
    .requiredOption('--out <file>', 'where to write the copy (SQLite: a database file; PostgreSQL: a pg_dump archive)')
    .action(async (options: { out: string }) => {
      const config = cli.config();
      const started = performance.now();
      const report = await cli.withDatabase((_db, database) => database.backupTo(options.out), { migrate: false, mustExist: true });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(`Backed up the database to ${path.resolve(options.out)} (${report.kind}, ${formatMegabytes(report.bytes)}) in ${seconds} s.\n`);
      process.stdout.write(
        `The secret key is not in it. Back it up separately (${describeSecret(config)}) and keep the two apart: together they let whoever holds them test guessed addresses against open petitions and read queued mails.\n`,
      );
      if (isBesideSecret(config, options.out)) {
        process.stderr.write(
          'WARNING: this backup is in the folder that holds the secret key: move one of them, so that no copy of the folder carries both.\n',
        );
      }
    });

  program
    .command('restore')
    .description('put a copy made by outcry backup in place of this data folder’s database (checked, then migrated); stop the site first')
    .requiredOption('--from <file>', 'the file outcry backup wrote')
    .option('--force', 'replace a database that is already there (SQLite)')
    .action(async (options: { from: string; force?: boolean }) => {
      const config = cli.config();
      const report = await restoreDatabase({ url: config.databaseUrl, from: options.from, force: options.force ?? false });
      const migrated = report.applied.length ? `migrated to this version: ${report.applied.join(', ')}` : 'its schema is this version’s';
      process.stdout.write(`Restored ${path.resolve(options.from)} into ${report.into} (integrity checked; ${migrated}).\n`);
      process.stderr.write(secretKeyReminder(config));
    });
}

/**
 * The restored database is only whole with the site's own secret: queued mails, dedup keys, authenticator secrets,
 * withdraw links and intake codenames all depend on keys derived from it.
 */
function secretKeyReminder(config: Config): string {
  const consequences =
    'With another key, queued confirmation mails cannot be read and are lost, organisers’ authenticator apps and recovery codes stop working (outcry two-factor reset), mailed withdraw links and intake codenames stop working, and people who signed can sign again.';
  if (config.secretKeyCreated) {
    return `WARNING: there was no secret key here, so a new one was just made (${describeSecret(config)}): it is not the site’s. Before outcry start, put the site’s secret key back in its place (or point SECRET_KEY_FILE at it, or set SECRET_KEY). ${consequences}\n`;
  }
  return `Check the secret key: it must be the one the backed-up site used (this site reads it from ${describeSecret(config)}). ${consequences}\n`;
}

function isBesideSecret(config: Config, out: string): boolean {
  return config.secretKeySource.kind === 'file' && path.dirname(path.resolve(out)) === path.dirname(config.secretKeySource.path);
}

function describeSecret(config: Config): string {
  return config.secretKeySource.kind === 'env' ? 'SECRET_KEY, from the environment' : config.secretKeySource.path;
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
