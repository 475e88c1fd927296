/** `outcry export signatures`: a petition's signers as CSV, decrypted on the organiser's machine with their key file. */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../../feature.ts';
import { parseId } from '../../web/form.ts';
import { readKeyFile } from '../keys/index.ts';
import { EXPORT_STATUSES, isComplete, runSignatureExport, type ExportStatus } from './export.ts';

function parsePetitionId(value: string): number {
  const id = parseId(value);
  if (id === undefined) throw new InvalidArgumentError('Must be a whole number from 1.');
  return id;
}

function parseExportStatus(value: string): ExportStatus {
  if ((EXPORT_STATUSES as readonly string[]).includes(value)) return value as ExportStatus;
  throw new InvalidArgumentError(`Status must be one of ${EXPORT_STATUSES.join(', ')}.`);
}

export function addPetitionCommands(_program: Command, cli: CliContext): void {
  cli
    .group('export', 'export data, decrypted on this machine with the organisation’s secret key file')
    .command('signatures')
    .description('write a petition’s signatures as CSV, names and addresses decrypted with the key file; exits 3 if some could not be decrypted')
    .requiredOption('--petition <id>', 'the petition’s number', parsePetitionId)
    .requiredOption('--key <file>', 'the secret key file written by `outcry keys new`')
    .option('--out <file>', 'write the CSV to this file (mode 0600) instead of standard output')
    .option('--status <status>', `which signatures: ${EXPORT_STATUSES.join(', ')}`, parseExportStatus, 'confirmed' as ExportStatus)
    .option('--include-suspect', 'include signatures marked suspect by the anti-abuse checks', false)
    .action(async (options: { petition: number; key: string; out?: string; status: ExportStatus; includeSuspect: boolean }) => {
      const key = readKeyFile(options.key);
      try {
        // Read-only: an export never changes the schema of the database it reads.
        const summary = await cli.withDatabase(
          (db) =>
            runSignatureExport(db, {
              petitionId: options.petition,
              key,
              out: options.out,
              status: options.status,
              includeSuspect: options.includeSuspect,
              stdout: process.stdout,
              stderr: process.stderr,
            }),
          { migrate: false },
        );
        if (!isComplete(summary)) process.exitCode = 3;
      } finally {
        key.secretKey.fill(0);
      }
    });
}
