/**
 * Scaled mode as an operator runs it: two real `outcry start` processes on one PostgreSQL database, both with
 * workers. A supporter signs and confirms through process A; someone watching the count through process B sees it
 * move; and the confirmation mail goes out exactly once, although two workers share the queue.
 *
 * PostgreSQL only: skipped, loudly (see test/helpers/global-setup.ts), where it is absent; REQUIRE_POSTGRES=1 makes
 * that a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deriveKey, hmacBase64Url } from '../src/crypto/keys.ts';
import { issueFormStamp } from '../src/web/form-stamp.ts';
import { CSRF_COOKIE, CSRF_FIELD } from '../src/web/csrf.ts';
import { createFreshDatabase, type FreshDatabase } from './helpers/app.ts';
import { confirmPathIn, readMailbox, waitForMail } from './helpers/mailbox.ts';
import { openSse, type SseStream } from './helpers/sse.ts';

const BIN = fileURLToPath(new URL('../bin/outcry.js', import.meta.url));
const SLUG = 'eyes-on-chechnya';

interface Running {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `outcry start --role <role>`, waits until it serves, and returns its address and a way to stop it. */
function start(role: 'web' | 'worker' | 'all', env: Record<string, string>): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--role', role], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let served = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`outcry start did not serve in time:\n${output}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (match && !served) {
        served = true;
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done(child.exitCode);
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
      if (!served) reject(new Error(`outcry start exited with ${code}:\n${output}`));
    });
  });
}

describe.skipIf(!inject('hasPostgres'))('scaled mode: two processes on one PostgreSQL', () => {
  let fresh: FreshDatabase;
  let a: Running | undefined;
  let b: Running | undefined;
  let watcher: SseStream | undefined;
  const secret = randomBytes(32);

  beforeAll(async () => {
    fresh = await createFreshDatabase('postgres');
    const env = {
      DATA_DIR: fresh.dataDir,
      DATABASE_URL: fresh.url,
      PORT: '0',
      SECRET_KEY: secret.toString('hex'),
      LOG_LEVEL: 'warn',
      PUBLIC_URL: 'http://outcry.test',
    };
    // A loads the demo into the empty database; B starts on it afterwards. Both run a worker.
    a = await start('all', { ...env, LOAD_DEMO: 'true' });
    b = await start('all', { ...env, LOAD_DEMO: 'false' });
  }, 120_000);

  afterAll(async () => {
    watcher?.close();
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    await fresh?.drop();
    expect(
      codes.filter((code) => code !== undefined && code !== 0),
      `exit codes; output of A:\n${a?.output()}\nB:\n${b?.output()}`,
    ).toEqual([]);
  }, 60_000);

  it('shows a confirmation made through A on B, and mails once', async () => {
    watcher = await openSse(`${b!.url}/c/${SLUG}/events`);
    expect(watcher.status).toBe(200);
    const initial = JSON.parse((await watcher.waitFor((e) => e.event === 'count')).data) as { petitionId: number; signatures: number };
    expect(initial.signatures).toBe(0);

    // A browser of our own making: a CSRF nonce cookie and its token, a form stamp from five seconds ago.
    const nonce = randomBytes(32).toString('base64url');
    const cookie = `${CSRF_COOKIE}=${nonce}`;
    const csrf = hmacBase64Url(deriveKey(secret, 'csrf'), nonce);
    const email = `scaled-${randomBytes(4).toString('hex')}@example.org`;
    const form = new URLSearchParams({
      [CSRF_FIELD]: csrf,
      name: 'Scaled Signer',
      email,
      country: 'DE',
      consent: '1',
      petition: String(initial.petitionId),
      ts: issueFormStamp(deriveKey(secret, 'form-timestamp'), Date.now() - 5000),
    });
    const signed = await fetch(`${a!.url}/c/${SLUG}/sign`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(signed.status).toBe(303);
    expect(signed.headers.get('location')).toBe(`/c/${SLUG}/signed`);

    const mail = await waitForMail(fresh.dataDir, email);
    const confirmPath = confirmPathIn(mail);
    const page = await fetch(`${a!.url}${confirmPath}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Confirm my signature');

    const from = watcher.events.length;
    const confirmed = await fetch(`${a!.url}${confirmPath}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ [CSRF_FIELD]: csrf }),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('your signature is confirmed');

    // How soon is checked on a clock of its own (petitions/counting/count-signals.test.ts): here, that it arrives.
    const update = await watcher.waitFor((e) => e.event === 'count' && JSON.parse(e.data).signatures === 1, { from, timeoutMs: 5000 });
    expect(JSON.parse(update.data)).toMatchObject({ slug: SLUG, petitionId: initial.petitionId, signatures: 1 });
    expect(await (await fetch(`${b!.url}/c/${SLUG}/count.json`)).json()).toMatchObject({ signatures: 1 });

    // Two workers polled the queue all along; give a second sender every chance, then count.
    await sleep(2500);
    expect(readMailbox(fresh.dataDir).filter((m) => m.to.includes(email))).toHaveLength(1);
  }, 60_000);
});
