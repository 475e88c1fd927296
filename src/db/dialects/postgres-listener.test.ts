/**
 * LISTEN/NOTIFY between processes (PostgreSQL only): a notification makes the listener read, bursts are spaced out,
 * and a dropped connection comes back on its own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, type FreshDatabase } from '../../../test/helpers/app.ts';
import { TEST_POSTGRES_URL } from '../../../test/helpers/environment.ts';
import { ManualClock } from '../../../test/helpers/manual-clock.ts';
import { createLogger } from '../../log.ts';
import { openDatabase, type DatabaseHandle } from '../database.ts';
import { NotificationListener, type NotificationListenerOptions } from './postgres-listener.ts';

const CHANNEL = 'outcry_counts';
const countListener = (options: Omit<NotificationListenerOptions, 'channel' | 'name'>) =>
  new NotificationListener({ channel: CHANNEL, name: 'count', ...options });
const announceCountChange = (database: DatabaseHandle) => database.notify(CHANNEL);

const hasPostgres = inject('hasPostgres');

describe.skipIf(!hasPostgres)('notification listener [postgres]', () => {
  let fresh: FreshDatabase;
  let database: DatabaseHandle;
  const logs: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });

  beforeAll(async () => {
    fresh = await createFreshDatabase('postgres');
    database = openDatabase({ url: fresh.url, poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await fresh?.drop();
  });

  it('reads after a notification, at most once per 200 ms however many arrive', async () => {
    // The listener's own clock, moved by hand: when a read happens is decided by it alone, so the spacing is checked
    // exactly however slowly the machine delivers the notifications (waiting for them is all the real time used).
    const clock = new ManualClock(1_000_000);
    const signals: number[] = [];
    const listener = countListener({ url: fresh.url, logger, clock, onSignal: () => signals.push(clock.now()) });
    await listener.start();
    try {
      expect(listener.listening).toBe(true);
      const sentAt = clock.now();
      await announceCountChange(database);
      // The notification arrives; the read it asks for is due at once, without the clock moving.
      await expect.poll(() => clock.pending, { timeout: 2000, interval: 10 }).toEqual([sentAt]);
      clock.advance(0);
      expect(signals).toHaveLength(1);
      expect(signals[0]! - sentAt).toBe(0);

      clock.advance(250);
      signals.length = 0;
      const firstSentAt = clock.now();
      for (let i = 0; i < 20; i += 1) {
        await announceCountChange(database);
        // The first two are waited for: the first is read at once, the second (20 ms later) finds a read just done and
        // waits out the rest of its 200 ms. The others come while a read is waiting, whenever they arrive.
        if (i === 0) await expect.poll(() => clock.pending, { timeout: 2000, interval: 10 }).toEqual([firstSentAt]);
        if (i === 1) await expect.poll(() => clock.pending, { timeout: 2000, interval: 10 }).toEqual([firstSentAt + 200]);
        clock.advance(20);
      }
      const sendingMs = clock.now() - firstSentAt;
      expect(sendingMs).toBe(400);
      clock.advance(300);
      // One read at once, one per 200 ms after (the last for what came in the final interval), never one each.
      expect(signals.slice(0, 2)).toEqual([firstSentAt, firstSentAt + 200]);
      expect(signals.length).toBeGreaterThanOrEqual(2);
      expect(signals.length).toBeLessThanOrEqual(2 + Math.floor(sendingMs / 200));
      expect(signals.length).toBeLessThan(20);
      for (let i = 1; i < signals.length; i += 1) expect(signals[i]! - signals[i - 1]!).toBeGreaterThanOrEqual(200);
    } finally {
      await listener.stop();
    }
  });

  it('comes back after its connection is killed, and reads once for what it may have missed', async () => {
    let signals = 0;
    const listener = countListener({ url: fresh.url, logger, onSignal: () => (signals += 1), initialBackoffMs: 50 });
    await listener.start();
    try {
      const pid = listener.backendPid;
      expect(pid).toBeGreaterThan(0);
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await admin.connect();
      try {
        await admin.query('select pg_terminate_backend($1)', [pid]);
      } finally {
        await admin.end();
      }
      await expect.poll(() => listener.listening && listener.backendPid !== pid, { timeout: 5000, interval: 20 }).toBe(true);
      await expect.poll(() => signals, { timeout: 2000, interval: 10 }).toBe(1);
      await sleep(250);
      await announceCountChange(database);
      await expect.poll(() => signals, { timeout: 2000, interval: 10 }).toBe(2);
      expect(logs.join('')).toContain('"event":"count-listener-lost"');
      expect(logs.join('')).toContain('"event":"count-listener-back"');
    } finally {
      await listener.stop();
    }
  });

  it('keeps retrying while the database cannot be reached, without failing its caller', async () => {
    const url = new URL(fresh.url);
    url.port = '1';
    let signals = 0;
    const before = logs.length;
    const listener = countListener({ url: url.toString(), logger, onSignal: () => (signals += 1), initialBackoffMs: 20, maxBackoffMs: 40 });
    await listener.start();
    expect(listener.listening).toBe(false);
    // Failure after failure, each retried on its own: more than two, however long the machine takes over them.
    const failures = () => logs.slice(before).filter((line) => line.includes('count-listener-lost')).length;
    await expect.poll(failures, { timeout: 5000, interval: 10 }).toBeGreaterThan(2);
    await listener.stop();
    expect(listener.listening).toBe(false);
    expect(signals).toBe(0);
  });
});
