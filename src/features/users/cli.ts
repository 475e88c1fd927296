/** `outcry user …`: organiser accounts are made and managed on the server's command line, never through the web. */
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import type { Role } from '../../db/schema.ts';
import type { CliContext } from '../../feature.ts';
import type { UserSummary } from './queries.ts';
import { addOrResetUser, disableUser, enableUser, listUsers, PARTNER_ROLE_REFUSED, ROLES } from './service.ts';

function parseUserRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  if (value === 'partner') throw new InvalidArgumentError(PARTNER_ROLE_REFUSED);
  throw new InvalidArgumentError(`Role must be one of ${ROLES.join(', ')}.`);
}

function sessionsEnded(count: number): string {
  return count === 1 ? '1 session ended' : `${count} sessions ended`;
}

export function addUserCommands(program: Command, cli: CliContext): void {
  const user = program.command('user').description('organiser accounts');
  user
    .command('add')
    .description(
      'create an organiser account, or reset its password and role (ending its sessions; a disabled account stays disabled); the password is prompted for, or read from stdin',
    )
    .requiredOption('--email <email>', 'the organiser’s email address')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseUserRole)
    .action(async (options: { email: string; role: Role }) => {
      const password = await readPassword();
      const result = await cli.withDatabase((db) => addOrResetUser(db, { email: options.email, password, role: options.role }));
      if (result.created) {
        process.stdout.write(`Created ${options.role} account #${result.id}.\n`);
        return;
      }
      process.stdout.write(`Reset account #${result.id} (now ${options.role}): new password, ${sessionsEnded(result.sessionsEnded)}.\n`);
      if (result.disabled) {
        process.stdout.write(`The account is still disabled: \`outcry user enable --email ${options.email}\` lets it log in again.\n`);
      }
    });
  user
    .command('disable')
    .description('stop an organiser account logging in, and end its sessions on every device')
    .requiredOption('--email <email>', 'the organiser’s email address')
    .action(async (options: { email: string }) => {
      const result = await cli.withDatabase((db) => disableUser(db, { email: options.email }));
      const what = result.wasDisabled ? `Account #${result.id} was already disabled` : `Disabled account #${result.id}`;
      process.stdout.write(`${what}; ${sessionsEnded(result.sessionsEnded)}.\n`);
    });
  user
    .command('enable')
    .description('let a disabled organiser account log in again with its current password')
    .requiredOption('--email <email>', 'the organiser’s email address')
    .action(async (options: { email: string }) => {
      const result = await cli.withDatabase((db) => enableUser(db, { email: options.email }));
      process.stdout.write(result.wasDisabled ? `Enabled account #${result.id}.\n` : `Account #${result.id} was not disabled.\n`);
    });
  user
    .command('list')
    .description('every account (organisers and partner organisations): id, email, role, whether it is disabled, and its last login')
    .action(async () => {
      const users = await cli.withDatabase((db) => listUsers(db));
      process.stdout.write(users.length > 0 ? formatUserTable(users) : 'No accounts yet: `outcry user add --email E --role owner` makes the first.\n');
    });
}

/** A plain table, one account a line, columns padded: readable in a terminal and easy to grep. */
function formatUserTable(users: readonly UserSummary[]): string {
  const rows = [
    ['id', 'email', 'role', 'status', 'last login'],
    ...users.map((u) => [`#${u.id}`, u.email, u.role, u.disabledAt ? `disabled ${u.disabledAt}` : 'active', u.lastLoginAt ?? 'not recorded']),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** A new account's password: asked twice on a terminal, otherwise the first line of stdin. */
export async function readPassword(): Promise<string> {
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
