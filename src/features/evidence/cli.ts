/**
 * `outcry evidence …`: verify every chain on the server; export a campaign's public ledger; on an organiser's own
 * machine, make a signing key pair, sign an export and check one (these three need no database and no settings);
 * then trust a public key and publish a signed export on the server.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../../feature.ts';
import { ProgressBar } from '../../progress-bar.ts';
import { reverifyTimestamps, type TokenProblem } from './captures.ts';
import { checkLedgerExport } from './export.ts';
import { describeBreak, verifyLedger, type LedgerReport } from './ledger.ts';
import { exportCampaignLedger, publishLedgerExport, trustSigningKey } from './publish.ts';
import { createSigningKeyFiles, isSignatureValid, readPublicSigningKey, readSecretSigningKey, signBytes, signingKeyIdOf } from './signing.ts';

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new Error(`Cannot read ${file}.`);
  }
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function describeIntactLedger(report: LedgerReport): string {
  const counts = `${plural(report.revisions, 'revision')} in ${plural(report.campaigns, 'campaign')}: chain intact`;
  if (report.heads.length === 0) return `${counts} (no revisions yet)\n`;
  const heads = report.heads.map((head) => `${head.campaign} #${head.seq} ${head.hash}`);
  return heads.length === 1 ? `${counts}, head ${heads[0]}\n` : `${counts}, heads:\n${heads.map((line) => `  ${line}\n`).join('')}`;
}

/** What re-checking the stored timestamp tokens found; each that fails is named with its reason. */
export function describeTokenCheck(result: { checked: number; problems: TokenProblem[] }, trustFile: string | null): string {
  if (result.checked === 0) return 'No timestamp tokens stored.\n';
  if (trustFile === null) return `${plural(result.checked, 'timestamp token')} not checked: EVIDENCE_TSA_TRUST_FILE is not set.\n`;
  if (result.problems.length === 0) return `${plural(result.checked, 'timestamp token')}: each verifies against ${trustFile}.\n`;
  const lines = result.problems.map((p) => `  timestamp ${p.id} (${p.subject}, ${p.tsaUrl}): ${p.reason}\n`);
  return `${plural(result.problems.length, 'timestamp token')} of ${result.checked} do not verify against ${trustFile}:\n${lines.join('')}`;
}

export function addEvidenceCommands(program: Command, cli: CliContext): void {
  const evidence = program.command('evidence').description('the evidence ledger: verify its hash chains; export, sign, check and publish it');

  evidence
    .command('verify')
    .description('recompute every campaign’s hash chain and name the first broken link (exit 1 if there is one)')
    .action(async () => {
      const progress = new ProgressBar(process.stderr, 'Verifying the ledger');
      // Read-only: verifying never changes the schema of the database it reads.
      const report = await cli.withDatabase((_db, database) => verifyLedger(database, { onProgress: (done, total) => progress.update(done, total) }), {
        migrate: false,
      });
      if (report.broken) {
        progress.clear();
        process.stderr.write(`The ledger is broken at ${describeBreak(report.broken)}.\n`);
        process.exitCode = 1;
        return;
      }
      progress.finish([]);
      process.stdout.write(describeIntactLedger(report));
      // After the chain, apart from its hash loop: a token's check costs a signature and a chain walk each.
      const settings = cli.config().evidence;
      const tokens = await cli.withDatabase((db) => reverifyTimestamps(db, settings), { migrate: false });
      const failed = tokens.problems.length > 0 && settings.tsaTrustFile !== null;
      (failed ? process.stderr : process.stdout).write(describeTokenCheck(tokens, settings.tsaTrustFile));
      if (failed) process.exitCode = 1;
    });

  evidence
    .command('export')
    .description('write a campaign’s public ledger as canonical JSON, to sign on your own machine')
    .requiredOption('--campaign <slug>', 'the campaign’s address, e.g. eyes-on-chechnya')
    .option('--out <file>', 'write the export to this file instead of standard output')
    .action(async (options: { campaign: string; out?: string }) => {
      const exported = await cli.withDatabase((db) => exportCampaignLedger(db, { slug: options.campaign, now: new Date() }), { migrate: false });
      const summary = `${plural(exported.revisions, 'revision')} of ${options.campaign}, head #${exported.head.seq} ${exported.head.hash}`;
      if (options.out === undefined) {
        process.stdout.write(exported.bytes);
        process.stderr.write(`Exported ${summary}.\n`);
        return;
      }
      writeFileSync(options.out, exported.bytes, { mode: 0o644 });
      process.stdout.write(`Exported ${summary} to ${path.resolve(options.out)}.\n`);
    });

  evidence
    .command('keys')
    .description('the key pair that signs ledger exports: made and kept on your own machine')
    .command('new')
    .description('make an Ed25519 key pair: FILE (the secret key, mode 0600) and FILE.pub (the public key); needs no database')
    .requiredOption('--out <file>', 'where to write the secret key (the public key goes beside it, as FILE.pub)')
    .action((options: { out: string }) => {
      const key = createSigningKeyFiles(options.out);
      process.stdout.write(
        `Secret key: ${key.secretFile} (keep it on this machine, never on the server)\nPublic key: ${key.publicFile}\nKey id: ${key.keyId}\n` +
          `On the server: outcry evidence trust-key --public ${path.basename(key.publicFile)}\n`,
      );
    });

  evidence
    .command('sign')
    .description('sign an export with your secret key: writes EXPORT.sig (64 bytes, Ed25519); needs no database')
    .requiredOption('--key <file>', 'the secret key made by `outcry evidence keys new`')
    .argument('<export>', 'the export file')
    .action((file: string, options: { key: string }) => {
      const secretKey = readSecretSigningKey(options.key);
      const signature = signBytes(readBytes(file), secretKey);
      writeFileSync(`${file}.sig`, signature);
      process.stdout.write(`Signed ${file}: ${file}.sig (key id ${signingKeyIdOf(createPublicKey(secretKey))})\n`);
    });

  evidence
    .command('check')
    .description('check an export with the public key alone: its signature, then every hash and link up to its head (exit 1 on the first problem)')
    .argument('<export>', 'the export file')
    .requiredOption('--public-key <file>', 'the organisation’s public key (PEM)')
    .option('--signature <file>', 'the signature file (default: EXPORT.sig)')
    .action((file: string, options: { publicKey: string; signature?: string }) => {
      const bytes = readBytes(file);
      const signatureFile = options.signature ?? `${file}.sig`;
      const publicKey = readPublicSigningKey(options.publicKey);
      if (!isSignatureValid(bytes, readBytes(signatureFile), publicKey)) {
        process.stderr.write(`${file}: the signature in ${signatureFile} does not verify with the public key ${options.publicKey}.\n`);
        process.exitCode = 1;
        return;
      }
      const check = checkLedgerExport(bytes);
      if (!check.ok) {
        process.stderr.write(`${file}: ${check.problem}.\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `${file}: signature verifies (key id ${signingKeyIdOf(publicKey)}); ${plural(check.revisions, 'revision')} of ${check.campaign}, ` +
          `chain intact, head #${check.head.seq} ${check.head.hash}\n`,
      );
    });

  evidence
    .command('trust-key')
    .description('trust a public key (PEM) to sign this server’s ledger exports; the server never holds a secret key')
    .requiredOption('--public <file>', 'the public key file (FILE.pub from `outcry evidence keys new`)')
    .action(async (options: { public: string }) => {
      const pem = readBytes(options.public).toString('utf8');
      const trusted = await cli.withDatabase((db) => trustSigningKey(db, { userId: null, publicKeyPem: pem, now: new Date() }));
      process.stdout.write(trusted.added ? `Trusted key ${trusted.keyId}.\n` : `Key ${trusted.keyId} was already trusted.\n`);
    });

  evidence
    .command('publish')
    .description('publish a signed export at /c/SLUG/evidence/ledger.json, if a trusted key verifies it and its head is in this server’s chain')
    .requiredOption('--campaign <slug>', 'the campaign’s address')
    .argument('<export>', 'the export file')
    .option('--signature <file>', 'the signature file (default: EXPORT.sig)')
    .action(async (file: string, options: { campaign: string; signature?: string }) => {
      const bytes = readBytes(file);
      const signature = readBytes(options.signature ?? `${file}.sig`);
      const published = await cli.withDatabase((db) => publishLedgerExport(db, { userId: null, slug: options.campaign, bytes, signature, now: new Date() }));
      process.stdout.write(
        `Published ${plural(published.revisions, 'revision')} of ${options.campaign} (head #${published.head.seq} ${published.head.hash}, key ${published.keyId}) ` +
          `at /c/${options.campaign}/evidence/ledger.json\n`,
      );
    });
}
