/**
 * Outcry behind the reverse proxy it ships a configuration for: Debian's nginx, started here with
 * deploy/nginx/outcry.conf (test/helpers/nginx.ts swaps in loopback ports and a self-signed certificate), in front of
 * a real `outcry start` process on a fresh data folder with the demo campaign. What the README promises an operator:
 * the public pages come from the proxy's cache, signing works with JavaScript off and on and counts, per-client limits
 * see each visitor's own address, the live counter streams through, and a missing TRUST_PROXY is noticed.
 *
 * Skipped, loudly (see test/helpers/global-setup.ts), where nginx is absent; REQUIRE_PROXY=1 makes that a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, type FreshDatabase } from './helpers/app.ts';
import { confirmPathIn, waitForMail } from './helpers/mailbox.ts';
import { startNginx, type ProxyResponse, type RunningNginx } from './helpers/nginx.ts';
import { openSse, type SseStream } from './helpers/sse.ts';

const BIN = fileURLToPath(new URL('../bin/outcry.js', import.meta.url));
const SLUG = 'eyes-on-chechnya';
const PAGE = `/c/${SLUG}`;

interface OutcryProcess {
  child: ChildProcess;
  port: number;
  /** Every line it has written so far (pino's JSON lines, and the start banner). */
  lines: string[];
  stop(): Promise<void>;
}

/** `outcry start` on its own data folder, on any free port; resolves once it listens. */
function startOutcryProcess(env: Record<string, string>): Promise<OutcryProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`no start:\n${lines.join('\n')}`)), 60_000);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const onData = (data: Buffer) => {
      pending += data.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      lines.push(...parts);
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(parts.join('\n'));
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          port: Number(match[1]),
          lines,
          async stop() {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${lines.join('\n')}`)));
  });
}

/** How many requests for `route` the server has logged (LOG_LEVEL=debug writes one line per request). */
function requestsLogged(server: OutcryProcess, route: string): number {
  return server.lines.filter((line) => line.includes('"msg":"request"') && line.includes(`"route":"${route}"`)).length;
}

/** Waits until the server has logged everything it was sent so far: a request of its own, once its line is there. */
async function settleLog(server: OutcryProcess, proxy: RunningNginx): Promise<void> {
  const before = requestsLogged(server, '/healthz');
  const response = await proxy.request('/healthz');
  expect(response.status).toBe(200);
  await expect.poll(() => requestsLogged(server, '/healthz'), { timeout: 10_000 }).toBeGreaterThan(before);
}

/** What a browser with JavaScript off sends with a form from this site. */
function formHeaders(proxy: RunningNginx): Record<string, string> {
  return { 'content-type': 'application/x-www-form-urlencoded', origin: proxy.origin, 'sec-fetch-site': 'same-origin' };
}

function formOf(page: ProxyResponse): { action: string; fields: Record<string, string> } {
  const action = /<form method="post" action="([^"]+)" class="stacked sign-form"/.exec(page.body)?.[1];
  const stamp = /name="ts" value="([^"]*)"/.exec(page.body)?.[1];
  const petition = /name="petition" value="(\d+)"/.exec(page.body)?.[1];
  if (!action || !stamp || !petition) throw new Error('no sign form on the page');
  return { action: action.replaceAll('&amp;', '&'), fields: { ts: stamp, petition, ref: '' } };
}

const uniqueEmail = (what: string) => `proxy-${what}-${randomBytes(4).toString('hex')}@example.org`;

/** Confirms through the proxy as the signer's browser would: the mailed link's page, then its button. */
async function confirmThroughProxy(proxy: RunningNginx, dataDir: string, email: string): Promise<void> {
  const confirmPath = confirmPathIn(await waitForMail(dataDir, email));
  const page = await proxy.request(confirmPath);
  expect(page.status).toBe(200);
  expect(page.headers['cache-control']).toBe('no-store');
  const cookie = [page.headers['set-cookie'] ?? []]
    .flat()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const pressed = await proxy.request(confirmPath, {
    method: 'POST',
    headers: { ...formHeaders(proxy), cookie },
    body: new URLSearchParams({ _csrf: token ?? '' }).toString(),
  });
  expect(pressed.status).toBe(200);
  expect(pressed.body).toContain('your signature is confirmed');
}

async function countThroughProxy(proxy: RunningNginx): Promise<number> {
  const response = await proxy.request(`${PAGE}/count.json`);
  return (JSON.parse(response.body) as { signatures: number }).signatures;
}

describe.skipIf(!inject('hasNginx'))('behind nginx with deploy/nginx/outcry.conf, TRUST_PROXY set', () => {
  let fresh: FreshDatabase;
  let server: OutcryProcess;
  let proxy: RunningNginx;

  beforeAll(async () => {
    fresh = await createFreshDatabase('sqlite');
    server = await startOutcryProcess({
      DATA_DIR: fresh.dataDir,
      DATABASE_URL: fresh.url,
      PORT: '0',
      LOG_LEVEL: 'debug',
      SECRET_KEY: randomBytes(32).toString('hex'),
      TRUST_PROXY: '127.0.0.1',
    });
    proxy = await startNginx({ upstreamPort: server.port });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await server?.stop();
    await fresh?.drop();
  });

  it('serves the campaign page from its cache the second time: Outcry renders it once', async () => {
    await settleLog(server, proxy);
    const before = requestsLogged(server, '/c/:slug');
    const first = await proxy.request(PAGE, { headers: { 'accept-language': 'en-GB,en;q=0.9' }, localAddress: '127.0.0.2' });
    const second = await proxy.request(PAGE, { headers: { 'accept-language': 'en-US,en;q=0.8' }, localAddress: '127.0.0.3' });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.headers['x-cache-status'], second.headers['x-cache-status']]).toEqual(['MISS', 'HIT']);
    // The same bytes for both visitors, form stamp included, and nothing of either.
    expect(second.body).toBe(first.body);
    for (const response of [first, second]) {
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.headers['cache-control']).toMatch(/^public, max-age=0, s-maxage=10, stale-while-revalidate=\d+, stale-if-error=\d+$/);
      expect(response.headers['last-modified']).toBeDefined();
    }
    await settleLog(server, proxy);
    expect(requestsLogged(server, '/c/:slug')).toBe(before + 1);
  });

  it('keeps a copy per language whatever Accept-Language names it, passes organisers by, speaks HTTP/2, moves http to https', async () => {
    const russian = await proxy.request(PAGE, { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' } });
    const russianAgain = await proxy.request(PAGE, { headers: { 'accept-language': 'de-DE, ru;q=0.7' } });
    expect(russian.body).toContain('<html lang="ru"');
    expect(russianAgain.body).toBe(russian.body);
    expect(russianAgain.headers['x-cache-status']).toBe('HIT');
    const chosen = await proxy.request(`${PAGE}?lang=ru`, { headers: { 'accept-language': 'en' } });
    expect(chosen.body).toContain('<html lang="ru"');

    const organiser = await proxy.request(PAGE, { headers: { cookie: 'outcry_session=not-a-real-session' } });
    expect(organiser.headers['x-cache-status']).toBe('BYPASS');
    expect(organiser.headers['cache-control']).toBe('private, no-store');
    expect((await proxy.request('/metrics')).status).toBe(404);
    expect(await proxy.requestHttp2(PAGE)).toEqual({ status: 200, alpn: 'h2' });
    const plain = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`http://127.0.0.1:${proxy.httpPort}${PAGE}?lang=ru`, resolve).on('error', reject),
    );
    plain.resume();
    expect([plain.statusCode, plain.headers.location]).toEqual([301, `https://127.0.0.1${PAGE}?lang=ru`]);
    // What certbot --webroot leaves for Let's Encrypt is served over plain http (first issue and every renewal).
    const token = randomBytes(16).toString('hex');
    mkdirSync(path.join(proxy.webroot, '.well-known/acme-challenge'), { recursive: true });
    writeFileSync(path.join(proxy.webroot, '.well-known/acme-challenge', token), `${token}.thumbprint`);
    const challenge = await new Promise<{ status?: number; body: string }>((resolve, reject) =>
      http
        .get(`http://127.0.0.1:${proxy.httpPort}/.well-known/acme-challenge/${token}`, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, body }));
        })
        .on('error', reject),
    );
    expect(challenge).toEqual({ status: 200, body: `${token}.thumbprint` });
  });

  it('takes signatures with JavaScript off (two people, one cached copy) and as JSON; each counts, live', async () => {
    const initial = await countThroughProxy(proxy);
    const live: SseStream = await openSse(`${proxy.origin}${PAGE}/events`, { ca: proxy.ca });
    try {
      expect(live.status).toBe(200);
      await live.waitFor((event) => event.event === 'count', { timeoutMs: 10_000 });

      // Two visitors get the same cached page, and so the same shared form stamp, and both sign with it.
      const page = await proxy.request(PAGE, { headers: { 'accept-language': 'en' }, localAddress: '127.0.0.4' });
      const { action, fields } = formOf(page);
      const emails = [uniqueEmail('form-a'), uniqueEmail('form-b'), uniqueEmail('json')];
      for (const [i, email] of emails.slice(0, 2).entries()) {
        const signed = await proxy.request(action, {
          method: 'POST',
          localAddress: `127.0.0.${5 + i}`,
          headers: formHeaders(proxy),
          body: new URLSearchParams({ ...fields, name: 'Proxy Signer', email, country: 'NO', consent: '1' }).toString(),
        });
        expect(signed.status, signed.body.slice(0, 500)).toBe(303);
        expect(signed.headers.location).toBe(`${PAGE}/signed?lang=en`);
      }
      const json = await proxy.request(`${PAGE}/sign`, {
        method: 'POST',
        localAddress: '127.0.0.7',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ name: 'Proxy Client', email: emails[2], country: 'DE', consent: true }),
      });
      expect(json.status, json.body).toBe(202);

      for (const email of emails) await confirmThroughProxy(proxy, fresh.dataDir, email);
      // None was set aside: count.json (kept two seconds by the proxy) and the live stream both reach all three.
      await expect.poll(() => countThroughProxy(proxy), { timeout: 30_000, interval: 500 }).toBe(initial + 3);
      await live.waitFor((event) => event.event === 'count' && (JSON.parse(event.data) as { signatures: number }).signatures === initial + 3, {
        timeoutMs: 30_000,
      });
    } finally {
      live.close();
    }
  });

  it("counts per-client limits by each visitor's own address, as the proxy reports it", async () => {
    const sign = (localAddress: string) =>
      proxy.request(`${PAGE}/sign`, {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ name: 'Busy Client', email: uniqueEmail('limit'), country: 'FR', consent: true }),
      });
    // One visitor signing on and on reaches the hard limit (60 at once, then one a second)…
    let refused: ProxyResponse | undefined;
    for (let i = 0; i < 300 && !refused; i += 1) {
      const response = await sign('127.0.0.8');
      if (response.status === 429) refused = response;
      else expect(response.status).toBe(202);
    }
    expect(refused?.status).toBe(429);
    // …and another visitor, through the same proxy, is still welcome.
    expect((await sign('127.0.0.9')).status).toBe(202);
    expect(server.lines.some((line) => line.includes('proxy-not-trusted'))).toBe(false);
  });
});

describe.skipIf(!inject('hasNginx'))('behind nginx without TRUST_PROXY', () => {
  let fresh: FreshDatabase;
  let server: OutcryProcess;
  let proxy: RunningNginx;

  beforeAll(async () => {
    fresh = await createFreshDatabase('sqlite');
    server = await startOutcryProcess({
      DATA_DIR: fresh.dataDir,
      DATABASE_URL: fresh.url,
      PORT: '0',
      LOG_LEVEL: 'debug',
      SECRET_KEY: randomBytes(32).toString('hex'),
    });
    proxy = await startNginx({ upstreamPort: server.port });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await server?.stop();
    await fresh?.drop();
  });

  it('says once, in the log and naming no address, that a proxy it does not trust is in front', async () => {
    const warnings = () => server.lines.filter((line) => line.includes('"event":"proxy-not-trusted"'));
    expect(warnings()).toEqual([]);
    for (let i = 0; i < 20; i += 1) {
      const response = await proxy.request(i % 2 ? PAGE : `${PAGE}/count.json?n=${i}`, { localAddress: `127.0.1.${i + 1}` });
      expect(response.status).toBe(200);
    }
    await settleLog(server, proxy);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('"level":"warn"');
    expect(warnings()[0]).toContain('TRUST_PROXY');
    expect(server.lines.join('\n')).not.toMatch(/127\.0\.1\.\d/);
  });
});
