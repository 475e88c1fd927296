/** `outcry user add`: organiser accounts are made on the server's command line, never through the web. */
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import type { Role } from '../../db/schema.ts';
import type { CliContext } from '../../feature.ts';
import { addOrResetUser, ROLES } from './service.ts';

function parseUserRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new InvalidArgumentError(`Role must be one of ${ROLES.join(', ')}.`);
}

export function addUserCommands(program: Command, cli: CliContext): void {
  const user = program.command('user').description('organiser accounts');
  user
    .command('add')
    .description('create an organiser account (or reset its password and role); the password is prompted for, or read from stdin')
    .requiredOption('--email <email>', 'the organiser’s email address')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseUserRole)
    .action(async (options: { email: string; role: Role }) => {
      const password = await readPassword();
      const result = await cli.withDatabase((db) => addOrResetUser(db, { email: options.email, password, role: options.role }));
      process.stdout.write(result.created ? `Created ${options.role} account #${result.id}.\n` : `Reset account #${result.id} (now ${options.role}).\n`);
    });
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
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
