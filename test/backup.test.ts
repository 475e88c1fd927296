/**
 * `outcry backup` and `outcry restore` as an operator runs them: a real server signs for several concurrent clients
 * while a real `outcry backup` process copies its database; the copy is restored into a fresh data folder (with the
 * site's secret key file, kept apart from both), and a server started there has every signature acknowledged before
 * the backup began and serves the campaign and its count. The copy is one file, 0600, without the secret; restore
 * refuses to replace a database unasked or one a server has open, and refuses a damaged file.
 *
 * PostgreSQL (pg_dump and pg_restore, each side in a database of its own) runs where PostgreSQL is reachable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deriveKey, hmacBase64Url, type KeyPurpose } from '../src/crypto/keys.ts';
import { openDatabase } from '../src/db/database.ts';
import { dedupKey } from '../src/features/petitions/signing/sign.ts';
import { CSRF_COOKIE, CSRF_FIELD } from '../src/web/csrf.ts';
import { BIN, runCli } from './helpers/cli.ts';
import { TEST_POSTGRES_URL } from './helpers/environment.ts';
import { confirmPathIn, waitForMail } from './helpers/mailbox.ts';

const SLUG = 'eyes-on-chechnya';
const CONFIRMED = 3;
const CLIENTS = 8;

interface Running {
  url: string;
  stop(): Promise<number | null>;
}

function startServer(env: Record<string, string>): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'start'], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let serving = false;
    const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (!match || serving) return;
      serving = true;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('close', done);
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!serving) reject(new Error(`exited ${code}:\n${output}`));
    });
  });
}

function randomClientAddress(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${Math.max(1, c!)}`;
}

function signJson(url: string, email: string): Promise<Response> {
  return fetch(`${url}/c/${SLUG}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': randomClientAddress() },
    body: JSON.stringify({ name: 'Backup Tester', email, country: 'DE', consent: true }),
  });
}

async function readCount(url: string): Promise<number> {
  const response = await fetch(`${url}/c/${SLUG}/count.json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { signatures: number }).signatures;
}

/** Signs and confirms through the mailed link, as a person does, so the count the restored site shows is not zero. */
async function signAndConfirm(url: string, dataDir: string, secret: Buffer): Promise<void> {
  const nonce = randomBytes(32).toString('base64url');
  const cookie = `${CSRF_COOKIE}=${nonce}`;
  const csrf = hmacBase64Url(deriveKey(secret, 'csrf'), nonce);
  for (let i = 0; i < CONFIRMED; i++) {
    const email = `confirmed-${i}-${randomBytes(3).toString('hex')}@example.org`;
    expect((await signJson(url, email)).status).toBe(202);
    const confirmPath = confirmPathIn(await waitForMail(dataDir, email, 30_000));
    const confirmed = await fetch(`${url}${confirmPath}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ [CSRF_FIELD]: csrf }),
    });
    expect(confirmed.status).toBe(200);
  }
  for (let tries = 0; (await readCount(url)) !== CONFIRMED; tries++) {
    if (tries > 100) throw new Error(`the count never reached ${CONFIRMED}`);
    await sleep(200);
  }
}

/** Signs from `CLIENTS` concurrent clients until stopped; every answer must be a 202, recorded with its address. */
function signUnderLoad(url: string) {
  const acknowledged: string[] = [];
  let stopped = false;
  let sent = 0;
  const client = async (worker: number) => {
    while (!stopped) {
      const email = `load-${worker}-${sent++}-${randomBytes(3).toString('hex')}@example.org`;
      const response = await signJson(url, email);
      if (response.status !== 202) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
      acknowledged.push(email);
    }
  };
  const clients = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  return {
    acknowledged,
    async stop() {
      stopped = true;
      await clients;
    },
  };
}

/** Every key the site derives from its secret, and the secret itself in the forms it is kept in. */
function secretForms(secret: Buffer): { what: string; bytes: Buffer }[] {
  const purposes: KeyPurpose[] = ['csrf', 'login-throttle', 'signature-pepper', 'form-timestamp', 'data-key', 'withdraw-link', 'totp-secret'];
  return [
    { what: 'the secret', bytes: secret },
    { what: 'the secret in hex', bytes: Buffer.from(secret.toString('hex')) },
    { what: 'the secret in HEX', bytes: Buffer.from(secret.toString('hex').toUpperCase()) },
    ...purposes.map((purpose) => ({ what: `the ${purpose} key`, bytes: deriveKey(secret, purpose) })),
  ];
}

/** Where each side of the test keeps its database: the default SQLite file in DATA_DIR, or a PostgreSQL database. */
interface Side {
  env: Record<string, string>;
  dataDir: string;
  url: string;
  drop(): Promise<void>;
}

async function makeSide(dialect: 'sqlite' | 'postgres', base: Record<string, string>): Promise<Side> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-backup-'));
  if (dialect === 'sqlite') {
    return {
      env: { ...base, DATA_DIR: dataDir },
      dataDir,
      url: `sqlite:${path.join(dataDir, 'outcry.db')}`,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `outcry_backup_${randomBytes(6).toString('hex')}`;
  await runStatement(TEST_POSTGRES_URL, `create database ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    env: { ...base, DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    dataDir,
    url: url.toString(),
    drop: async () => {
      await runStatement(TEST_POSTGRES_URL, `drop database if exists ${name} with (force)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function runStatement(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function storedDedupKeys(url: string): Promise<{ petitionId: number; keys: Set<string>; confirmed: number }> {
  const database = openDatabase({ url, poolSize: 1, mustExist: true });
  try {
    const petition = await database.db.selectFrom('petitions').select('id').executeTakeFirstOrThrow();
    const rows = await database.db.selectFrom('signatures').select(['dedup_key', 'status']).where('petition_id', '=', petition.id).execute();
    return {
      petitionId: Number(petition.id),
      keys: new Set(rows.map((row) => row.dedup_key).filter((key) => key !== null)),
      confirmed: rows.filter((row) => row.status === 'confirmed').length,
    };
  } finally {
    await database.close();
  }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || inject('hasPostgres');
  (enabled ? describe : describe.skip)(`outcry backup and restore [${dialect}]`, () => {
    const servers: Running[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    let keysDir: string;
    beforeAll(() => {
      keysDir = mkdtempSync(path.join(tmpdir(), 'outcry-backup-keys-'));
    });
    const side = async (env: Record<string, string>) => {
      const made = await makeSide(dialect, env);
      cleanups.push(made.drop);
      return made;
    };
    const folder = (prefix: string) => {
      const made = mkdtempSync(path.join(tmpdir(), prefix));
      cleanups.push(async () => rmSync(made, { recursive: true, force: true }));
      return made;
    };
    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await Promise.all(cleanups.map((cleanup) => cleanup()));
      if (keysDir) rmSync(keysDir, { recursive: true, force: true });
    }, 60_000);

    it('copies a signing site consistently and brings it back whole in a fresh data folder', async () => {
      // The site's secret in a file of its own, outside both data folders, as a real campaign keeps it.
      const secret = randomBytes(32);
      const secretFile = path.join(keysDir, 'secret.key');
      writeFileSync(secretFile, `${secret.toString('hex')}\n`, { mode: 0o600 });
      const base = { PORT: '0', LOG_LEVEL: 'warn', TRUST_PROXY: 'loopback', SECRET_KEY_FILE: secretFile };
      const source = await side(base);
      const restored = await side(base);
      const backupFile = path.join(folder('outcry-backup-out-'), dialect === 'sqlite' ? 'outcry-backup.db' : 'outcry-backup.dump');

      const site = await startServer(source.env);
      servers.push(site);
      await signAndConfirm(site.url, source.dataDir, secret);

      const load = signUnderLoad(site.url);
      while (load.acknowledged.length < 200) await sleep(20);
      const acknowledgedBefore = [...load.acknowledged];
      const backup = await runCli(['backup', '--out', backupFile], source.env);
      const acknowledgedDuring = load.acknowledged.length - acknowledgedBefore.length;
      await load.stop();
      await site.stop();
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toContain('Backed up the database to');
      expect(backup.stdout).toContain('The secret key is not in it');
      // Not a timing bound: only that signing was still being answered while the backup ran.
      expect(acknowledgedDuring).toBeGreaterThan(0);

      // One file, the owner's alone, with nothing beside it and no key of the site's in it.
      expect(statSync(backupFile).mode & 0o777).toBe(0o600);
      expect(existsSync(`${backupFile}-wal`)).toBe(false);
      const bytes = readFileSync(backupFile);
      expect(
        secretForms(secret)
          .filter((form) => bytes.includes(form.bytes))
          .map((form) => form.what),
      ).toEqual([]);
      if (dialect === 'sqlite') {
        expect([bytes[18], bytes[19]]).toEqual([1, 1]); // rollback journal: no log file belongs with it
        // The search finds what is there: a signature's dedup key, stored as text (pg_dump's archive is compressed).
        const petition = (await storedDedupKeys(source.url)).petitionId;
        expect(bytes.includes(dedupKey(deriveKey(secret, 'signature-pepper'), petition, acknowledgedBefore[0]!))).toBe(true);
      }

      const restoring = await runCli(['restore', '--from', backupFile], restored.env);
      expect(restoring.code, restoring.stderr).toBe(0);
      expect(restoring.stdout).toContain('Restored');
      expect(restoring.stderr).toContain('it must be the one the backed-up site used');

      const stored = await storedDedupKeys(restored.url);
      const pepper = deriveKey(secret, 'signature-pepper');
      const missing = acknowledgedBefore.filter((email) => !stored.keys.has(dedupKey(pepper, stored.petitionId, email)));
      expect(acknowledgedBefore.length).toBeGreaterThanOrEqual(200);
      expect(missing).toEqual([]);
      expect(stored.confirmed).toBe(CONFIRMED);

      const again = await startServer(restored.env);
      servers.push(again);
      const page = await fetch(`${again.url}/c/${SLUG}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('EyesOnChechnya');
      expect(await readCount(again.url)).toBe(CONFIRMED);

      // A second restore over the running site's database is refused, asked or not.
      const unasked = await runCli(['restore', '--from', backupFile], restored.env);
      expect(unasked.code).toBe(1);
      if (dialect === 'sqlite') {
        expect(unasked.stderr).toContain('A database already exists in this data folder: pass --force to replace it');
        const forced = await runCli(['restore', '--force', '--from', backupFile], restored.env);
        expect(forced.code).toBe(1);
        expect(forced.stderr).toContain('The database is open in another process');
      } else {
        expect(unasked.stderr).toContain('already has tables: restore into an empty one');
      }
      expect(await readCount(again.url)).toBe(CONFIRMED);
    }, 240_000);

    it('refuses a damaged backup file, and leaves the data folder without a database', async () => {
      const env = { LOG_LEVEL: 'warn', SECRET_KEY_FILE: path.join(keysDir, 'other.key') };
      const fresh = await side(env);
      const files = folder('outcry-backup-damaged-');

      // A real backup of a small site, then damaged: its middle overwritten, or its start.
      const small = await side(env);
      expect((await runCli(['demo'], small.env)).code).toBe(0);
      const good = path.join(files, 'good');
      expect((await runCli(['backup', '--out', good], small.env)).code).toBe(0);
      const damaged = (name: string, offset: number) => {
        const file = path.join(files, name);
        copyFileSync(good, file);
        chmodSync(file, 0o600);
        const bytes = readFileSync(file);
        randomBytes(8192).copy(bytes, offset);
        writeFileSync(file, bytes);
        return file;
      };
      const inTheMiddle = damaged('middle', Math.floor(statSync(good).size / 2 / 4096) * 4096);
      const atTheStart = damaged('start', 0);

      for (const file of dialect === 'sqlite' ? [inTheMiddle, atTheStart] : [atTheStart]) {
        const result = await runCli(['restore', '--from', file], fresh.env);
        expect(result.code, file).toBe(1);
        expect(result.stderr, file).toMatch(/outcry: The backup file is damaged/);
      }
      if (dialect === 'sqlite') {
        expect(readdirSync(fresh.dataDir).filter((name) => name.includes('outcry'))).toEqual([]);
      } else {
        // The middle of an archive is data: pg_restore stops at it, in one transaction, so nothing stays behind.
        const result = await runCli(['restore', '--from', inTheMiddle], fresh.env);
        expect(result.code).toBe(1);
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        const { rows } = await client.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
        await client.end();
        expect(rows[0]).toEqual({ n: 0 });
      }
    }, 120_000);
  });
}
