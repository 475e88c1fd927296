/**
 * Scaled mode as the README deploys it: two `outcry start --role web` processes and one `--role worker` on one
 * PostgreSQL schema, Debian's nginx in front with deploy/nginx/outcry.conf and an upstream of both web processes.
 * The proxy spreads requests over both; a signature made and confirmed through the proxy reaches live listeners on
 * both processes; one web process killed (SIGKILL) under a signing load through the proxy loses no acknowledged
 * signature, and the proxy goes on serving from the other.
 *
 * Needs PostgreSQL and nginx: skipped, loudly (see test/helpers/global-setup.ts), where either is absent;
 * REQUIRE_POSTGRES=1 or REQUIRE_PROXY=1 makes that a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deriveKey } from '../src/crypto/keys.ts';
import { openDatabase } from '../src/db/database.ts';
import { dedupKey } from '../src/features/petitions/signing/sign.ts';
import { createFreshDatabase, type FreshDatabase } from './helpers/app.ts';
import { confirmPathIn, waitForMail } from './helpers/mailbox.ts';
import { startNginx, type RunningNginx } from './helpers/nginx.ts';
import { countsOf, openSse, type SseStream } from './helpers/sse.ts';

const BIN = fileURLToPath(new URL('../bin/outcry.js', import.meta.url));
const SLUG = 'eyes-on-chechnya';
const PAGE = `/c/${SLUG}`;

interface OutcryProcess {
  readonly child: ChildProcess;
  /** The web role's port; undefined for a worker. */
  readonly port: number | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** `outcry start --role <role>`; a web process resolves once it listens, a worker (no port, no banner) at once. */
function startOutcryProcess(role: 'web' | 'worker', env: Record<string, string>): Promise<OutcryProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--role', role], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const running = (port: number | undefined): OutcryProcess => ({ child, port, exited, output: () => output });
    const timer = setTimeout(() => reject(new Error(`outcry start --role ${role} did not serve in time:\n${output}`)), 60_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(running(Number(match[1])));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`outcry start --role ${role} exited ${code}:\n${output}`)));
    if (role === 'worker') {
      clearTimeout(timer);
      resolve(running(undefined));
    }
  });
}

async function stopProcess(server: OutcryProcess | undefined): Promise<number | null | undefined> {
  if (!server) return undefined;
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  return (await server.exited).code;
}

/**
 * The sum of a metric's samples on one process (its own /metrics, read directly: through the proxy it is a 404),
 * over the samples whose labels include every `labels` pair.
 */
async function metricOf(server: OutcryProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  expect(response.status).toBe(200);
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let sum = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) sum += Number(match[3]);
  }
  return sum;
}

/** A visitor of its own, as the proxy sees it: somewhere in 127/8 other than 127.0.0.1. */
function randomLoopbackAddress(): string {
  const [a, b, c] = randomBytes(3);
  return `127.${Math.max(1, a!)}.${b}.${Math.max(1, c!)}`;
}

const uniqueEmail = (what: string) => `scaled-proxy-${what}-${randomBytes(5).toString('hex')}@example.org`;

describe.skipIf(!inject('hasPostgres') || !inject('hasNginx'))('scaled mode behind nginx: two web processes and a worker on one PostgreSQL', () => {
  let fresh: FreshDatabase;
  let webA: OutcryProcess | undefined;
  let webB: OutcryProcess | undefined;
  let worker: OutcryProcess | undefined;
  let proxy: RunningNginx | undefined;
  const secret = randomBytes(32).toString('hex');
  const web = () => [webA!, webB!];

  beforeAll(async () => {
    fresh = await createFreshDatabase('postgres');
    const env = {
      DATA_DIR: fresh.dataDir,
      DATABASE_URL: fresh.url,
      PORT: '0',
      LOG_LEVEL: 'warn',
      SECRET_KEY: secret,
      TRUST_PROXY: '127.0.0.1',
    };
    // A loads the demo into the empty schema; B and the worker start on it afterwards.
    webA = await startOutcryProcess('web', { ...env, LOAD_DEMO: 'true' });
    webB = await startOutcryProcess('web', { ...env, LOAD_DEMO: 'false' });
    worker = await startOutcryProcess('worker', { ...env, LOAD_DEMO: 'false' });
    proxy = await startNginx({ upstreamPorts: [webA.port!, webB.port!] });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    const codes = await Promise.all([webB, worker].map(stopProcess));
    if (webA?.child.exitCode === null && webA.child.signalCode === null) await stopProcess(webA);
    await fresh?.drop();
    expect(codes, `exit codes of B and the worker; B:\n${webB?.output()}\nworker:\n${worker?.output()}`).toEqual([0, 0]);
  }, 60_000);

  it('spreads requests over both web processes; /metrics is theirs to answer, not the proxy’s', async () => {
    const before = await Promise.all(web().map((server) => metricOf(server, 'outcry_http_requests_total', { route: '/healthz' })));
    // One at a time: least_conn then has a tie each time, which nginx breaks by turns.
    for (let i = 0; i < 20; i += 1) expect((await proxy!.request('/healthz')).status).toBe(200);
    const after = await Promise.all(web().map((server) => metricOf(server, 'outcry_http_requests_total', { route: '/healthz' })));
    const served = after.map((count, i) => count - before[i]!);
    expect(served[0]! + served[1]!).toBe(20);
    expect(Math.min(...served)).toBeGreaterThan(0);
    expect((await proxy!.request('/metrics')).status).toBe(404);
  });

  it('a signature signed and confirmed through the proxy reaches live listeners on both processes', async () => {
    // Two listeners through the proxy: least_conn sends the second to the process without a stream open.
    const listeners: SseStream[] = [];
    try {
      for (let i = 0; i < 2; i += 1) {
        const listener = await openSse(`${proxy!.origin}${PAGE}/events`, { ca: proxy!.ca, localAddress: randomLoopbackAddress() });
        listeners.push(listener);
        expect(listener.status).toBe(200);
        await listener.waitFor((event) => event.event === 'count', { timeoutMs: 10_000 });
      }
      expect(await Promise.all(web().map((server) => metricOf(server, 'outcry_live_listeners')))).toEqual([1, 1]);
      const initial = countsOf(listeners[0]!)[0]!.signatures;
      const from = listeners.map((listener) => listener.events.length);

      const signsBefore = await Promise.all(web().map((server) => metricOf(server, 'outcry_signatures_total')));
      const email = uniqueEmail('live');
      const signed = await proxy!.request(`${PAGE}/sign`, {
        method: 'POST',
        localAddress: randomLoopbackAddress(),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ name: 'Scaled Signer', email, country: 'DE', consent: true }),
      });
      expect(signed.status, signed.body).toBe(202);
      const signsAfter = await Promise.all(web().map((server) => metricOf(server, 'outcry_signatures_total')));
      // Exactly one process took it: the listener on the other one hears of it only through PostgreSQL.
      expect(signsAfter.map((count, i) => count - signsBefore[i]!).sort()).toEqual([0, 1]);

      // The worker process mails the confirmation link; the signer confirms through the proxy (page, then button,
      // perhaps on different processes: the CSRF token is an HMAC under the shared SECRET_KEY).
      const confirmPath = confirmPathIn(await waitForMail(fresh.dataDir, email));
      const page = await proxy!.request(confirmPath);
      expect(page.status).toBe(200);
      const cookie = [page.headers['set-cookie'] ?? []]
        .flat()
        .map((c) => c.split(';')[0])
        .join('; ');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const pressed = await proxy!.request(confirmPath, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: proxy!.origin, 'sec-fetch-site': 'same-origin', cookie },
        body: new URLSearchParams({ _csrf: token }).toString(),
      });
      expect(pressed.status).toBe(200);
      expect(pressed.body).toContain('your signature is confirmed');

      for (const [i, listener] of listeners.entries()) {
        await listener.waitFor((event) => event.event === 'count' && (JSON.parse(event.data) as { signatures: number }).signatures === initial + 1, {
          from: from[i],
          timeoutMs: 30_000,
        });
      }
    } finally {
      for (const listener of listeners) listener.close();
    }
  }, 90_000);

  it('loses no acknowledged signature when a web process is killed under load, and keeps serving from the other', async () => {
    const acknowledged: string[] = [];
    const failures: string[] = [];
    let killing = false;
    let killedAt: number | undefined;
    let cutInFlight = 0;
    let acknowledgedAfterKill = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const email = uniqueEmail('load');
        const startedAt = Date.now();
        let status: number;
        try {
          const response = await proxy!.request(`${PAGE}/sign`, {
            method: 'POST',
            localAddress: randomLoopbackAddress(),
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ name: 'Scaled Load', email, country: 'FR', consent: true }),
          });
          status = response.status;
        } catch (error) {
          failures.push(`${email}: ${String(error)}`);
          continue;
        }
        const isAfterKill = killedAt !== undefined && startedAt > killedAt;
        if (status === 202) {
          acknowledged.push(email);
          if (isAfterKill) acknowledgedAfterKill += 1;
        } else if (status === 502 && killing && !isAfterKill) {
          // A POST in flight on the killed process: nginx does not send it again (deploy/nginx/outcry.conf says why).
          cutInFlight += 1;
        } else {
          failures.push(`${email}: ${status}${isAfterKill ? ' (begun after the kill)' : ''}`);
        }
      }
    };
    const clients = Array.from({ length: 12 }, () => client());
    try {
      // Both processes acknowledge signatures before A is pulled: the kill then cuts a process that has answered.
      await expect
        .poll(async () => (acknowledged.length >= 200 ? Math.min(...(await Promise.all(web().map((s) => metricOf(s, 'outcry_signatures_total'))))) : 0), {
          timeout: 60_000,
          interval: 200,
        })
        .toBeGreaterThan(20);
      killing = true;
      webA!.child.kill('SIGKILL');
      expect((await webA!.exited).signal).toBe('SIGKILL');
      killedAt = Date.now();
      await expect.poll(() => acknowledgedAfterKill, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(200);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    expect(failures).toEqual([]);
    // At most the 12 clients' requests in flight at the kill were cut; the rest went to B, or were retried there.
    expect(cutInFlight).toBeLessThanOrEqual(12);

    // Pages and counts keep coming, from B alone (count.json with a fresh key each time, so not from the cache).
    for (let i = 0; i < 10; i += 1) {
      expect((await proxy!.request(`${PAGE}/count.json?after-kill=${i}`)).status).toBe(200);
      expect((await proxy!.request(PAGE)).status).toBe(200);
    }

    const database = openDatabase({ url: fresh.url, poolSize: 2 });
    try {
      const pepper = deriveKey(Buffer.from(secret, 'hex'), 'signature-pepper');
      const petition = await database.db.selectFrom('petitions').select('id').executeTakeFirstOrThrow();
      const stored = new Set(
        (await database.db.selectFrom('signatures').select('dedup_key').where('petition_id', '=', petition.id).execute()).map((row) => row.dedup_key),
      );
      expect(acknowledged.filter((email) => !stored.has(dedupKey(pepper, Number(petition.id), email)))).toEqual([]);
    } finally {
      await database.close();
    }
  }, 180_000);
});
