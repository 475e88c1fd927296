/**
 * The live counter's fan-out: every Server-Sent Events stream open on a campaign, grouped by campaign.
 *
 * Each campaign with listeners subscribes once to the CountBoard. When a count of one of its petitions moves, the
 * campaign's channel builds one message (one `event: count` per petition that moved), serialises it once into one
 * Buffer, and writes that same Buffer to every stream: no per-listener work beyond the write itself. Broadcasts are
 * coalesced to at most one per campaign per `minIntervalMs` (one second): the first change after a quiet second goes
 * out at once, later ones wait for the end of the second and go out together with the latest numbers.
 *
 * A listener costs the hub one Set entry and one closure; everything else is the socket Node holds anyway. A stream
 * that stops reading (more than `maxBufferedBytes` waiting) is cut off rather than buffered without end: its browser
 * reconnects (`retry: 5000`) and gets the current numbers again.
 *
 * Clients (an IPv4 address, an IPv6 /64: see web/client-key.ts) are counted in memory only, to cap streams per
 * client; they are never stored or logged.
 */
import type { ServerResponse } from 'node:http';
import { SYSTEM_CLOCK, type Clock } from '../../clock.ts';
import type { CountBoard } from '../petitions/index.ts';

export interface LiveLimits {
  /** Streams open at once in this process. */
  readonly maxListeners: number;
  /** Streams open at once from one client (an IPv4 address or an IPv6 /64). */
  readonly maxPerClient: number;
  /** At most one broadcast per campaign per this many milliseconds. */
  readonly minIntervalMs: number;
  /** A comment line this often keeps proxies from closing quiet streams. */
  readonly heartbeatMs: number;
  /** A stream with more than this waiting to be sent is closed. */
  readonly maxBufferedBytes: number;
  /** Tells browsers how long to wait before reconnecting. */
  readonly retryMs: number;
}

export const LIVE_LIMITS: LiveLimits = Object.freeze({
  maxListeners: 20_000,
  maxPerClient: 20,
  minIntervalMs: 1000,
  heartbeatMs: 25_000,
  maxBufferedBytes: 64 * 1024,
  retryMs: 5000,
});

/** The `data` of one `event: count`: the same fields as count.json, plus which petition. */
export interface CountMessage {
  slug: string;
  /** null only for a campaign without any petition (its one event then mirrors count.json). */
  petitionId: number | null;
  signatures: number;
  goal: number;
  updatedAt: string;
}

export interface LiveCampaign {
  id: number;
  slug: string;
  goal: number;
  updatedAt: string;
}

export interface LivePetition {
  id: number;
  goal: number;
}

export type Refusal = 'closing' | 'full' | 'client_limit';

const HEARTBEAT = Buffer.from(': ping\n\n', 'utf8');

export function countFrame(message: CountMessage): string {
  return `event: count\ndata: ${JSON.stringify(message)}\n\n`;
}

class Channel {
  readonly streams = new Set<ServerResponse>();
  /** The campaign's petitions and goals, as of the last stream opened or broadcast. */
  petitions = new Map<number, number>();
  readonly pending = new Set<number>();
  lastSentAt = Number.NEGATIVE_INFINITY;
  timer: unknown;
  flushing = false;
  unsubscribe: () => void = () => undefined;

  constructor(
    readonly campaignId: number,
    public slug: string,
    /** When the campaign last changed: what a count that never moved says it was updated. */
    public updatedAt: string,
  ) {}
}

export class LiveHub {
  private readonly channels = new Map<number, Channel>();
  private readonly perClient = new Map<string, number>();
  private listeners = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private lastBroadcastStats: { streams: number; ms: number } | undefined;

  constructor(
    private readonly board: CountBoard,
    /** The campaign's petitions now (a cached lookup): read once per broadcast, for goals. */
    private readonly petitionsOf: (campaignId: number) => Promise<LivePetition[]>,
    private readonly limits: LiveLimits = LIVE_LIMITS,
    private readonly onError: (error: unknown) => void = () => undefined,
    /** What spaces broadcasts `minIntervalMs` apart. Replace it only while no broadcast is waiting. */
    public clock: Clock = SYSTEM_CLOCK,
  ) {}

  /** How many streams are open. */
  get size(): number {
    return this.listeners;
  }

  /** How many campaigns have streams open (each holds one CountBoard subscription). */
  get campaigns(): number {
    return this.channels.size;
  }

  /** The last broadcast: to how many streams, and how long handing them all to the kernel took. */
  get lastBroadcast(): { streams: number; ms: number } | undefined {
    return this.lastBroadcastStats;
  }

  /** Why a new stream from `clientKey` would be refused now, or undefined if it would be taken. */
  refusal(clientKey: string): Refusal | undefined {
    if (this.closed) return 'closing';
    if (this.listeners >= this.limits.maxListeners) return 'full';
    if ((this.perClient.get(clientKey) ?? 0) >= this.limits.maxPerClient) return 'client_limit';
    return undefined;
  }

  /**
   * Takes a stream whose headers are written: sends the retry interval and the current counts, then every change.
   * Call only after `refusal(clientKey)` said nothing, in the same tick.
   */
  add(options: { campaign: LiveCampaign; petitions: LivePetition[]; clientKey: string; stream: ServerResponse }): void {
    const { campaign, petitions, clientKey, stream } = options;
    const channel = this.channelFor(campaign);
    channel.slug = campaign.slug;
    channel.petitions = new Map(petitions.map((p) => [p.id, p.goal]));

    let first = `retry: ${this.limits.retryMs}\n\n`;
    if (petitions.length === 0) {
      first += countFrame({ slug: campaign.slug, petitionId: null, signatures: 0, goal: campaign.goal, updatedAt: campaign.updatedAt });
    }
    for (const petition of petitions) first += countFrame(this.messageFor(channel, petition.id, petition.goal));

    channel.streams.add(stream);
    this.listeners += 1;
    this.perClient.set(clientKey, (this.perClient.get(clientKey) ?? 0) + 1);
    let removed = false;
    const remove = () => {
      if (removed) return;
      removed = true;
      this.remove(channel, stream, clientKey);
    };
    stream.once('close', remove);
    // Kept on (not once): a second error with no listener would be thrown.
    stream.on('error', remove);
    this.startHeartbeat();
    if (stream.destroyed || stream.socket === null || stream.socket.destroyed) remove();
    else stream.write(first);
  }

  /**
   * Ends every stream and refuses new ones: for a clean shutdown. Each stream is told to reconnect after a moment
   * spread over the retry interval, so a crowd does not come back all at once (to a process still running, behind a
   * proxy, or to this one restarted).
   */
  close(): void {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const channel of [...this.channels.values()]) {
      if (channel.timer) this.clock.clearTimeout(channel.timer);
      channel.unsubscribe();
      for (const stream of [...channel.streams]) stream.end(`retry: ${Math.round(this.limits.retryMs * (0.2 + 0.8 * Math.random()))}\n\n`);
    }
  }

  private channelFor(campaign: LiveCampaign): Channel {
    let channel = this.channels.get(campaign.id);
    if (!channel) {
      const created = new Channel(campaign.id, campaign.slug, campaign.updatedAt);
      created.unsubscribe = this.board.onChange((petitionIds) => this.noteChange(created, petitionIds));
      this.channels.set(campaign.id, created);
      channel = created;
    }
    return channel;
  }

  private remove(channel: Channel, stream: ServerResponse, clientKey: string): void {
    if (!channel.streams.delete(stream)) return;
    this.listeners -= 1;
    const left = (this.perClient.get(clientKey) ?? 1) - 1;
    if (left > 0) this.perClient.set(clientKey, left);
    else this.perClient.delete(clientKey);
    if (channel.streams.size === 0) {
      channel.unsubscribe();
      if (channel.timer) this.clock.clearTimeout(channel.timer);
      channel.timer = undefined;
      channel.pending.clear();
      if (this.channels.get(channel.campaignId) === channel) this.channels.delete(channel.campaignId);
    }
    if (this.listeners === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private noteChange(channel: Channel, petitionIds: number[]): void {
    for (const id of petitionIds) if (channel.petitions.has(id)) channel.pending.add(id);
    if (channel.pending.size > 0) this.schedule(channel);
  }

  private schedule(channel: Channel): void {
    if (channel.timer || channel.flushing || this.closed || channel.streams.size === 0) return;
    const wait = channel.lastSentAt + this.limits.minIntervalMs - this.clock.now();
    if (wait <= 0) void this.flush(channel);
    else channel.timer = this.clock.setTimeout(() => void this.flush(channel), wait);
  }

  private async flush(channel: Channel): Promise<void> {
    channel.timer = undefined;
    channel.flushing = true;
    try {
      try {
        const petitions = await this.petitionsOf(channel.campaignId);
        channel.petitions = new Map(petitions.map((p) => [p.id, p.goal]));
      } catch (error) {
        // The goals last known will do; the numbers come from memory.
        this.onError(error);
      }
      if (this.closed || channel.streams.size === 0) return;
      let message = '';
      for (const petitionId of channel.pending) {
        const goal = channel.petitions.get(petitionId);
        if (goal !== undefined) message += countFrame(this.messageFor(channel, petitionId, goal));
      }
      channel.pending.clear();
      if (message === '') return;
      channel.lastSentAt = this.clock.now();
      const started = performance.now();
      this.broadcast(channel, Buffer.from(message, 'utf8'));
      this.lastBroadcastStats = { streams: channel.streams.size, ms: performance.now() - started };
    } finally {
      channel.flushing = false;
      if (channel.pending.size > 0) this.schedule(channel);
    }
  }

  private messageFor(channel: Channel, petitionId: number, goal: number): CountMessage {
    const count = this.board.count(petitionId);
    return { slug: channel.slug, petitionId, signatures: count.total, goal, updatedAt: count.updatedAt ?? channel.updatedAt };
  }

  /** One Buffer, written to every stream of the channel. */
  private broadcast(channel: Channel, chunk: Buffer): void {
    for (const stream of channel.streams) this.send(stream, chunk);
  }

  private send(stream: ServerResponse, chunk: Buffer): void {
    if (stream.destroyed || stream.writableEnded) return;
    if (stream.writableLength > this.limits.maxBufferedBytes) {
      // A reader this far behind is gone or hostile; it reconnects and starts afresh.
      stream.destroy();
      return;
    }
    stream.write(chunk);
  }

  private startHeartbeat(): void {
    this.heartbeat ??= setInterval(() => {
      for (const channel of this.channels.values()) this.broadcast(channel, HEARTBEAT);
    }, this.limits.heartbeatMs).unref();
  }
}
