/**
 * LISTEN on a PostgreSQL channel from a connection of its own, outside the pool, reconnecting with backoff when the
 * connection drops. A notification carries nothing: it only says "read again". Signals are spaced at least
 * `minIntervalMs` apart, so a burst of notifications costs a few reads, not one each; after a reconnection one signal
 * covers whatever was announced meanwhile.
 */
import pg from 'pg';
import { SYSTEM_CLOCK, type Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';

export interface NotificationListenerOptions {
  /** The same DATABASE_URL the pool uses; this listener opens its own connection, outside the pool. */
  url: string;
  channel: string;
  /** What the listener's log lines call it (`<name>-listener-lost`, `<name>-listener-back`). */
  name: string;
  logger: Logger;
  /** Called after a notification (and after every reconnection, for what was missed), at most once per `minIntervalMs`. */
  onSignal: () => void;
  minIntervalMs?: number;
  /** What spaces the signals `minIntervalMs` apart: the system's time and timers unless a test brings its own. */
  clock?: Clock;
  /** First wait before reconnecting, doubled after each failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class NotificationListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private signalTimer: unknown;
  private lastSignalAt = Number.NEGATIVE_INFINITY;
  private connecting: Promise<void> | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: NotificationListenerOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** True while a connection is up and listening. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** The listening connection's server process id, or undefined while disconnected. */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  /** Connects and listens. A failure is logged and retried in the background; it never fails the caller. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.signalTimer) this.clock.clearTimeout(this.signalTimer);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    // TCP keepalive notices a peer that vanished; the timeout keeps an unreachable server from stalling start-up.
    const client = new pg.Client({ connectionString: this.options.url, keepAlive: true, connectionTimeoutMillis: 10_000 });
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.failures += 1;
      this.options.logger.warn(
        { event: `${this.options.name}-listener-lost`, count: this.failures, err },
        `${this.options.name} listener disconnected; reconnecting`,
      );
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.signal();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.options.channel)}`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (this.stopped || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failures > 0) {
      this.options.logger.info({ event: `${this.options.name}-listener-back`, count: this.failures }, `${this.options.name} listener reconnected`);
      // Whatever was announced while we were away: read once now.
      this.signal();
    }
    this.failures = 0;
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.stopped) return;
    const initial = this.options.initialBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 30_000;
    const wait = Math.min(max, initial * 2 ** Math.min(this.failures - 1, 16));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, wait);
    this.reconnectTimer.unref();
  }

  private signal(): void {
    if (this.signalTimer || this.stopped) return;
    const wait = Math.max(0, this.lastSignalAt + (this.options.minIntervalMs ?? 200) - this.clock.now());
    this.signalTimer = this.clock.setTimeout(() => {
      this.signalTimer = undefined;
      this.lastSignalAt = this.clock.now();
      this.options.onSignal();
    }, wait);
  }
}
