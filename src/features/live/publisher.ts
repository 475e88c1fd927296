/**
 * The live counter fanned out by the proxy (LIVE_PUBLISH_URL): Outcry publishes each campaign's counts to nginx's nchan
 * module (deploy/nginx/outcry.conf), which holds every visitor's stream at `/c/{slug}/events`; Outcry holds none. A
 * crowd of ten thousand open counters then costs this process one small POST per campaign per second, not ten thousand
 * sockets and writes.
 *
 * Each message is the whole of a campaign's counts (`event: counts`: an array of what `event: count` carries), because
 * the proxy keeps only the newest message and hands it to each new listener at once. A campaign is published when one
 * of its numbers moves (at most once per `minIntervalMs`) and every `refreshMs` regardless: a proxy restarted empty has
 * every campaign's counts back within that (its listeners wait for them).
 */
import http from 'node:http';
import { SYSTEM_CLOCK, type Clock } from '../../clock.ts';
import type { CountBoard } from '../petitions/index.ts';
import { campaignCounts, type CountMessage, type LiveCampaign, type LivePetition } from './hub.ts';

export interface PublisherTiming {
  /** At most one message per campaign this often while its numbers move. */
  readonly minIntervalMs: number;
  /** Every campaign is published again this often, moved or not. */
  readonly refreshMs: number;
}

export const PUBLISHER_TIMING: PublisherTiming = Object.freeze({ minIntervalMs: 1000, refreshMs: 30_000 });

/** Sends one campaign's message to the proxy; rejects unless the proxy took it. */
export type SendCounts = (slug: string, messages: readonly CountMessage[]) => Promise<void>;

export class LivePublisher {
  /** What each campaign was last published as, to publish only what moved. */
  private readonly published = new Map<number, string>();
  private unsubscribe: () => void = () => undefined;
  private timer: unknown;
  private refreshTimer: unknown;
  private running: Promise<void> | undefined;
  private changed = false;
  private lastRunAt = Number.NEGATIVE_INFINITY;
  private stopped = true;
  private failing = false;

  constructor(
    private readonly board: CountBoard,
    /** Every campaign a visitor can open (a cached read). */
    private readonly campaigns: () => Promise<LiveCampaign[]>,
    /** A campaign's petitions and goals (a cached read). */
    private readonly petitionsOf: (campaignId: number) => Promise<LivePetition[]>,
    private readonly send: SendCounts,
    private readonly onError: (error: unknown) => void,
    private readonly timing: PublisherTiming = PUBLISHER_TIMING,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  /** Publishes every campaign now, then what moves and a refresh of all every `refreshMs`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.board.onChange(() => {
      this.changed = true;
      this.schedule();
    });
    this.refreshAll();
  }

  /** Stops publishing; resolves once a message being sent has been answered. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.refreshTimer);
    this.timer = this.refreshTimer = undefined;
    await this.running;
  }

  /** Resolves once whatever is being published now has been sent (for tests). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private refreshAll(): void {
    if (this.stopped) return;
    this.published.clear();
    this.changed = true;
    this.schedule();
    this.refreshTimer = this.clock.setTimeout(() => this.refreshAll(), this.timing.refreshMs);
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.running) return;
    const wait = Math.max(0, this.lastRunAt + this.timing.minIntervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.publishChanged().finally(() => {
        this.running = undefined;
        if (this.changed) this.schedule();
      });
    }, wait);
  }

  private async publishChanged(): Promise<void> {
    if (!this.changed || this.stopped) return;
    this.changed = false;
    this.lastRunAt = this.clock.now();
    try {
      for (const campaign of await this.campaigns()) {
        const messages = campaignCounts(this.board, campaign, await this.petitionsOf(campaign.id));
        const text = JSON.stringify(messages);
        if (this.published.get(campaign.id) === text) continue;
        await this.send(campaign.slug, messages);
        this.published.set(campaign.id, text);
      }
      this.failing = false;
    } catch (error) {
      // Tried again a second later (what was sent stays sent); said once per run of failures, not once a second.
      if (!this.failing) this.onError(error);
      this.failing = true;
      this.changed = true;
    }
  }
}

/** POSTs a campaign's counts to `baseUrl` + its slug, as nchan's publisher takes them (the event named by a header). */
export function nchanSender(baseUrl: string, timeoutMs = 5000): SendCounts {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  return (slug, messages) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(messages);
      const request = http.request(
        new URL(encodeURIComponent(slug), baseUrl),
        {
          method: 'POST',
          agent,
          timeout: timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-eventsource-event': 'counts' },
        },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`the live publisher answered ${status}`));
        },
      );
      request.on('timeout', () => request.destroy(new Error('the live publisher did not answer in time')));
      request.on('error', reject);
      request.end(body);
    });
}
