/**
 * SIGTERM as an operator (or systemd) sends it, to a real server under signing load: every request answered 2xx is in
 * the database, every other request in flight either completes 2xx or fails to connect (never a 5xx), live streams
 * get a retry hint and end, and the process exits 0. A second process started on the same data afterwards serves and
 * has every signature. And when something holds it past SHUTDOWN_TIMEOUT_SECONDS, it exits non-zero and says why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { deriveKey } from '../src/crypto/keys.ts';
import { openDatabase } from '../src/db/database.ts';
import { dedupKey } from '../src/features/petitions/signing/sign.ts';
import { createFreshDatabase, type FreshDatabase } from './helpers/app.ts';

const BIN = fileURLToPath(new URL('../bin/outcry.js', import.meta.url));
const SLUG = 'eyes-on-chechnya';

interface Running {
  url: string;
  child: ChildProcess;
  output(): string;
  /** The exit code, once the process has exited. */
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let served = false;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start:\n${output}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (match && !served) {
        served = true;
        clearTimeout(timer);
        resolve({ url: match[1]!, child, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!served) reject(new Error(`exited ${code}:\n${output}`));
    });
  });
}

/** Rejects if `promise` takes longer than `ms`: a guard against hanging, not a measure of speed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what}: still waiting after ${ms} ms`)))]);
}

/** A live-counter stream read as raw text, to see exactly what came before its end. */
function openStream(url: string): Promise<{ text: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { accept: 'text/event-stream' }, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      const ended = new Promise<void>((done) => response.once('close', () => done()));
      resolve({ text: () => text, ended });
    });
    request.on('error', reject);
  });
}

async function sign(url: string, email: string): Promise<number> {
  const [a, b, c] = randomBytes(3);
  const response = await fetch(`${url}/c/${SLUG}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': `10.${a}.${b}.${Math.max(1, c!)}` },
    body: JSON.stringify({ name: 'Shutdown Tester', email, country: 'DE', consent: true }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The acknowledged addresses that have no signature in the database. */
async function missingFrom(fresh: FreshDatabase, secret: string, emails: string[]): Promise<string[]> {
  const database = openDatabase({ url: fresh.url, poolSize: 2 });
  try {
    const pepper = deriveKey(Buffer.from(secret, 'hex'), 'signature-pepper');
    const petition = await database.db.selectFrom('petitions').select('id').executeTakeFirstOrThrow();
    const stored = new Set(
      (await database.db.selectFrom('signatures').select('dedup_key').where('petition_id', '=', petition.id).execute()).map((r) => r.dedup_key),
    );
    return emails.filter((email) => !stored.has(dedupKey(pepper, Number(petition.id), email)));
  } finally {
    await database.close();
  }
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || inject('hasPostgres');
  (enabled ? describe : describe.skip)(`graceful shutdown [${dialect}]`, () => {
    let fresh: FreshDatabase | undefined;
    const children: ChildProcess[] = [];
    afterAll(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await fresh?.drop();
    });

    it('on SIGTERM answers what it took, ends live streams with a retry hint and exits 0; a restart has every signature', async () => {
      fresh = await createFreshDatabase(dialect);
      const secret = randomBytes(32).toString('hex');
      const env = {
        DATA_DIR: fresh.dataDir,
        DATABASE_URL: fresh.url,
        PORT: '0',
        LOG_LEVEL: 'info',
        SECRET_KEY: secret,
        TRUST_PROXY: 'loopback',
        SHUTDOWN_TIMEOUT_SECONDS: '10',
      };
      const first = await start(env);
      children.push(first.child);

      const streams = await Promise.all(Array.from({ length: 3 }, () => openStream(`${first.url}/c/${SLUG}/events`)));
      for (const stream of streams) {
        await within(
          (async () => {
            while (!stream.text().includes('event: count')) await sleep(20);
          })(),
          10_000,
          'the first count',
        );
      }

      const acknowledged: string[] = [];
      const statuses: number[] = [];
      let signalled = false;
      let answeredAfterSignal = 0;
      const client = async (worker: number) => {
        for (let n = 0; ; n += 1) {
          const email = `graceful-${worker}-${n}-${randomBytes(3).toString('hex')}@example.org`;
          let status: number;
          try {
            status = await sign(first.url, email);
          } catch (error) {
            // Once the stop began, a request may find no connection: it was never taken, and the client stops here.
            if (signalled) return;
            throw error;
          }
          statuses.push(status);
          if (status >= 200 && status < 300) acknowledged.push(email);
          if (signalled) answeredAfterSignal += 1;
        }
      };
      const clients = Array.from({ length: 12 }, (_, i) => client(i));
      while (acknowledged.length < 200) {
        if (statuses.some((s) => s !== 202)) break;
        await sleep(20);
      }
      signalled = true;
      first.child.kill('SIGTERM');
      const code = await within(first.exited, 30_000, 'the first process to exit');
      await within(Promise.all(clients), 10_000, 'the clients to stop');

      expect(statuses.filter((s) => s !== 202)).toEqual([]);
      expect(acknowledged.length).toBeGreaterThanOrEqual(200);
      // The load was still on when the signal came.
      expect(answeredAfterSignal).toBeGreaterThan(0);
      expect(code, first.output()).toBe(0);
      expect(first.output()).toContain('"event":"stopped"');

      for (const stream of streams) {
        await within(stream.ended, 5000, 'the live stream to end');
        const frames = stream.text().split('\n\n').filter(Boolean);
        expect(frames[0]).toBe('retry: 5000');
        expect(frames.at(-1)).toMatch(/^retry: \d+$/);
        expect(frames.filter((f) => f.startsWith('event: count')).length).toBeGreaterThanOrEqual(1);
      }

      expect(await missingFrom(fresh, secret, acknowledged)).toEqual([]);

      const second = await start(env);
      children.push(second.child);
      expect((await fetch(`${second.url}/c/${SLUG}`)).status).toBe(200);
      const afterRestart = `after-restart-${randomBytes(3).toString('hex')}@example.org`;
      expect(await sign(second.url, afterRestart)).toBe(202);
      second.child.kill('SIGTERM');
      expect(await within(second.exited, 30_000, 'the second process to exit')).toBe(0);
      expect(await missingFrom(fresh, secret, [...acknowledged, afterRestart])).toEqual([]);
    }, 180_000);
  });
}

describe('a stop held up past SHUTDOWN_TIMEOUT_SECONDS', () => {
  let fresh: FreshDatabase | undefined;
  let running: Running | undefined;
  afterAll(async () => {
    if (running?.child.exitCode === null) running.child.kill('SIGKILL');
    await fresh?.drop();
  });

  it('exits non-zero and says so in the log', async () => {
    fresh = await createFreshDatabase('sqlite');
    running = await start({ DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.url, PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_SECONDS: '1' });
    // An intake upload on a slow link is exempt from every time limit, so its connection holds the stop up.
    const { port } = new URL(running.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /speak HTTP/1.1\r\nHost: outcry.test\r\nContent-Type: multipart/form-data; boundary=x\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 100000\r\n\r\n--x\r\n',
    );
    await sleep(300);
    running.child.kill('SIGTERM');
    const code = await within(running.exited, 20_000, 'the process to exit');
    socket.destroy();
    expect(code).toBe(1);
    expect(running.output()).toContain('"event":"shutdown-timeout"');
    expect(running.output()).toContain('1 connections open');
  }, 60_000);
});
