/**
 * `outcry intake decrypt` as a reviewer runs it: a real process, a passphrase-protected key, one submission for them
 * and one for someone else. What it writes is exact, private (0700 folders, 0600 files) and never overwrites; what it
 * prints is a summary, never the testimony. `outcry intake partner-account` as an operator runs it, on each database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, type FreshDatabase } from '../../../test/helpers/app.ts';
import { runCli, type CliResult } from '../../../test/helpers/cli.ts';
import { makeUser } from '../../../test/helpers/factories.ts';
import { addReader, type TestReader } from '../../../test/helpers/intake.ts';
import { openDatabase, type DatabaseHandle } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { authenticate } from '../users/index.ts';
import { findLinkedPartnerId } from './partner-accounts.ts';
import { encryptBytes, readRecipientKeys } from '../../crypto/openpgp-messages.ts';
import { safeFileName } from './cli.ts';
import { EnvelopeWriter } from '../../crypto/envelope.ts';
import type { OpenedEnvelope } from '../../crypto/open-envelope.ts';

const MARKER = `secret-marker-${randomBytes(6).toString('hex')}`;
const PASSPHRASE = `passphrase ${randomBytes(6).toString('hex')}`;
const photo = Uint8Array.from(Buffer.concat([Uint8Array.from({ length: 256 }, (_, i) => i), randomBytes(5000)]));
// Under the envelope's 120 characters, over the 120 bytes a name is cut to on disk.
const longName = `${'очень длинное имя '.repeat(5)}.pdf`;

const submission: OpenedEnvelope = {
  kind: 'testimony',
  message: `Что случилось: ${MARKER}\r\nВторая строка.`,
  contact: `Telegram @${MARKER}`,
  files: [
    { name: 'фото.jpg', type: 'image/jpeg', bytes: photo },
    { name: '../../.ssh/authorized_keys', type: 'text/plain', bytes: Uint8Array.from(Buffer.from('ssh-ed25519 AAAA')) },
    { name: 'message.txt', type: 'text/plain', bytes: Uint8Array.from(Buffer.from('a file that happens to share the name')) },
    { name: 'invoice\u202Efdp.exe', type: 'application/octet-stream', bytes: Uint8Array.from(randomBytes(10)) },
    { name: longName, type: 'application/pdf', bytes: Uint8Array.from(randomBytes(100)) },
  ],
};

function envelopeOf(opened: OpenedEnvelope): Uint8Array {
  const writer = new EnvelopeWriter(randomBytes(16));
  const chunks = [writer.start('testimony'), writer.text('message', opened.message), writer.text('contact', opened.contact)];
  for (const file of opened.files) chunks.push(writer.fileStart(file.name, file.type), writer.fileBytes(file.bytes), writer.fileEnd());
  chunks.push(writer.finish());
  return Uint8Array.from(Buffer.concat(chunks));
}

function expectNoContent(result: CliResult): void {
  for (const output of [result.stdout, result.stderr]) {
    expect(output).not.toContain(MARKER);
    expect(output).not.toContain(PASSPHRASE);
  }
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('outcry intake decrypt', () => {
  let dir: string;
  let out: string;
  let keyFile: string;
  let passphraseFile: string;
  let good: string;
  let forSomeoneElse: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outcry-intake-cli-'));
    out = path.join(dir, 'decrypted');
    const reviewer = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Reviewer' }], passphrase: PASSPHRASE, format: 'armored' });
    const stranger = await generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Stranger' }], format: 'armored' });
    keyFile = path.join(dir, 'reviewer.asc');
    writeFileSync(keyFile, reviewer.privateKey);
    passphraseFile = path.join(dir, 'passphrase');
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`);
    good = path.join(dir, 'good.pgp');
    writeFileSync(good, await encryptBytes(await readRecipientKeys([reviewer.publicKey]), envelopeOf(submission)));
    forSomeoneElse = path.join(dir, 'other.pgp');
    writeFileSync(forSomeoneElse, await encryptBytes(await readRecipientKeys([stranger.publicKey]), envelopeOf(submission)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the good input exactly, reports the other by name, and exits 1 without printing content', async () => {
    const result = await runCli(['intake', 'decrypt', '--key', keyFile, '--passphrase-file', passphraseFile, '--out', out, good, forSomeoneElse], {});
    expectNoContent(result);
    expect(result.code).toBe(1);
    const folder = path.join(out, 'good');
    expect(result.stdout).toBe(`${good}: testimony, 5 files → ${folder}\n`);
    expect(result.stderr).toBe(`outcry: ${forSomeoneElse}: cannot be opened: it is not encrypted to this key.\n`);
    expect(readdirSync(out)).toEqual(['good']);
    expect(modeOf(out)).toBe(0o700);
    expect(modeOf(folder)).toBe(0o700);

    const cappedName = safeFileName(longName);
    const expected: Record<string, Uint8Array> = {
      'message.txt': Buffer.from(submission.message),
      'contact.txt': Buffer.from(submission.contact),
      'фото.jpg': photo,
      '_.._.ssh_authorized_keys': submission.files[1]!.bytes,
      'message (2).txt': submission.files[2]!.bytes,
      'invoice_fdp.exe': submission.files[3]!.bytes,
      [cappedName]: submission.files[4]!.bytes,
    };
    expect(readdirSync(folder).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, bytes] of Object.entries(expected)) {
      expect(Buffer.from(readFileSync(path.join(folder, name))).equals(Buffer.from(bytes)), name).toBe(true);
      expect(modeOf(path.join(folder, name)), name).toBe(0o600);
    }
    expect(Buffer.byteLength(cappedName)).toBeLessThanOrEqual(120);
    expect(cappedName).toMatch(/^очень длинное имя .*\.pdf$/);
  });

  it('asks for the passphrase when no file gives it, and never overwrites an earlier folder', async () => {
    const result = await runCli(['intake', 'decrypt', '--key', keyFile, '--out', out, good], {}, `${PASSPHRASE}\n`);
    expectNoContent(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${good}: testimony, 5 files → ${path.join(out, 'good (2)')}\n`);
    expect(readdirSync(out).sort()).toEqual(['good', 'good (2)']);
  });

  it('writes nothing for a wrong passphrase or a damaged input, and says which', async () => {
    const wrong = await runCli(['intake', 'decrypt', '--key', keyFile, '--out', out, good], {}, 'not the passphrase\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`outcry: ${keyFile}: cannot be opened: the passphrase does not unlock the key.\n`);
    const cut = path.join(dir, 'cut.pgp');
    writeFileSync(cut, readFileSync(good).subarray(0, 2000));
    const damaged = await runCli(
      ['intake', 'decrypt', '--key', keyFile, '--passphrase-file', passphraseFile, '--out', out, cut, path.join(dir, 'missing.pgp')],
      {},
    );
    expectNoContent(damaged);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toBe('');
    expect(damaged.stderr).toContain(`outcry: ${cut}: cannot be opened: it is damaged or not an OpenPGP encrypted message.\n`);
    expect(damaged.stderr).toContain(`outcry: ${path.join(dir, 'missing.pgp')}: cannot be read or written (ENOENT).\n`);
    expect(readdirSync(out).sort()).toEqual(['good', 'good (2)']);
  });
});

describe('safe file names', () => {
  it('keeps ordinary names and defuses the rest', () => {
    expect(safeFileName('Фото 2024-03-03.jpg')).toBe('Фото 2024-03-03.jpg');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('-rf')).toBe('rf');
    expect(safeFileName('a/b\\c:d*e?.txt')).toBe('a_b_c_d_e_.txt');
    expect(safeFileName('line\nbreak\u0000.txt')).toBe('line_break_.txt');
    expect(safeFileName('trailing. ')).toBe('trailing');
    expect(safeFileName('', 'submission')).toBe('submission');
    const long = safeFileName(`${'я'.repeat(300)}.jpeg`);
    expect(long).toBe(`${'я'.repeat(57)}.jpeg`);
    expect(safeFileName('x'.repeat(300))).toBe('x'.repeat(120));
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || inject('hasPostgres');
  (enabled ? describe : describe.skip)(`outcry intake partner-account [${dialect}]`, () => {
    let fresh: FreshDatabase;
    let database: DatabaseHandle;
    let env: Record<string, string>;
    let route: TestReader;
    let other: TestReader;
    let reviewer: TestReader;
    beforeAll(async () => {
      fresh = await createFreshDatabase(dialect);
      database = openDatabase({ url: fresh.url, poolSize: 2 });
      await migrateToLatest(database.db);
      route = await addReader(database.db, 'partner', 'Safe Route');
      other = await addReader(database.db, 'partner', 'Other Route');
      reviewer = await addReader(database.db, 'reviewer', 'Staff');
      env = { DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.url, LOG_LEVEL: 'warn' };
    });
    afterAll(async () => {
      await database.close();
      await fresh.drop();
    });

    const accountOf = (email: string) => database.db.selectFrom('users').select(['id', 'role']).where('email', '=', email).executeTakeFirst();

    it('creates a partner account linked to its organisation, resets it and moves it, audited', async () => {
      const created = await runCli(
        ['intake', 'partner-account', '--email', 'Reader@Route.example', '--partner', String(route.id)],
        env,
        'a long enough password\n',
      );
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const account = await accountOf('reader@route.example');
      expect(account?.role).toBe('partner');
      expect(created.stdout).toBe(
        `Created partner account #${account!.id} for Safe Route (partner ${route.id}): it reads only the requests for help sent to them.\n`,
      );
      expect(await findLinkedPartnerId(database.db, Number(account!.id))).toBe(route.id);
      expect(await authenticate(database.db, { email: 'reader@route.example', password: 'a long enough password' })).toBeDefined();

      const moved = await runCli(
        ['intake', 'partner-account', '--email', 'reader@route.example', '--partner', String(other.id)],
        env,
        'a different long password\n',
      );
      expect(moved.stdout).toBe(`Reset partner account #${account!.id} for Other Route (partner ${other.id}): new password, 0 sessions ended.\n`);
      expect(await findLinkedPartnerId(database.db, Number(account!.id))).toBe(other.id);
      expect(await authenticate(database.db, { email: 'reader@route.example', password: 'a different long password' })).toBeDefined();
      const audit = await database.db
        .selectFrom('audit_log')
        .select(['action', 'changes'])
        .where('entity_id', '=', String(account!.id))
        .orderBy('id')
        .execute();
      expect(audit.map((a) => [a.action, JSON.parse(a.changes)])).toEqual([
        ['user.create', { role: [null, 'partner'] }],
        ['intake.partner-account.link', { partner: [null, route.id] }],
        ['user.reset', { role: ['partner', 'partner'], sessions: [0, 0] }],
        ['intake.partner-account.link', { partner: [route.id, other.id] }],
      ]);

      const listed = await runCli(['user', 'list'], env);
      expect(listed.stdout).toMatch(/#\d+ +reader@route\.example +partner +active/);
    });

    it('refuses a reviewer or an unknown recipient, a staff address, and `user add --role partner`, creating nothing', async () => {
      const password = 'a long enough password\n';
      const asReviewer = await runCli(['intake', 'partner-account', '--email', 'x@route.example', '--partner', String(reviewer.id)], env, password);
      expect(asReviewer.code).toBe(1);
      expect(asReviewer.stderr).toContain(`Recipient ${reviewer.id} is a reviewer, not a partner organisation`);
      const unknown = await runCli(['intake', 'partner-account', '--email', 'x@route.example', '--partner', '987654'], env, password);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('No intake recipient has the ID 987654');
      const notANumber = await runCli(['intake', 'partner-account', '--email', 'x@route.example', '--partner', 'route'], env, password);
      expect(notANumber.code).not.toBe(0);
      expect(notANumber.stderr).toContain('The partner ID is a whole number');
      expect(await accountOf('x@route.example')).toBeUndefined();

      const owner = await makeUser(database.db, 'owner');
      const staff = await runCli(['intake', 'partner-account', '--email', owner.email, '--partner', String(route.id)], env, password);
      expect(staff.code).toBe(1);
      expect(staff.stderr).toContain("That address belongs to an account with the role owner: a partner organisation's account needs an address of its own.");
      expect((await accountOf(owner.email))?.role).toBe('owner');

      const viaUserAdd = await runCli(['user', 'add', '--email', 'y@route.example', '--role', 'partner'], env, password);
      expect(viaUserAdd.code).not.toBe(0);
      expect(viaUserAdd.stderr).toContain('`outcry intake partner-account --email E --partner ID`');
      expect(await accountOf('y@route.example')).toBeUndefined();
      const promote = await runCli(['user', 'add', '--email', 'reader@route.example', '--role', 'owner'], env, password);
      expect(promote.code).toBe(1);
      expect(promote.stderr).toContain("That address is a partner organisation's account");
      expect((await accountOf('reader@route.example'))?.role).toBe('partner');
    });
  });
}
