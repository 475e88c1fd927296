/**
 * The time limits on a real listening server (inject has no sockets): slow-loris connections are closed at the header
 * timeout while others are served; a slow or stalled body is cut; a live stream and an intake upload, both meant to
 * outlast every limit, are not.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition } from '../../test/helpers/factories.ts';
import { addReader, multipart } from '../../test/helpers/intake.ts';
import { countsOf, openSse, type SseStream } from '../../test/helpers/sse.ts';

type Started = Awaited<ReturnType<typeof startTestApp>>;

/** A raw connection that sends what it is told, when it is told, and keeps what comes back. */
function connect(port: number): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => received, closed }));
    socket.once('error', reject);
  });
}

/** Rejects if `promise` takes longer than `ms`: a guard against hanging, not a measure of speed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what}: still waiting after ${ms} ms`)))]);
}

async function listen(started: Started): Promise<number> {
  const address = await started.app.listen({ port: 0, host: '127.0.0.1' });
  return Number(new URL(address).port);
}

describe('slow-loris', () => {
  let started: Started;
  let port: number;
  beforeAll(async () => {
    // Only the header timeout is short here: whatever closes the sockets below, it is that one.
    started = await startTestApp('sqlite', { HEADER_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '60', IDLE_TIMEOUT_SECONDS: '60' });
    port = await listen(started);
  });
  afterAll(async () => started.close());

  it('closes connections that trickle their headers, and serves everyone else meanwhile', async () => {
    const loris = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
    let trickling = true;
    const trickle = (async () => {
      for (const { socket } of loris) socket.write('GET /healthz HTTP/1.1\r\nHost: outcry.test\r\nX-Slow: ');
      while (trickling) {
        for (const { socket } of loris) if (!socket.destroyed) socket.write('a');
        await sleep(100);
      }
    })();

    const served = await Promise.all(Array.from({ length: 5 }, () => fetch(`http://127.0.0.1:${port}/healthz`)));
    expect(served.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);

    await within(Promise.all(loris.map((l) => l.closed)), 15_000, 'slow-loris sockets closed');
    trickling = false;
    await trickle;
    for (const { received } of loris) expect(received()).toMatch(/^HTTP\/1\.1 408 /);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 30_000);
});

describe('exemptions from the request and idle timeouts', () => {
  let started: Started;
  let port: number;
  const streams: SseStream[] = [];
  beforeAll(async () => {
    started = await startTestApp('sqlite', { HEADER_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2', IDLE_TIMEOUT_SECONDS: '1' });
    port = await listen(started);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await started.close();
  });

  /** A urlencoded POST whose body is sent in `pieces`, `pauseMs` apart; it declares `length` bytes (all of them by default). */
  async function slowPost(path: string, pieces: string[], pauseMs: number, length = pieces.join('').length) {
    const conn = await connect(port);
    conn.socket.write(
      `POST ${path} HTTP/1.1\r\nHost: outcry.test\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: ${length}\r\n\r\n`,
    );
    for (const piece of pieces) {
      if (conn.socket.destroyed) break;
      conn.socket.write(piece);
      await sleep(pauseMs);
    }
    return conn;
  }

  it('cuts a request whose body stalls, and one whose body trickles past the request timeout', async () => {
    const stalled = await slowPost('/speak/practice', ['codename=a'], 0, 100);
    await within(stalled.closed, 10_000, 'stalled body cut');
    expect(stalled.received()).not.toMatch(/^HTTP\/1\.1 200/);

    const pieces = Array.from({ length: 20 }, () => 'a');
    const trickled = await slowPost('/speak/practice', ['codename=', ...pieces], 300);
    await within(trickled.closed, 10_000, 'trickled body cut');
    expect(trickled.received()).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);

  it('leaves a live stream open through quiet spells longer than every limit', async () => {
    const { db, app } = started;
    const campaign = await makeCampaign(db, { status: 'published' });
    const petition = await makePetition(db, campaign.id);
    const stream = await openSse(`http://127.0.0.1:${port}/c/${campaign.input.slug}/events`);
    streams.push(stream);
    await stream.waitFor((e) => e.event === 'count');
    const seen = stream.events.length;

    await sleep(3500);
    expect(stream.ended).toBe(false);
    await db.insertInto('count_events').values({ petition_id: petition.id, country: 'GB', delta: 1, created_at: new Date().toISOString() }).execute();
    await app.countBoard.refresh();
    await stream.waitFor((e) => e.event === 'count', { from: seen });
    expect(countsOf(stream, seen).at(-1)).toMatchObject({ petitionId: petition.id, signatures: 1 });
  }, 30_000);

  it('takes an intake upload sent slower than the request timeout, with pauses longer than the idle one', async () => {
    const { db, app } = started;
    await makeOrganisationKey(db, app.signing.sealer);
    await addReader(db, 'reviewer', 'Reviewer Slow Link');
    const { payload, type } = await multipart([
      ['lang', 'en'],
      ['mode', 'server'],
      ['kind', 'testimony'],
      ['message', 'Sent over a slow link.'],
      ['files', { name: 'photo.bin', type: 'application/octet-stream', bytes: new Uint8Array(60_000).fill(7) }],
    ]);
    const conn = await connect(port);
    conn.socket.write(
      `POST /speak HTTP/1.1\r\nHost: outcry.test\r\nContent-Type: ${type}\r\nSec-Fetch-Site: same-origin\r\nContent-Length: ${payload.length}\r\n\r\n`,
    );
    const third = Math.ceil(payload.length / 3);
    for (let at = 0; at < payload.length; at += third) {
      conn.socket.write(payload.subarray(at, at + third));
      if (at + third < payload.length) await sleep(1500);
    }
    await within(
      (async () => {
        while (!/\r\n\r\n[\s\S]*<\/html>/.test(conn.received()) && !conn.socket.destroyed) await sleep(50);
      })(),
      15_000,
      'the codename page',
    );
    expect(conn.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(conn.received()).toContain('id="codename"');
    conn.socket.destroy();
  }, 30_000);
});
