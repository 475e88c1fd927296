/** `outcry keys new|list`: the secret half of a new key goes to a file for the organiser; only the public half is stored. */
import type { Command } from 'commander';
import type { CliContext } from '../../feature.ts';
import { createOrganisationKey, describeNewKey, formatKeyList, listOrganisationKeys } from './service.ts';

export function addKeyCommands(program: Command, cli: CliContext): void {
  const keys = program.command('keys').description('the organisation’s keys: supporter data is sealed to the public key; the secret key stays with you');
  keys
    .command('new')
    .description('create a key pair: write the secret key to FILE (mode 0600, never overwritten) and make the public key the active one')
    .requiredOption('--out <file>', 'where to write the secret key file (then move it off the server)')
    .action(async (options: { out: string }) => {
      const { dataDir } = cli.config();
      const key = await cli.withDatabase((db) => createOrganisationKey(db, { out: options.out, dataDir }));
      process.stdout.write(describeNewKey(key));
    });
  keys
    .command('list')
    .description('list the organisation’s public keys: key id, whether active, when created and last used')
    .action(async () => {
      process.stdout.write(formatKeyList(await cli.withDatabase((db) => listOrganisationKeys(db))));
    });
}
