/**
 * The fan-out on its own, with a stand-in count board and stand-in streams: one subscription per campaign, one
 * Buffer for every listener, coalescing, limits, slow readers, heartbeats, shutdown.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CountBoard, PetitionCount } from '../petitions/index.ts';
import { LIVE_LIMITS, LiveHub, type LiveLimits } from './hub.ts';

class FakeBoard {
  readonly totals = new Map<number, number>();
  readonly listeners = new Set<(ids: number[]) => void>();
  count(id: number): PetitionCount {
    return { total: this.totals.get(id) ?? 0, byCountry: new Map(), updatedAt: '2026-01-01T00:00:00.000Z' };
  }
  onChange(listener: (ids: number[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(id: number, total: number): void {
    this.totals.set(id, total);
    for (const listener of this.listeners) listener([id]);
  }
}

class FakeStream extends EventEmitter {
  readonly chunks: (string | Buffer)[] = [];
  writableLength = 0;
  destroyed = false;
  ended = false;
  socket: { destroyed: boolean } | null = { destroyed: false };
  write(chunk: string | Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }
  end(chunk?: string): void {
    if (chunk !== undefined) this.chunks.push(chunk);
    this.ended = true;
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  text(): string {
    return this.chunks.map(String).join('');
  }
  counts(): { petitionId: number | null; signatures: number }[] {
    return [...this.text().matchAll(/^event: count\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
  }
}

const campaign = (id: number) => ({ id, slug: `campaign-${id}`, goal: 500, updatedAt: '2026-01-01T00:00:00.000Z' });
const petitionsByCampaign = new Map<number, { id: number; goal: number }[]>([
  [
    1,
    [
      { id: 11, goal: 100 },
      { id: 12, goal: 200 },
    ],
  ],
  [2, [{ id: 21, goal: 300 }]],
  [3, []],
]);

describe('LiveHub', () => {
  let board: FakeBoard;
  let hub: LiveHub;
  const limits: LiveLimits = { ...LIVE_LIMITS, maxListeners: 5, maxPerClient: 3 };

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    board = new FakeBoard();
    hub = new LiveHub(board as unknown as CountBoard, async (id) => petitionsByCampaign.get(id) ?? [], limits);
  });
  afterEach(() => {
    hub.close();
    vi.useRealTimers();
  });

  function connect(campaignId: number, clientKey = 'a'): FakeStream {
    const stream = new FakeStream();
    expect(hub.refusal(clientKey)).toBeUndefined();
    hub.add({ campaign: campaign(campaignId), petitions: petitionsByCampaign.get(campaignId)!, clientKey, stream: stream as unknown as ServerResponse });
    return stream;
  }

  it('sends the retry interval and one event per petition on connect, or one like count.json without petitions', () => {
    board.totals.set(11, 7);
    const stream = connect(1);
    expect(stream.text()).toMatch(/^retry: 5000\n\n/);
    expect(stream.counts()).toEqual([
      { slug: 'campaign-1', petitionId: 11, signatures: 7, goal: 100, updatedAt: '2026-01-01T00:00:00.000Z' },
      { slug: 'campaign-1', petitionId: 12, signatures: 0, goal: 200, updatedAt: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(connect(3, 'b').counts()).toEqual([{ slug: 'campaign-3', petitionId: null, signatures: 0, goal: 500, updatedAt: '2026-01-01T00:00:00.000Z' }]);
  });

  it('subscribes once per campaign however many listen, and lets go when the last one leaves', () => {
    const streams = [connect(1, 'a'), connect(1, 'b'), connect(1, 'c'), connect(2, 'd')];
    expect(board.listeners.size).toBe(2);
    expect(hub.campaigns).toBe(2);
    expect(hub.size).toBe(4);
    for (const stream of streams.slice(0, 3)) stream.emit('close');
    expect(board.listeners.size).toBe(1);
    expect(hub.size).toBe(1);
    streams[3]!.emit('close');
    streams[3]!.emit('close');
    expect(board.listeners.size).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('writes one and the same Buffer to every listener of the campaign, and nothing to other campaigns', async () => {
    const listeners = [connect(1, 'a'), connect(1, 'b'), connect(1, 'c')];
    const elsewhere = connect(2, 'd');
    const before = listeners.map((s) => s.chunks.length);
    board.set(11, 42);
    await vi.advanceTimersByTimeAsync(0);
    const sent = listeners.map((s, i) => s.chunks.slice(before[i]));
    expect(sent.map((c) => c.length)).toEqual([1, 1, 1]);
    expect(Buffer.isBuffer(sent[0]![0])).toBe(true);
    expect(sent[1]![0]).toBe(sent[0]![0]);
    expect(sent[2]![0]).toBe(sent[0]![0]);
    expect(String(sent[0]![0])).toBe(
      `event: count\ndata: ${JSON.stringify({ slug: 'campaign-1', petitionId: 11, signatures: 42, goal: 100, updatedAt: '2026-01-01T00:00:00.000Z' })}\n\n`,
    );
    expect(elsewhere.counts()).toHaveLength(1);
  });

  it('broadcasts the first change at once, then at most once a second with the latest numbers', async () => {
    const stream = connect(1);
    const start = stream.counts().length;
    board.set(11, 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.counts().slice(start)).toMatchObject([{ petitionId: 11, signatures: 1 }]);

    for (let n = 2; n <= 6; n += 1) {
      await vi.advanceTimersByTimeAsync(150);
      board.set(11, n);
      if (n === 4) board.set(12, 9);
    }
    expect(stream.counts().slice(start)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000 - 750 - 1);
    expect(stream.counts().slice(start)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    // One broadcast, carrying the latest number of each petition that moved.
    expect(stream.counts().slice(start + 1)).toMatchObject([
      { petitionId: 11, signatures: 6 },
      { petitionId: 12, signatures: 9 },
    ]);
    const writes = stream.chunks.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(stream.chunks.length).toBe(writes);
  });

  it('refuses past the per-address and overall limits, and once closing', () => {
    connect(1, 'a');
    connect(1, 'a');
    connect(1, 'a');
    expect(hub.refusal('a')).toBe('client_limit');
    connect(2, 'b');
    connect(2, 'c');
    expect(hub.refusal('d')).toBe('full');
    hub.close();
    expect(hub.refusal('e')).toBe('closing');
  });

  it('cuts off a reader that has stopped reading instead of buffering for it', async () => {
    const slow = connect(1, 'a');
    const fine = connect(1, 'b');
    slow.writableLength = limits.maxBufferedBytes + 1;
    board.set(11, 5);
    await vi.advanceTimersByTimeAsync(0);
    expect(slow.destroyed).toBe(true);
    expect(fine.counts().at(-1)).toMatchObject({ signatures: 5 });
    expect(hub.size).toBe(1);
  });

  it('sends a heartbeat comment every 25 seconds while anyone listens', async () => {
    const stream = connect(2);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(stream.text().endsWith(': ping\n\n')).toBe(true);
    stream.emit('close');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends every stream on close, with a hint to reconnect soon, and forgets them', () => {
    const streams = [connect(1, 'a'), connect(2, 'b')];
    hub.close();
    expect(streams.every((s) => s.ended)).toBe(true);
    for (const stream of streams) {
      const retry = Number(/retry: (\d+)\n\n$/.exec(stream.text())?.[1]);
      expect(retry).toBeGreaterThanOrEqual(limits.retryMs / 5);
      expect(retry).toBeLessThanOrEqual(limits.retryMs);
    }
    expect(hub.size).toBe(0);
    expect(board.listeners.size).toBe(0);
  });
});
