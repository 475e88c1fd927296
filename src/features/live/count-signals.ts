/**
 * Scaled mode (PostgreSQL): a process that changes a count says so with `NOTIFY outcry_counts`, and every web process
 * keeps one dedicated connection that LISTENs and reads the counts again at once, instead of at its next
 * one-second poll. The poll stays as the safety net: a notification lost while a listener reconnects costs a second
 * at most. SQLite runs in one process and needs none of this.
 *
 * The notification carries nothing: it only says "read again". Reads it triggers are spaced at least 200 ms apart,
 * so a burst of confirmations costs a few reads, not one each.
 */
import pg from 'pg';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Logger } from '../../log.ts';

export const COUNTS_CHANNEL = 'outcry_counts';

/** Tells every listening process that counts changed. Send it after the change has committed. */
export async function announceCountChange(db: Database): Promise<void> {
  await sql`select pg_notify(${COUNTS_CHANNEL}, '')`.execute(db);
}

export interface CountChangeListenerOptions {
  /** The same DATABASE_URL the pool uses; this listener opens its own connection, outside the pool. */
  url: string;
  logger: Logger;
  /** Called after a notification (and after every reconnection, for what was missed), at most once per `minIntervalMs`. */
  onSignal: () => void;
  minIntervalMs?: number;
  /** First wait before reconnecting, doubled after each failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class CountChangeListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private signalTimer: NodeJS.Timeout | undefined;
  private lastSignalAt = Number.NEGATIVE_INFINITY;
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: CountChangeListenerOptions) {}

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
    if (this.signalTimer) clearTimeout(this.signalTimer);
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
      this.options.logger.warn({ event: 'count-listener-lost', count: this.failures, err }, 'count change listener disconnected; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === COUNTS_CHANNEL) this.signal();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${COUNTS_CHANNEL}`);
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
      this.options.logger.info({ event: 'count-listener-back', count: this.failures }, 'count change listener reconnected');
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
    const wait = Math.max(0, this.lastSignalAt + (this.options.minIntervalMs ?? 200) - Date.now());
    this.signalTimer = setTimeout(() => {
      this.signalTimer = undefined;
      this.lastSignalAt = Date.now();
      this.options.onSignal();
    }, wait);
  }
}
