/**
 * The live counter over a real HTTP connection (inject cannot stream), on both databases: the first events on
 * connect, a confirmation reaching listeners, coalescing to one broadcast a second, refusals, and a clean shutdown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect, startTestApp } from '../../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { ManualClock } from '../../../test/helpers/manual-clock.ts';
import { countsOf, openSse, type SseStream } from '../../../test/helpers/sse.ts';
import type { Database } from '../../db/database.ts';
import { LIVE_LIMITS } from './hub.ts';
import { liveHubOf } from './routes.ts';

async function addCounted(db: Database, petitionId: number, delta = 1): Promise<void> {
  await db.insertInto('count_events').values({ petition_id: petitionId, country: 'GB', delta, created_at: new Date().toISOString() }).execute();
}

describeEachDialect('live counter (Server-Sent Events)', (ctx) => {
  let origin: string;
  const streams: SseStream[] = [];

  beforeAll(async () => {
    const address = await ctx().app.listen({ port: 0, host: '127.0.0.1' });
    origin = new URL(address).origin;
    await makeOrganisationKey(ctx().db, ctx().app.signing.sealer);
  });

  afterAll(() => {
    for (const stream of streams) stream.close();
  });

  async function open(path: string, options: { headers?: Record<string, string>; localAddress?: string } = {}): Promise<SseStream> {
    const stream = await openSse(`${origin}${path}`, options);
    streams.push(stream);
    return stream;
  }

  /**
   * Puts the app's hub on a clock only the test moves (starting at the real time, so nothing jumps back when the real
   * one returns); call the result to put the real one back.
   */
  function onManualClock(): (() => void) & { clock: ManualClock } {
    const hub = liveHubOf(ctx().app)!;
    const real = hub.clock;
    const clock = new ManualClock(real.now());
    hub.clock = clock;
    return Object.assign(() => void (hub.clock = real), { clock });
  }

  async function campaignWithPetitions(petitions = 1, status: 'published' | 'archived' | 'draft' = 'published') {
    const campaign = await makeCampaign(ctx().db, { status });
    const ids: number[] = [];
    for (let i = 0; i < petitions; i += 1) ids.push((await makePetition(ctx().db, campaign.id, { goal: 1000 + i })).id);
    return { slug: campaign.input.slug, campaignId: campaign.id, goal: campaign.input.goal, petitionIds: ids };
  }

  it('opens with the retry interval and the current count of every petition of the campaign', async () => {
    const { slug, petitionIds } = await campaignWithPetitions(2);
    await addCounted(ctx().db, petitionIds[0]!, 3);
    await ctx().app.countBoard.refresh();

    const stream = await open(`/c/${slug}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    expect(stream.headers['content-security-policy']).toContain("default-src 'none'");
    expect(stream.headers['x-content-type-options']).toBe('nosniff');
    expect(stream.headers['x-frame-options']).toBe('DENY');

    await stream.waitFor((e) => e.event === 'count' && JSON.parse(e.data).petitionId === petitionIds[1]);
    expect(stream.retry).toBe(5000);
    const counts = countsOf(stream);
    expect(counts).toHaveLength(2);
    expect(counts[0]).toMatchObject({ slug, petitionId: petitionIds[0], signatures: 3, goal: 1000 });
    expect(counts[1]).toMatchObject({ slug, petitionId: petitionIds[1], signatures: 0, goal: 1001 });
    expect(Object.keys(counts[0]!).sort()).toEqual(['goal', 'petitionId', 'signatures', 'slug', 'updatedAt']);
    expect(Number.isNaN(Date.parse(counts[0]!.updatedAt))).toBe(false);
  });

  it('gives a campaign without a petition one event like count.json, and serves archived campaigns too', async () => {
    const bare = await campaignWithPetitions(0);
    const stream = await open(`/c/${bare.slug}/events`);
    const event = await stream.waitFor((e) => e.event === 'count');
    expect(JSON.parse(event.data)).toMatchObject({ slug: bare.slug, petitionId: null, signatures: 0, goal: bare.goal });

    const archived = await campaignWithPetitions(1, 'archived');
    const archivedStream = await open(`/c/${archived.slug}/events`);
    expect(archivedStream.status).toBe(200);
    await archivedStream.waitFor((e) => e.event === 'count');
  });

  it('sends a confirmed signature to every listener as one count event', async () => {
    const { app } = ctx();
    const { slug, petitionIds } = await campaignWithPetitions(1);
    const petitionId = petitionIds[0]!;
    const listeners = await Promise.all([open(`/c/${slug}/events`), open(`/c/${slug}/events`), open(`/c/${slug}/events`)]);
    for (const stream of listeners) await stream.waitFor((e) => e.event === 'count');
    const before = listeners.map((s) => s.events.length);

    const browser = new Browser(app);
    const fields = signFields(app);
    expect((await browser.post(`/c/${slug}/sign`, fields)).statusCode).toBe(303);
    const mail = (await queuedConfirmations(app, { petitionId })).find((m) => m.to === fields['email']);
    expect(mail).toBeDefined();
    // Still pending: nothing to tell anyone yet.
    await sleep(300);
    expect(listeners.map((s) => countsOf(s, before[0]).length)).toEqual([0, 0, 0]);

    // From here the hub runs on a clock only this test moves, and the board's one-second poll is off: an event can
    // only come from the route reading the counts itself, and only at once, not after a wait on the hub's clock.
    const restore = onManualClock();
    app.countBoard.stop();
    try {
      const { clock } = restore;
      const confirmedAt = clock.now();
      expect((await browser.post(`/confirm/${mail!.confirmToken}`, {})).statusCode).toBe(200);
      for (const [i, stream] of listeners.entries()) {
        const event = await stream.waitFor((e) => e.event === 'count', { from: before[i]! });
        expect(JSON.parse(event.data)).toMatchObject({ slug, petitionId, signatures: 1, goal: 1000 });
        // Straight away: the route reads the counts itself, and the first change after a quiet second goes out at once.
        expect(clock.now() - confirmedAt).toBe(0);
      }
      // Nothing held back to go out later either.
      expect(clock.pending).toEqual([]);
      clock.advance(1200);
      await sleep(1200);
      expect(listeners.map((s, i) => countsOf(s, before[i]).length)).toEqual([1, 1, 1]);

      // Withdrawing takes the signature off the count, and listeners hear that too.
      expect((await browser.post(`/withdraw/${mail!.withdrawToken}`, {})).statusCode).toBe(200);
      for (const [i, stream] of listeners.entries()) {
        const event = await stream.waitFor((e) => e.event === 'count' && JSON.parse(e.data).signatures === 0, { from: before[i]! });
        expect(JSON.parse(event.data)).toMatchObject({ slug, petitionId });
      }
    } finally {
      app.countBoard.start();
      restore();
    }
  });

  it('holds one subscription per campaign, and lets go of it when the last listener leaves', async () => {
    const hub = liveHubOf(ctx().app)!;
    const { slug } = await campaignWithPetitions(1);
    const campaigns = hub.campaigns;
    const size = hub.size;
    const listeners = await Promise.all([open(`/c/${slug}/events`), open(`/c/${slug}/events`)]);
    for (const stream of listeners) await stream.waitFor((e) => e.event === 'count');
    expect(hub.campaigns).toBe(campaigns + 1);
    expect(hub.size).toBe(size + 2);
    for (const stream of listeners) stream.close();
    await expect.poll(() => hub.size).toBe(size);
    expect(hub.campaigns).toBe(campaigns);
  });

  it('coalesces many changes within a second into at most one event a second, ending on the latest number', async () => {
    const { db, app } = ctx();
    const { slug, petitionIds } = await campaignWithPetitions(1);
    const petitionId = petitionIds[0]!;
    const other = await campaignWithPetitions(1);
    const stream = await open(`/c/${slug}/events`);
    await stream.waitFor((e) => e.event === 'count');
    const from = stream.events.length;

    // The hub's clock, moved by hand: when a broadcast goes out is decided by it alone, so the spacing is checked
    // exactly however slow the machine. The clock stands still while the test waits for an event to arrive, so the
    // time it reads then is the time the event was sent.
    const restore = onManualClock();
    try {
      const { clock } = restore;
      const updates = () => stream.events.slice(from).filter((e) => e.event === 'count');
      const sentAt: number[] = [];
      const arrived = async (signatures: number) => {
        await stream.waitFor((e) => e.event === 'count' && JSON.parse(e.data).signatures === signatures, { from, timeoutMs: 4000 });
        while (sentAt.length < updates().length) sentAt.push(clock.now());
      };

      const firstChangeAt = clock.now();
      for (let i = 1; i <= 8; i += 1) {
        await addCounted(db, petitionId);
        // A change to another campaign's petition must not reach this campaign's listeners.
        await addCounted(db, other.petitionIds[0]!);
        await app.countBoard.refresh();
        // The first goes out at once; waiting for it keeps the next change from joining it.
        if (i === 1) await arrived(1);
        clock.advance(120);
      }
      // 960 ms of changes: the rest wait for the end of the second.
      expect(clock.pending).toEqual([firstChangeAt + LIVE_LIMITS.minIntervalMs]);
      clock.advance(firstChangeAt + LIVE_LIMITS.minIntervalMs - clock.now());
      await arrived(8);
      // And then nothing more: no broadcast waits on the clock, and none comes however far it moves.
      expect(clock.pending).toEqual([]);
      clock.advance(1300);
      await sleep(300);

      const numbers = updates().map((e) => JSON.parse(e.data) as { petitionId: number; signatures: number });
      expect(numbers.every((n) => n.petitionId === petitionId)).toBe(true);
      expect(numbers.at(-1)!.signatures).toBe(8);
      expect(numbers.map((n) => n.signatures)).toEqual([...numbers.map((n) => n.signatures)].sort((a, b) => a - b));
      // About a second of changes: a leading broadcast and a trailing one or two, never one per change.
      expect(updates().length).toBeGreaterThanOrEqual(2);
      expect(updates().length).toBeLessThanOrEqual(3);
      expect(sentAt).toHaveLength(updates().length);
      expect(sentAt[0]! - firstChangeAt).toBeLessThan(600);
      for (let i = 1; i < sentAt.length; i += 1) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(LIVE_LIMITS.minIntervalMs);
      // Exactly: the first at once, the latest number at the end of the second.
      expect(numbers.map((n) => n.signatures)).toEqual([1, 8]);
      expect(sentAt.map((t) => t - firstChangeAt)).toEqual([0, LIVE_LIMITS.minIntervalMs]);
    } finally {
      stream.close();
      restore();
    }
  });

  it('answers 404 for an unknown campaign, a draft, and a malformed slug', async () => {
    const draft = await campaignWithPetitions(1, 'draft');
    for (const path of ['/c/no-such-campaign/events', `/c/${draft.slug}/events`, '/c/Not%20A%20Slug/events']) {
      const stream = await open(path, { headers: { accept: 'application/json' } });
      expect(stream.status, path).toBe(404);
      await stream.waitForEnd();
      expect(JSON.parse(stream.body)).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it(`refuses more than ${LIVE_LIMITS.maxPerClient} streams from one address with a 429, and takes one again when another closes`, async () => {
    const { slug } = await campaignWithPetitions(1);
    // An address of its own, so other tests' streams do not count against it.
    const localAddress = '127.0.9.9';
    const mine: SseStream[] = [];
    for (let i = 0; i < LIVE_LIMITS.maxPerClient; i += 1) mine.push(await open(`/c/${slug}/events`, { localAddress }));
    expect(mine.every((s) => s.status === 200)).toBe(true);

    const refused = await open(`/c/${slug}/events`, { localAddress });
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toContain('application/json');
    expect(refused.headers['retry-after']).toBe('30');
    await refused.waitForEnd();
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });

    // Another address is not affected.
    expect((await open(`/c/${slug}/events`, { localAddress: '127.0.9.10' })).status).toBe(200);

    mine[0]!.close();
    await expect
      .poll(async () => {
        const again = await open(`/c/${slug}/events`, { localAddress });
        if (again.status !== 200) await again.waitForEnd();
        else mine.push(again);
        return again.status;
      })
      .toBe(200);
    for (const stream of mine) stream.close();
  });

  it('counts a whole IPv6 /64 as one client, however many of its addresses connect', async () => {
    // Behind a trusted proxy, so the test can speak from any address.
    const other = await startTestApp(ctx().dialect, { TRUST_PROXY: 'loopback' });
    const opened: SseStream[] = [];
    try {
      const campaign = await makeCampaign(other.db, { status: 'published' });
      await makePetition(other.db, campaign.id);
      const address = await other.app.listen({ port: 0, host: '127.0.0.1' });
      const from = async (ip: string) => {
        const stream = await openSse(`${address}/c/${campaign.input.slug}/events`, { headers: { 'x-forwarded-for': ip } });
        opened.push(stream);
        return stream;
      };
      for (let i = 1; i <= LIVE_LIMITS.maxPerClient; i += 1) expect((await from(`2001:db8:5:6::${i.toString(16)}`)).status).toBe(200);
      expect((await from('2001:DB8:5:6:ffff:ffff:ffff:ffff')).status).toBe(429);
      expect((await from('2001:db8:5:7::1')).status).toBe(200);
    } finally {
      for (const stream of opened) stream.close();
      await other.close();
    }
  });

  it('ends every stream when the app closes, so shutdown never hangs', async () => {
    const other = await startTestApp(ctx().dialect);
    let closed = false;
    try {
      const campaign = await makeCampaign(other.db, { status: 'published' });
      await makePetition(other.db, campaign.id);
      const address = await other.app.listen({ port: 0, host: '127.0.0.1' });
      const opened = await Promise.all([1, 2, 3].map(() => openSse(`${address}/c/${campaign.input.slug}/events`)));
      for (const stream of opened) await stream.waitFor((e) => e.event === 'count');
      // Open streams would hold close() for ever: the hub ends them first. A hang fails here, not at the test's timeout.
      let settled = false;
      const closing = other.close().finally(() => (settled = true));
      closed = true;
      await expect.poll(() => settled, { timeout: 5000, interval: 10 }).toBe(true);
      await closing;
      for (const stream of opened) await stream.waitForEnd(2000);
    } finally {
      if (!closed) await other.close();
    }
  });

  it('logs no client address, and no error', () => {
    // Fastify's own "Server listening at" line names the server's address; no line names a client's.
    const text = ctx()
      .logs.filter((line) => !line.includes('Server listening at'))
      .join('');
    expect(text).not.toMatch(/127\.0\.9\.(9|10)|127\.0\.0\.1/);
    expect(text).not.toMatch(/"level":"(error|fatal)"/);
  });
});
