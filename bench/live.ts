/**
 * node --expose-gc --import tsx bench/live.ts [listeners=10000] [rounds=5] [client processes=2]
 *
 * The live counter at scale: N Server-Sent Events listeners on one campaign, held by one process. Reports the memory
 * each listener costs the server (heap + external after GC, and RSS) and how long one count change takes to reach
 * every listener (p50/p99/max, and the server's own write loop), against a baseline measured in the same run: a bare
 * node:http server holding the same number of event streams and writing one Buffer to each. The listeners live in
 * separate processes (bench/live-clients.js). Not a test: nothing here asserts; the targets are < 20 KB per listener
 * and p99 < 250 ms.
 *
 * On a small machine the end-to-end latency is the listeners' own: a few processes reading 10,000 sockets on the
 * cores the server also uses. The write loop (every socket handed the update) is the server's share.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { findCampaignBySlug } from '../src/features/campaigns/queries.ts';
import { loadDemo } from '../src/features/demo/load.ts';
import { FEATURES } from '../src/features/index.ts';
import { liveHubOf } from '../src/features/live/routes.ts';
import { listPetitionsOfCampaign } from '../src/features/petitions/queries.ts';
import { createLogger } from '../src/log.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LISTENERS = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const CLIENT_PROCESSES = Number(process.argv[4] ?? 2);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/live.ts');

interface Memory {
  heapAndExternal: number;
  rss: number;
}

async function settledMemory(): Promise<Memory> {
  for (let i = 0; i < 3; i += 1) {
    gc!();
    await sleep(50);
  }
  const usage = process.memoryUsage();
  return { heapAndExternal: usage.heapUsed + usage.external, rss: usage.rss };
}

/** The listeners, spread over several processes as they would be over many browsers. */
class Clients {
  private readonly children: ChildProcess[] = [];
  private readonly inboxes: { type: string; [key: string]: unknown }[][] = [];
  private readonly wakes: ((() => void) | undefined)[] = [];

  constructor(processes: number) {
    for (let i = 0; i < processes; i += 1) {
      const child = fork(path.join(ROOT, 'bench/live-clients.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.inboxes.push([]);
      this.wakes.push(undefined);
      child.on('message', (message: { type: string }) => {
        this.inboxes[i]!.push(message);
        this.wakes[i]?.();
      });
      this.children.push(child);
    }
  }

  private async nextFrom<T>(i: number, type: string): Promise<T> {
    for (;;) {
      const inbox = this.inboxes[i]!;
      const at = inbox.findIndex((m) => m.type === type);
      if (at >= 0) return inbox.splice(at, 1)[0] as T;
      await new Promise<void>((resolve) => (this.wakes[i] = resolve));
    }
  }

  /** The message of `type` from every process. */
  next<T>(type: string): Promise<T[]> {
    return Promise.all(this.children.map((_, i) => this.nextFrom<T>(i, type)));
  }

  send(message: object): void {
    for (const child of this.children) child.send(message);
  }

  async open(url: string, count: number): Promise<{ opened: number; failed: number }> {
    const share = Math.ceil(count / this.children.length);
    for (const [i, child] of this.children.entries()) child.send({ type: 'open', url, count: Math.min(share, count - i * share), from: i * share });
    const replies = await this.next<{ opened: number; failed: number }>('ready');
    return { opened: replies.reduce((n, r) => n + r.opened, 0), failed: replies.reduce((n, r) => n + r.failed, 0) };
  }

  async closeAll(): Promise<void> {
    this.send({ type: 'close' });
    await this.next('closed');
  }

  kill(): void {
    for (const child of this.children) child.kill();
  }
}

interface Result {
  listeners: number;
  failed: number;
  bytesPerListener: { heapAndExternal: number; rss: number };
  fanOutMs: { p50: number; p99: number; max: number };
  /** The server's write loop: one Buffer handed to every stream's socket (median of the rounds). */
  writeLoopMs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function measure(name: string, clients: Clients, url: string, change: (round: number) => Promise<void>, lastLoopMs: () => number): Promise<Result> {
  const before = await settledMemory();
  const { opened, failed } = await clients.open(url, LISTENERS);
  await sleep(500);
  const after = await settledMemory();
  const latencies: number[] = [];
  const loopMs: number[] = [];
  // Round 0 warms up both processes (JIT, buffers) and is not counted.
  for (let round = 1; round <= ROUNDS + 1; round += 1) {
    // More than a second apart, so every change is a broadcast of its own (not coalesced with the one before).
    await sleep(1100);
    clients.send({ type: 'expect', signatures: round });
    await clients.next('expecting');
    const t0 = Date.now();
    await change(round);
    await new Promise((resolve) => setImmediate(resolve));
    if (round > 1) loopMs.push(lastLoopMs());
    const replies = await clients.next<{ arrivals: number[] }>('arrived');
    if (round > 1) for (const { arrivals } of replies) for (const at of arrivals) latencies.push(at - t0);
  }
  latencies.sort((a, b) => a - b);
  const result: Result = {
    listeners: opened,
    failed,
    bytesPerListener: {
      heapAndExternal: Math.round((after.heapAndExternal - before.heapAndExternal) / opened),
      rss: Math.round((after.rss - before.rss) / opened),
    },
    fanOutMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1)! },
    writeLoopMs: Number(
      percentile(
        [...loopMs].sort((a, b) => a - b),
        50,
      ).toFixed(1),
    ),
  };
  process.stdout.write(`${name}: ${JSON.stringify(result)}\n`);
  await clients.closeAll();
  await sleep(500);
  return result;
}

/** The baseline: node:http, the same stream headers and first event, one Buffer written to every response. */
async function bare(clients: Clients): Promise<Result> {
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    response.write(
      `retry: 5000\n\nevent: count\ndata: ${JSON.stringify({ slug: 'bare', petitionId: 1, signatures: 0, goal: 100000, updatedAt: new Date().toISOString() })}\n\n`,
    );
    streams.add(response);
    response.on('close', () => streams.delete(response));
    request.resume();
  });
  server.maxConnections = LISTENERS * 2;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    let loop = 0;
    return await measure(
      'node:http baseline',
      clients,
      `http://127.0.0.1:${port}/events`,
      async (round) => {
        const chunk = Buffer.from(
          `event: count\ndata: ${JSON.stringify({ slug: 'bare', petitionId: 1, signatures: round, goal: 100000, updatedAt: new Date().toISOString() })}\n\n`,
        );
        const started = performance.now();
        for (const stream of streams) stream.write(chunk);
        loop = performance.now() - started;
      },
      () => loop,
    );
  } finally {
    for (const stream of streams) stream.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function outcry(clients: Clients): Promise<Result> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-bench-live-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', LOAD_DEMO: 'false' });
  const database = openDatabase({ url: config.databaseUrl });
  await migrateToLatest(database.db);
  await loadDemo(database, { dataDir, features: FEATURES });
  const campaign = (await findCampaignBySlug(database.db, 'eyes-on-chechnya'))!;
  const petition = (await listPetitionsOfCampaign(database.db, campaign.id))[0]!;
  const app = await buildApp({ config, database, logger: createLogger({ level: 'warn' }) });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await measure(
      'outcry /c/{slug}/events',
      clients,
      `${address}/c/${campaign.slug}/events`,
      async () => {
        await database.db
          .insertInto('count_events')
          .values({ petition_id: petition.id, country: 'GB', delta: 1, created_at: new Date().toISOString() })
          .execute();
        await app.countBoard.refresh();
      },
      () => liveHubOf(app)?.lastBroadcast?.ms ?? Number.NaN,
    );
  } finally {
    await app.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const clients = new Clients(CLIENT_PROCESSES);
  try {
    const baseline = await bare(clients);
    const ours = await outcry(clients);
    const ratio = {
      bytesPerListener: Number((ours.bytesPerListener.heapAndExternal / Math.max(1, baseline.bytesPerListener.heapAndExternal)).toFixed(2)),
      fanOutP99: Number((ours.fanOutMs.p99 / Math.max(1, baseline.fanOutMs.p99)).toFixed(2)),
    };
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      listeners: LISTENERS,
      rounds: ROUNDS,
      clientProcesses: CLIENT_PROCESSES,
      baseline,
      outcry: ours,
      ratio,
    };
    process.stdout.write(`ratio outcry / node:http: ${JSON.stringify(ratio)}\n`);
    const folder = path.join(ROOT, 'bench/results');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `live-${LISTENERS}-${report.date.slice(0, 10)}.json`), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    clients.kill();
  }
}

await main();
