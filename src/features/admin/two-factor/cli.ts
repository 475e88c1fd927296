/** `outcry two-factor reset`: for an organiser who lost every second factor and recovery code. Never from the web. */
import type { Command } from 'commander';
import type { CliContext } from '../../../feature.ts';
import { AppError } from '../../../errors.ts';
import { findAccountByEmail } from '../../users/index.ts';
import { resetTwoFactor } from './service.ts';

export function addTwoFactorCommands(program: Command, cli: CliContext): void {
  program
    .command('two-factor')
    .description('organisers’ second factors')
    .command('reset')
    .description(
      'remove every passkey, authenticator app and recovery code of an account, and end its sessions (they log in with the password alone, then add new ones)',
    )
    .requiredOption('--email <email>', 'the organiser’s email address')
    .action(async (options: { email: string }) => {
      const result = await cli.withDatabase(async (db) => {
        const user = await findAccountByEmail(db, options.email);
        if (!user) throw new AppError('not_found', 'No account has that email address.');
        return { id: user.id, ...(await resetTwoFactor(db, user.id)) };
      });
      process.stdout.write(
        `Account #${result.id}: removed ${result.factors} second factor(s) and ${result.codes} recovery code(s); ${result.sessionsEnded} session(s) ended.\n`,
      );
    });
}
