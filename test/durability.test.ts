/**
 * A 2xx means the signature is committed. Here a real server takes signatures from many concurrent clients and is
 * killed with SIGKILL mid-load; every signature it acknowledged must be in the database afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { deriveKey } from '../src/crypto/keys.ts';
import { queuedConfirmationsIn } from './helpers/factories.ts';
import { openDatabase } from '../src/db/database.ts';
import { dedupKey } from '../src/features/petitions/signing/sign.ts';
import { createFreshDatabase, type FreshDatabase } from './helpers/app.ts';

const BIN = fileURLToPath(new URL('../bin/outcry.js', import.meta.url));

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
}

function randomClientAddress(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${Math.max(1, c!)}`;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || inject('hasPostgres');
  (enabled ? describe : describe.skip)(`durability under SIGKILL [${dialect}]`, () => {
    let fresh: FreshDatabase;
    afterAll(async () => fresh?.drop());

    it('keeps every signature it acknowledged', async () => {
      fresh = await createFreshDatabase(dialect);
      const secret = randomBytes(32).toString('hex');
      const env = { DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.url, PORT: '0', LOG_LEVEL: 'warn', SECRET_KEY: secret, TRUST_PROXY: 'loopback' };
      const { child, url } = await startServer(env);
      const exited = new Promise((resolve) => child.once('exit', resolve));

      const acknowledged: string[] = [];
      let sent = 0;
      let stop = false;
      const client = async (worker: number) => {
        while (!stop) {
          const email = `durable-${worker}-${sent++}-${randomBytes(3).toString('hex')}@example.org`;
          try {
            const response = await fetch(`${url}/c/eyes-on-chechnya/sign`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': randomClientAddress() },
              body: JSON.stringify({ name: 'Durable Tester', email, country: 'DE', consent: true }),
            });
            if (response.status === 202) acknowledged.push(email);
            else if (!stop) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
          } catch (error) {
            if (!stop) throw error;
          }
        }
      };
      const clients = Array.from({ length: 16 }, (_, i) => client(i));
      // Let acknowledgements pile up, then pull the plug without warning.
      while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      stop = true;
      await Promise.allSettled(clients);
      await exited;

      const database = openDatabase({ url: fresh.url, poolSize: 2 });
      try {
        const pepper = deriveKey(Buffer.from(secret, 'hex'), 'signature-pepper');
        const petition = await database.db.selectFrom('petitions').select('id').executeTakeFirstOrThrow();
        const stored = new Set(
          (await database.db.selectFrom('signatures').select('dedup_key').where('petition_id', '=', petition.id).execute()).map((r) => r.dedup_key),
        );
        const missing = acknowledged.filter((email) => !stored.has(dedupKey(pepper, Number(petition.id), email)));
        expect(acknowledged.length).toBeGreaterThanOrEqual(300);
        expect(missing).toEqual([]);
        // Each stored signature had its confirmation mail queued in the same transaction: it is still queued,
        // or the worker already wrote it to the dev mailbox (a mail written just before the kill may still have its job).
        const queued = await queuedConfirmationsIn(database.db, deriveKey(Buffer.from(secret, 'hex'), 'data-key'));
        const folder = path.join(fresh.dataDir, 'mail');
        const mails = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.eml')).length : 0;
        expect(queued.length + mails).toBeGreaterThanOrEqual(stored.size);
      } finally {
        await database.close();
      }
    }, 120_000);
  });
}
