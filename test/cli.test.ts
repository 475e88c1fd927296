/**
 * The `outcry` command as an operator runs it: a real process, real stdin, a real database of each dialect.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, type FreshDatabase } from './helpers/app.ts';
import { BIN, runCli as run } from './helpers/cli.ts';
import { TEST_POSTGRES_URL } from './helpers/environment.ts';

/** Starts `outcry start`, waits until it serves, and returns its address and a way to stop it with SIGTERM. */
function start(env: Record<string, string>): Promise<{ url: string; stop(): Promise<number | null>; output(): string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`outcry start did not serve in time:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              child.once('close', done);
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`outcry start exited with ${code}:\n${output}`));
    });
  });
}

describe('outcry with a bad setting', () => {
  it('exits non-zero with a message that names the variable', async () => {
    const result = await run(['start'], { PORT: 'eighty', DATA_DIR: '/tmp/outcry-never-created', LOG_LEVEL: 'loud' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT must be a whole number from 0 to 65535 (got "eighty").');
    expect(result.stderr).toContain('LOG_LEVEL must be one of');
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || inject('hasPostgres');
  (enabled ? describe : describe.skip)(`outcry command [${dialect}]`, () => {
    let fresh: FreshDatabase;
    let env: Record<string, string>;
    beforeAll(async () => {
      fresh = await createFreshDatabase(dialect);
      env = { DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.url, PORT: '0', LOG_LEVEL: 'warn' };
    });
    afterAll(async () => fresh.drop());

    it('migrates, then says the database is up to date', async () => {
      const first = await run(['migrate'], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Applied: 2026-11-25-01-foundation');
      const second = await run(['migrate'], env);
      expect(second.stdout).toContain('The database is up to date.');
    });

    it('adds an owner with the password from stdin, and refuses a short password or an unknown role', async () => {
      const created = await run(['user', 'add', '--email', 'Owner@Example.org', '--role', 'owner'], env, 'a long enough password\n');
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/Created owner account #\d+\./);
      const reset = await run(['user', 'add', '--email', 'owner@example.org', '--role', 'editor'], env, 'another long password\n');
      expect(reset.stdout).toMatch(/Reset account #\d+ \(now editor\): new password, 0 sessions ended\./);
      const short = await run(['user', 'add', '--email', 'x@example.org', '--role', 'owner'], env, 'short\n');
      expect(short.code).toBe(1);
      expect(short.stderr).toContain('The password must be 12 to 1024 characters long.');
      const badRole = await run(['user', 'add', '--email', 'x@example.org', '--role', 'king'], env, 'a long enough password\n');
      expect(badRole.code).not.toBe(0);
      expect(badRole.stderr).toContain('Role must be one of owner, editor, moderator.');
    });

    it('disables an account (a reset leaves it disabled), enables it, and lists accounts without their passwords', async () => {
      const stdin = 'a long enough password\n';
      expect((await run(['user', 'add', '--email', 'gone@example.org', '--role', 'moderator'], env, stdin)).code).toBe(0);
      const disabled = await run(['user', 'disable', '--email', 'Gone@Example.org'], env);
      expect(disabled.code).toBe(0);
      expect(disabled.stdout).toMatch(/Disabled account #\d+; 0 sessions ended\./);
      const reset = await run(['user', 'add', '--email', 'gone@example.org', '--role', 'moderator'], env, 'a different long password\n');
      expect(reset.stdout).toContain('The account is still disabled: `outcry user enable --email gone@example.org` lets it log in again.');

      const listed = await run(['user', 'list'], env);
      expect(listed.code).toBe(0);
      const lines = listed.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^id +email +role +status +last login$/);
      expect(lines.find((line) => line.includes('gone@example.org'))).toMatch(
        /^#\d+ +gone@example\.org +moderator +disabled \d{4}-\d\d-\d\dT\S+ +not recorded$/,
      );
      expect(lines.find((line) => line.includes('owner@example.org'))).toMatch(/ editor +active +not recorded$/);
      expect(listed.stdout).not.toMatch(/argon2|password/i);

      expect((await run(['user', 'enable', '--email', 'gone@example.org'], env)).stdout).toMatch(/Enabled account #\d+\./);
      expect((await run(['user', 'list'], env)).stdout).toMatch(/gone@example\.org +moderator +active/);
      const unknown = await run(['user', 'disable', '--email', 'nobody@example.org'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('No account has that email address.');
    });

    it('loads the demo once', async () => {
      expect((await run(['demo'], env)).stdout).toContain('The demo campaign is loaded at /c/eyes-on-chechnya.');
      expect((await run(['demo'], env)).stdout).toContain('The demo campaign is already there.');
    });

    it('serves the campaign, and stops cleanly on SIGTERM', async () => {
      const server = await start(env);
      try {
        const page = await fetch(`${server.url}/c/eyes-on-chechnya`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('#EyesOnChechnya');
        const health = await fetch(`${server.url}/healthz`);
        expect(await health.json()).toEqual({ status: 'ok', database: 'reachable', dialect });
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });
  });
}

describe('outcry start on an empty data folder', () => {
  it('creates the database, loads the demo and serves it', async () => {
    const fresh = await createFreshDatabase('sqlite');
    try {
      const server = await start({ DATA_DIR: fresh.dataDir, PORT: '0' });
      try {
        const home = await fetch(`${server.url}/`);
        expect(await home.text()).toContain('End the purge in Chechnya');
        expect(server.output()).toContain('demo campaign loaded');
      } finally {
        await server.stop();
      }
    } finally {
      await fresh.drop();
    }
  });
});

describe('outcry when a command fails', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-cli-error-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the error scrubbed: no database password or user, no server address, no path that names someone', async () => {
    // Nothing listens on port 1: the driver's message names the address.
    const refused = await run(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://alice.ivanova:secretpass@127.0.0.1:1/db' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^outcry: \S/);
    expect(refused.stderr).not.toMatch(/secretpass|alice|127\.0\.0\.1/);

    // A database path under a file: the mkdir error quotes the path.
    writeFileSync(path.join(dataDir, 'alice-ivanova'), '');
    const notFolder = await run(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'alice-ivanova', 'db', 'outcry.db')}` });
    expect(notFolder.code).toBe(1);
    expect(notFolder.stderr).toContain('ENOTDIR');
    expect(notFolder.stderr).not.toContain('alice');
  });

  it('never prints the database password, even where no scrubbing rule would see it', async () => {
    // The host is named like the password, and a host name in an error is not something scrubbing removes.
    const unknownHost = await run(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: 'postgres://someone:secretpass@secretpass.invalid/db' });
    expect(unknownHost.code).toBe(1);
    expect(unknownHost.stderr).toMatch(/^outcry: \S/);
    expect(unknownHost.stderr).not.toContain('secretpass');
  });

  (inject('hasPostgres') ? it : it.skip)('does not print the PostgreSQL role it was refused', async () => {
    const url = new URL(TEST_POSTGRES_URL);
    url.username = 'alice.ivanova';
    url.password = 'secretpass';
    const refused = await run(['migrate'], { DATA_DIR: dataDir, DATABASE_URL: url.href });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('does not exist');
    expect(refused.stderr).not.toMatch(/alice|secretpass/);
  });
});
