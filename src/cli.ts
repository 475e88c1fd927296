/**
 * The `outcry` command: start, migrate, user add, keys new|list, export signatures, demo. Configuration comes from the
 * environment (see README);
 * a bad setting stops here with a message that names it.
 */
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Role as UserRole } from './db/schema.ts';
import { isAppError } from './errors.ts';
import { loadDemo } from './features/demo/load.ts';
import { readKeyFile } from './features/keys/key-file.ts';
import { createOrganisationKey, describeNewKey, formatKeyList, listOrganisationKeys } from './features/keys/service.ts';
import { EXPORT_STATUSES, isComplete, runSignatureExport, type ExportStatus } from './features/petitions/export.ts';
import { addOrResetUser, ROLES } from './features/users/service.ts';
import { startOutcry, type Role } from './main.ts';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`outcry: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

function parseRole(value: string): Role {
  if (value === 'web' || value === 'worker' || value === 'all') return value;
  throw new InvalidArgumentError('Role must be web, worker or all.');
}

function parseUserRole(value: string): UserRole {
  if ((ROLES as readonly string[]).includes(value)) return value as UserRole;
  throw new InvalidArgumentError(`Role must be one of ${ROLES.join(', ')}.`);
}

function parsePositiveInteger(value: string): number {
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('Must be a whole number from 1.');
  return Number(value);
}

function parseExportStatus(value: string): ExportStatus {
  if ((EXPORT_STATUSES as readonly string[]).includes(value)) return value as ExportStatus;
  throw new InvalidArgumentError(`Status must be one of ${EXPORT_STATUSES.join(', ')}.`);
}

/** Runs a command against the database, brought up to date first, and closes it afterwards. */
async function withDatabase<T>(run: (db: ReturnType<typeof openDatabase>['db']) => Promise<T>, options = { migrate: true }): Promise<T> {
  const config = configOrExit();
  const database = openDatabase({ url: config.databaseUrl, poolSize: 2 });
  try {
    if (options.migrate) await migrateToLatest(database.db);
    return await run(database.db);
  } finally {
    await database.close();
  }
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
  }
  const first = await promptHidden('Password (12 characters or more): ');
  const second = await promptHidden('Repeat the password: ');
  if (first !== second) throw new Error('The two passwords differ.');
  return first;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stdout.write(question);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
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
    const server = await startOutcry({ config, role: options.role });
    if (server.address) process.stdout.write(`Outcry is serving at ${config.publicUrl} (listening on ${server.address})\n`);
    const stop = (signal: string) => {
      process.stdout.write(`\n${signal}: stopping…\n`);
      server.stop().then(() => process.exit(0), () => process.exit(1));
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

const user = program.command('user').description('organiser accounts');
user
  .command('add')
  .description('create an organiser account (or reset its password and role); the password is prompted for, or read from stdin')
  .requiredOption('--email <email>', 'the organiser’s email address')
  .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseUserRole)
  .action(async (options: { email: string; role: UserRole }) => {
    const password = await readPassword();
    const result = await withDatabase((db) => addOrResetUser(db, { email: options.email, password, role: options.role }));
    process.stdout.write(result.created ? `Created ${options.role} account #${result.id}.\n` : `Reset account #${result.id} (now ${options.role}).\n`);
  });

const keys = program.command('keys').description('the organisation’s keys: supporter data is sealed to the public key; the secret key stays with you');
keys
  .command('new')
  .description('create a key pair: write the secret key to FILE (mode 0600, never overwritten) and make the public key the active one')
  .requiredOption('--out <file>', 'where to write the secret key file (then move it off the server)')
  .action(async (options: { out: string }) => {
    const { dataDir } = configOrExit();
    const key = await withDatabase((db) => createOrganisationKey(db, { out: options.out, dataDir }));
    process.stdout.write(describeNewKey(key));
  });
keys
  .command('list')
  .description('list the organisation’s public keys: key id, whether active, when created and last used')
  .action(async () => {
    process.stdout.write(formatKeyList(await withDatabase((db) => listOrganisationKeys(db))));
  });

const exporting = program.command('export').description('export data, decrypted on this machine with the organisation’s secret key file');
exporting
  .command('signatures')
  .description('write a petition’s signatures as CSV, names and addresses decrypted with the key file; exits 3 if some could not be decrypted')
  .requiredOption('--petition <id>', 'the petition’s number', parsePositiveInteger)
  .requiredOption('--key <file>', 'the secret key file written by `outcry keys new`')
  .option('--out <file>', 'write the CSV to this file (mode 0600) instead of standard output')
  .option('--status <status>', `which signatures: ${EXPORT_STATUSES.join(', ')}`, parseExportStatus, 'confirmed' as ExportStatus)
  .option('--include-suspect', 'include signatures marked suspect by the anti-abuse checks', false)
  .action(async (options: { petition: number; key: string; out?: string; status: ExportStatus; includeSuspect: boolean }) => {
    const key = readKeyFile(options.key);
    try {
      // Read-only: an export never changes the schema of the database it reads.
      const summary = await withDatabase(
        (db) => runSignatureExport(db, { petitionId: options.petition, key, out: options.out, status: options.status, includeSuspect: options.includeSuspect, stdout: process.stdout, stderr: process.stderr }),
        { migrate: false },
      );
      if (!isComplete(summary)) process.exitCode = 3;
    } finally {
      key.secretKey.fill(0);
    }
  });

program
  .command('demo')
  .description('load the #EyesOnChechnya demo campaign')
  .action(async () => {
    const result = await withDatabase((db) => loadDemo(db, { dataDir: configOrExit().dataDir }));
    process.stdout.write(result === 'loaded' ? 'The demo campaign is loaded at /c/eyes-on-chechnya.\n' : 'The demo campaign is already there.\n');
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`outcry: ${isAppError(error) || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
