/**
 * The `outcry` command: start and migrate here, and the subcommands each feature declares (user, keys, export, demo).
 * Configuration comes from the environment (see README); a bad setting stops here with a message that names it.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { CliContext } from './feature.ts';
import { FEATURES } from './features/index.ts';
import { scrubMessage } from './log.ts';
import { startOutcry, type Role } from './main.ts';

/** What no message printed here may contain, whatever scrubbing would miss: the database password, once known. */
const secrets = new Set<string>();

function configOrExit(): Config {
  try {
    const config = loadConfig();
    rememberDatabasePassword(config.databaseUrl);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`outcry: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

function rememberDatabasePassword(databaseUrl: string): void {
  if (!URL.canParse(databaseUrl)) return;
  const { password } = new URL(databaseUrl);
  if (password === '') return;
  secrets.add(password);
  try {
    secrets.add(decodeURIComponent(password));
  } catch {
    // Not valid percent-encoding: the driver cannot decode it either, so only the raw form can show up.
  }
}

/**
 * An error as the operator's terminal (and whatever records it) may see it: scrubbed as a log line is, since a
 * message can carry an email address, a path that names someone or a database URL; and never the password.
 */
function printableMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) message = message.replaceAll(secret, '[password]');
  return scrubMessage(message) || (error instanceof Error ? error.name : 'unknown error');
}

function parseRole(value: string): Role {
  if (value === 'web' || value === 'worker' || value === 'all') return value;
  throw new InvalidArgumentError('Role must be web, worker or all.');
}

/** Runs a command against the database, brought up to date first, and closes it afterwards. */
async function withDatabase<T>(
  run: (db: Database, database: DatabaseHandle) => Promise<T>,
  options: { migrate: boolean; mustExist?: boolean } = { migrate: true },
): Promise<T> {
  const config = configOrExit();
  const database = openDatabase({ url: config.databaseUrl, poolSize: 2, mustExist: options.mustExist ?? false });
  try {
    if (options.migrate) await migrateToLatest(database.db);
    return await run(database.db, database);
  } finally {
    await database.close();
  }
}

const program = new Command()
  .name('outcry')
  .description('Outcry: self-hostable campaigns for human rights. Settings come from environment variables (see README).')
  .showHelpAfterError();

program
  .command('start')
  .description('migrate the database, load the demo into an empty one, and serve')
  .option('--role <role>', 'web, worker or all', parseRole, 'all' as Role)
  .action(async (options: { role: Role }) => {
    const config = configOrExit();
    const server = await startOutcry({ config, role: options.role }).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`outcry: ${error.message}\n`);
      process.exit(2);
    });
    if (server.address) process.stdout.write(`Outcry is serving at ${config.publicUrl} (listening on ${server.address})\n`);
    const stop = (signal: string) => {
      process.stdout.write(`\n${signal}: stopping…\n`);
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const applied = await withDatabase((db) => migrateToLatest(db), { migrate: false });
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  });

const context: CliContext = {
  features: FEATURES,
  config: configOrExit,
  withDatabase,
  group: (name, description) => program.commands.find((command) => command.name() === name) ?? program.command(name).description(description),
};
for (const feature of FEATURES) feature.cli?.(program, context);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`outcry: ${printableMessage(error)}\n`);
  process.exit(1);
}
