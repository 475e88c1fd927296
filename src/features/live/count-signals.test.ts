/**
 * LISTEN/NOTIFY between processes (PostgreSQL only): a notification makes the listener read, bursts are spaced out,
 * a dropped connection comes back on its own, and a web app on PostgreSQL hears another app's confirmations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, startTestApp, type FreshDatabase } from '../../../test/helpers/app.ts';
import { TEST_POSTGRES_URL } from '../../../test/helpers/environment.ts';
import { makeCampaign, makePetition } from '../../../test/helpers/factories.ts';
import { buildApp } from '../../app.ts';
import { openDatabase, type DatabaseHandle } from '../../db/database.ts';
import { createLogger } from '../../log.ts';
import { announceCountChange, CountChangeListener } from './count-signals.ts';

const hasPostgres = inject('hasPostgres');

describe.skipIf(!hasPostgres)('count change signals [postgres]', () => {
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
    const signals: number[] = [];
    const listener = new CountChangeListener({ url: fresh.url, logger, onSignal: () => signals.push(Date.now()) });
    await listener.start();
    try {
      expect(listener.listening).toBe(true);
      const sentAt = Date.now();
      await announceCountChange(database.db);
      await expect.poll(() => signals.length, { timeout: 2000, interval: 10 }).toBe(1);
      expect(signals[0]! - sentAt).toBeLessThan(500);

      await sleep(250);
      signals.length = 0;
      const firstSentAt = Date.now();
      for (let i = 0; i < 20; i += 1) {
        await announceCountChange(database.db);
        await sleep(20);
      }
      // Nominally 400 ms of notifications, longer on a loaded machine: the bound follows the time they really took.
      const sendingMs = Date.now() - firstSentAt;
      await sleep(300);
      // One read at once, one per 200 ms after (the last for what came in the final interval), never one each.
      expect(signals.length).toBeGreaterThanOrEqual(2);
      expect(signals.length).toBeLessThanOrEqual(2 + Math.floor(sendingMs / 200));
      expect(signals.length).toBeLessThan(20);
      for (let i = 1; i < signals.length; i += 1) expect(signals[i]! - signals[i - 1]!).toBeGreaterThanOrEqual(195);
    } finally {
      await listener.stop();
    }
  });

  it('comes back after its connection is killed, and reads once for what it may have missed', async () => {
    let signals = 0;
    const listener = new CountChangeListener({ url: fresh.url, logger, onSignal: () => (signals += 1), initialBackoffMs: 50 });
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
      await announceCountChange(database.db);
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
    const listener = new CountChangeListener({ url: url.toString(), logger, onSignal: () => (signals += 1), initialBackoffMs: 20, maxBackoffMs: 40 });
    await listener.start();
    expect(listener.listening).toBe(false);
    await sleep(200);
    await listener.stop();
    const failures = logs.filter((line) => line.includes('count-listener-lost')).length;
    expect(failures).toBeGreaterThan(2);
    expect(signals).toBe(0);
  });

  it('lets a web app hear a confirmation committed by another app on the same database, before its own poll', async () => {
    const appA = await startTestApp('postgres');
    try {
      // A second app on A's schema, as a second process would be; its poll slowed so only the signal can be quick.
      const databaseB = openDatabase({ url: appA.config.databaseUrl, poolSize: 2 });
      const appB = await buildApp({ config: appA.config, database: databaseB, logger });
      try {
        appB.deps.countBoard.stop();
        appB.deps.countBoard.start(60_000);
        const campaign = await makeCampaign(appA.db, { status: 'published' });
        const petition = await makePetition(appA.db, campaign.id);
        await appB.deps.countBoard.refresh();
        const changed: number[] = [];
        appB.deps.countBoard.onChange((ids) => changed.push(...ids));

        await appA.db.insertInto('count_events').values({ petition_id: petition.id, country: 'GB', delta: 1, created_at: new Date().toISOString() }).execute();
        appA.app.deps.countBoard.changedHere();
        await expect.poll(() => appB.deps.countBoard.count(petition.id).total, { timeout: 1500, interval: 10 }).toBe(1);
        expect(changed).toContain(petition.id);
      } finally {
        await appB.close();
        await databaseB.close();
      }
    } finally {
      await appA.close();
    }
  });
});
