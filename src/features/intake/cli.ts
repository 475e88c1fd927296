/**
 * `outcry intake decrypt`: a reviewer opens downloaded submissions on their own machine with their private key, each
 * into a folder only they can read. It needs no database and prints no content: a terminal's scrollback, a shell
 * history or a CI log is not where testimony belongs. `outcry intake partner-account`: a partner organisation's own
 * account, on the server.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import type { PrivateKey } from 'openpgp';
import type { CliContext } from '../../feature.ts';
import { decryptWithKey, EnvelopeUnreadable, isPassphraseProtected, readEnvelope, unlockPrivateKey, type OpenedEnvelope } from '../../crypto/open-envelope.ts';
import { readPassword } from '../users/index.ts';
import { addOrResetPartnerAccount, getPartnerRecipient } from './partner-accounts.ts';

interface DecryptOptions {
  key: string;
  passphraseFile?: string;
  out: string;
}

/** Longest file or folder name written, in UTF-8 bytes: well under every file system's 255, with room for " (99)". */
const MAX_NAME_BYTES = 120;
const utf8 = new TextEncoder();

export function addIntakeCommands(program: Command, cli: CliContext): void {
  const intake = program.command('intake').description('secure intake: submissions encrypted to reviewers’ OpenPGP keys');
  intake
    .command('decrypt')
    .description(
      'decrypt downloaded submissions into one folder each (message.txt, contact.txt, the files), readable by you only; prints a summary, never the content',
    )
    .requiredOption('--key <file>', 'your armored OpenPGP private key, as `gpg --export-secret-keys --armor` writes it')
    .option('--passphrase-file <file>', 'a file whose first line is the key’s passphrase (otherwise it is asked for, if the key has one)')
    .option('--out <dir>', 'where the folders are made', '.')
    .argument('<input...>', 'submissions downloaded from the inbox (.pgp files)')
    .action(async (inputs: string[], options: DecryptOptions) => {
      const key = await openReviewerKey(options);
      if (!key) {
        process.exitCode = 1;
        return;
      }
      let failures = 0;
      for (const input of inputs) if (!(await decryptInput(input, key, options.out))) failures += 1;
      if (failures > 0) process.exitCode = 1;
    });
  intake
    .command('partner-account')
    .description(
      'create a partner organisation’s account, or reset its password (ending its sessions), linked to partner recipient ID: it reads only the requests for help sent to that organisation; the password is prompted for, or read from stdin',
    )
    .requiredOption('--email <email>', 'the address the organisation’s reader logs in with')
    .requiredOption('--partner <id>', 'the partner recipient’s ID, as the recipients page (/admin/intake/recipients) shows it', parseRecipientId)
    .action(async (options: { email: string; partner: number }) => {
      const result = await cli.withDatabase(async (db) => {
        await getPartnerRecipient(db, options.partner); // refused before the password is asked for
        return addOrResetPartnerAccount(db, { email: options.email, password: await readPassword(), partnerId: options.partner });
      });
      const whose = `${result.partner.name} (partner ${result.partner.id})`;
      if (result.created) {
        process.stdout.write(`Created partner account #${result.id} for ${whose}: it reads only the requests for help sent to them.\n`);
        return;
      }
      const ended = result.sessionsEnded === 1 ? '1 session ended' : `${result.sessionsEnded} sessions ended`;
      process.stdout.write(`Reset partner account #${result.id} for ${whose}: new password, ${ended}.\n`);
      if (result.disabled) {
        process.stdout.write(`The account is still disabled: \`outcry user enable --email ${options.email}\` lets it log in again.\n`);
      }
    });
}

function parseRecipientId(value: string): number {
  if (/^[1-9]\d{0,14}$/.test(value)) return Number(value);
  throw new InvalidArgumentError('The partner ID is a whole number, as the recipients page shows it.');
}

/** Reads and unlocks the key once for every input; a problem with it is reported once, naming the key file. */
async function openReviewerKey(options: DecryptOptions): Promise<PrivateKey | undefined> {
  try {
    const armored = readFileSync(options.key, 'utf8');
    return await unlockPrivateKey(armored, await passphraseFor(armored, options.passphraseFile));
  } catch (error) {
    process.stderr.write(`outcry: ${options.key}: ${describeFailure(error)}\n`);
    return undefined;
  }
}

async function passphraseFor(armored: string, passphraseFile: string | undefined): Promise<string | undefined> {
  if (passphraseFile !== undefined) return firstLine(readFileSync(passphraseFile, 'utf8'));
  if (!(await isPassphraseProtected(armored))) return undefined;
  return process.stdin.isTTY ? promptHidden('Passphrase of the key: ') : firstLine(await readStdin());
}

/** Decrypts, reads and writes one submission; false (after one line on stderr) when it could not. */
async function decryptInput(input: string, key: PrivateKey, outDir: string): Promise<boolean> {
  try {
    const opened = await readEnvelope(await decryptWithKey(readFileSync(input), key));
    const folder = writeEnvelope(opened, outDir, folderNameFor(input));
    process.stdout.write(`${input}: ${summaryOf(opened)} → ${folder}\n`);
    return true;
  } catch (error) {
    process.stderr.write(`outcry: ${input}: ${describeFailure(error)}\n`);
    return false;
  }
}

/** Words for what went wrong; never an underlying message, which could quote content. */
function describeFailure(error: unknown): string {
  if (error instanceof EnvelopeUnreadable) return `cannot be opened: ${error.message}.`;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return `cannot be read or written (${code}).`;
  throw error;
}

function summaryOf(opened: OpenedEnvelope): string {
  const count = opened.files.length;
  return `${opened.kind}, ${count} ${count === 1 ? 'file' : 'files'}`;
}

/** The submission's folder, named after the input file; nothing is left of it if a write fails. */
function writeEnvelope(opened: OpenedEnvelope, outDir: string, name: string): string {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const folder = makeFreshFolder(outDir, name);
  try {
    writeFreshFile(folder, 'message.txt', utf8.encode(opened.message));
    if (opened.contact !== '') writeFreshFile(folder, 'contact.txt', utf8.encode(opened.contact));
    for (const file of opened.files) writeFreshFile(folder, safeFileName(file.name), file.bytes);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return folder;
}

function folderNameFor(input: string): string {
  return safeFileName(path.basename(input, path.extname(input)), 'submission');
}

function makeFreshFolder(parent: string, name: string): string {
  return firstFreeName(name, (candidate) => {
    const folder = path.join(parent, candidate);
    mkdirSync(folder, { mode: 0o700 });
    chmodSync(folder, 0o700); // whatever the umask
    return folder;
  });
}

function writeFreshFile(folder: string, name: string, bytes: Uint8Array): void {
  firstFreeName(name, (candidate) => {
    const file = path.join(folder, candidate);
    writeFileSync(file, bytes, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  });
}

/** Tries `name`, then "name (2)", "name (3)"…: `create` fails with EEXIST when a name is taken, so nothing is overwritten. */
function firstFreeName<T>(name: string, create: (candidate: string) => T): T {
  for (let n = 1; n <= 999; n += 1) {
    try {
      return create(n === 1 ? name : numbered(name, n));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw Object.assign(new Error(`Too many files named ${name}`), { code: 'EEXIST' });
}

function numbered(name: string, n: number): string {
  const { stem, extension } = splitExtension(name);
  return `${stem} (${n})${extension}`;
}

/**
 * A name a submitter chose, made safe to create on the reviewer's disk: no path separators or characters Windows
 * refuses, no control or bidirectional-override characters (which disguise an extension), no leading dot (a hidden
 * file, or "..") or dash (read as an option by shell commands), and a bounded length with the extension kept.
 */
export function safeFileName(name: string, fallback = 'file'): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}/\\<>:"|?*]/gu, '_')
    .replace(/^[\s.-]+/u, '')
    .replace(/[\s.]+$/u, '');
  return capLength(cleaned) || fallback;
}

function capLength(name: string): string {
  if (utf8.encode(name).length <= MAX_NAME_BYTES) return name;
  const { stem, extension } = splitExtension(name);
  const room = MAX_NAME_BYTES - utf8.encode(extension).length;
  let kept = '';
  for (const character of stem) {
    if (utf8.encode(kept + character).length > room) break;
    kept += character;
  }
  return `${kept.trimEnd()}${extension}`;
}

/** "photo.jpg" → "photo" + ".jpg"; an "extension" longer than 16 characters is part of the name. */
function splitExtension(name: string): { stem: string; extension: string } {
  const match = /^(.+?)(\.[^.\s]{1,16})$/u.exec(name);
  return match ? { stem: match[1]!, extension: match[2]! } : { stem: name, extension: '' };
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal with nothing echoed; on stderr, so that stdout holds only the summaries. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answered = false;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(question);
    };
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      if (!answered) reject(new Error('No passphrase was given.'));
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
