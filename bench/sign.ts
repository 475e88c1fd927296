/**
 * npm run bench:sign [-- --pg] [--prefill N] [--server DIR] [--against DIR] [runs] [seconds] — signatures accepted per
 * second on the full signing path (validation, anti-abuse, HPKE sealing, dedup, group commit with the mail job),
 * against bare node:http parsing the same JSON, in the same run. Server and load generator (wrk, bench/wrk-sign.lua)
 * are separate processes, pinned to different cores where taskset exists. Medians of several alternating runs. With
 * --prefill N, the same runs are repeated after N signatures have been loaded into the table, to show whether
 * throughput stays flat as the table grows. --against DIR measures a second checkout's server in the same runs
 * (bare, current, other); --server DIR runs "current" from another checkout. Not a test: nothing asserts timing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { createPostgresSchema } from '../test/helpers/postgres-schema.ts';
import {
  checkoutsFrom,
  cpuFacts,
  median,
  outcryCommand,
  ROOT,
  rssMb,
  runFacts,
  runOnly,
  startPinned,
  wrk,
  type Checkout,
  type WrkNumber,
  type WrkResult,
} from './processes.ts';

const { checkouts, rest: args } = checkoutsFrom(process.argv.slice(2));
const usePostgres = args.includes('--pg');
const prefillIndex = args.indexOf('--prefill');
const PREFILL = prefillIndex >= 0 ? Number(args[prefillIndex + 1]) : 0;
const [runsArg, secondsArg] = args.filter((a, i) => !a.startsWith('--') && (prefillIndex < 0 || i !== prefillIndex + 1));
const RUNS = Number(runsArg ?? 5);
const DURATION_S = Number(secondsArg ?? 8);
const CONNECTIONS = 100;
const PG_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BARE_PORT = 3920;

interface Load extends WrkResult {
  acceptedPerSecond: number;
}

const twoxx = (r: WrkResult) => Object.entries(r.statuses).reduce((n, [status, count]) => (status.startsWith('2') ? n + count : n), 0);

/**
 * Against Outcry every status is counted (a 429 or a redirect is not a signature); the bare server answers 202 or
 * 400, which wrk's own count of statuses > 399 tells apart, so its runs skip the response() hook that slows wrk.
 */
function load(url: string, serverPid: number, exact: boolean): Load {
  const result = wrk(url, {
    connections: CONNECTIONS,
    seconds: DURATION_S,
    script: path.join(ROOT, 'bench/wrk-sign.lua'),
    scriptArgs: exact ? ['statuses'] : [],
    serverPid,
  });
  const accepted = exact ? twoxx(result) : result.requests - result.non2xx;
  return { ...result, acceptedPerSecond: Math.round(accepted / result.seconds) };
}

/** One checkout's server: its own port and data (SQLite directory or PostgreSQL schema). */
interface Server {
  checkout: Checkout;
  env: Record<string, string>;
  url: string;
  drop?: () => Promise<void>;
}

/** Loads `rows` synthetic confirmed signatures into the demo petition, in the database itself (fast). */
async function prefill(env: Record<string, string>, rows: number): Promise<void> {
  const started = Date.now();
  if (usePostgres) {
    const client = new pg.Client({ connectionString: env['DATABASE_URL'] });
    await client.connect();
    await client.query(`insert into sealing_windows (id, key_id, enc, created_at) values ('prefill', 'prefill', 'prefill', now()) on conflict do nothing`);
    await client.query(
      `insert into signatures (petition_id, dedup_key, window_id, sealed, country, status, suspect, wants_updates, withdraw_token_hash, token_expires_at, last_mailed_at, created_at, confirmed_at)
       select (select min(id) from petitions), 'prefill-' || n, 'prefill', decode(md5(n::text) || md5((n + 1)::text) || md5((n + 2)::text), 'hex'), 'DE', 'confirmed', 0, 0, 'prefill-' || n, now(), now(), now(), now()
       from generate_series(1, $1::int) as n`,
      [rows],
    );
    await client.query('analyze signatures');
    await client.end();
  } else {
    const { default: SQLite } = await import('better-sqlite3');
    const db = new SQLite(path.join(env['DATA_DIR']!, 'outcry.db'));
    db.pragma('journal_mode = WAL');
    db.exec(`insert or ignore into sealing_windows (id, key_id, enc, created_at) values ('prefill', 'prefill', 'prefill', '2026-01-01T00:00:00.000Z')`);
    const petition = (db.prepare('select min(id) as id from petitions').get() as { id: number }).id;
    const chunk = 500_000;
    for (let start = 0; start < rows; start += chunk) {
      db.prepare(
        `with recursive seq(n) as (select ? union all select n + 1 from seq where n < ?)
         insert into signatures (petition_id, dedup_key, window_id, sealed, country, status, suspect, wants_updates, withdraw_token_hash, token_expires_at, last_mailed_at, created_at, confirmed_at)
         select ?, 'prefill-' || n, 'prefill', randomblob(96), 'DE', 'confirmed', 0, 0, 'prefill-' || n, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from seq`,
      ).run(start + 1, Math.min(rows, start + chunk), petition);
      process.stderr.write(`prefilled ${Math.min(rows, start + chunk)} / ${rows}\n`);
    }
    db.close();
  }
  process.stderr.write(`prefill of ${rows} signatures took ${Math.round((Date.now() - started) / 1000)} s\n`);
}

interface Phase {
  bare: Load[];
  servers: { checkout: Checkout; runs: Load[]; rssMb: number }[];
}

const stop = (children: ChildProcess[]) => {
  const stopped = Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  for (const child of children) child.kill('SIGTERM');
  return stopped;
};

async function measure(servers: Server[], label: string): Promise<Phase> {
  const children: ChildProcess[] = [];
  for (const server of servers) {
    children.push(await startPinned(...outcryCommand(server.checkout.root, 'start', '--role', 'all'), server.env, /listening on/, server.checkout.root));
  }
  children.push(await startPinned(process.execPath, [path.join(ROOT, 'bench/bare-sign-server.js'), String(BARE_PORT)], {}, /ready/));
  servers.forEach((server, i) => {
    runOnly(children, children[i]!);
    load(server.url, children[i]!.pid!, true); // warm-up
  });
  const phase: Phase = { bare: [], servers: servers.map((server) => ({ checkout: server.checkout, runs: [], rssMb: 0 })) };
  for (let run = 0; run < RUNS; run += 1) {
    runOnly(children, children.at(-1)!);
    phase.bare.push(load(`http://127.0.0.1:${BARE_PORT}/`, children.at(-1)!.pid!, false));
    const line = [`bare ${phase.bare.at(-1)!.acceptedPerSecond}/s`];
    servers.forEach((server, i) => {
      runOnly(children, children[i]!);
      const result = load(server.url, children[i]!.pid!, true);
      phase.servers[i]!.runs.push(result);
      line.push(`${server.checkout.label} ${result.acceptedPerSecond}/s (p99 ${result.p99Ms} ms)`);
    });
    process.stderr.write(`${label} run ${run + 1}/${RUNS}: ${line.join(', ')}\n`);
  }
  for (const [i, server] of phase.servers.entries()) server.rssMb = rssMb(children[i]!.pid!);
  for (const child of children) child.kill('SIGCONT');
  await stop(children);
  return phase;
}

const medianOf = (runs: Load[], key: WrkNumber | 'acceptedPerSecond') => median(runs.map((r) => r[key]));

function summarise(phase: Phase) {
  const bare = medianOf(phase.bare, 'acceptedPerSecond');
  const servers = phase.servers.map(({ checkout, runs, rssMb: rss }) => {
    const accepted = medianOf(runs, 'acceptedPerSecond');
    return {
      ...checkout,
      medianAcceptedPerSecond: accepted,
      medianP50Ms: medianOf(runs, 'p50Ms'),
      medianP99Ms: medianOf(runs, 'p99Ms'),
      refusedOrFailed: runs.reduce((n, r) => n + r.requests - twoxx(r) + r.socketErrors + r.timeouts, 0),
      rssMbAfter: rss,
      ratio: Number((accepted / bare).toFixed(3)),
      ...cpuFacts(runs, (r) => (r as Load).acceptedPerSecond),
      runs,
    };
  });
  return {
    bare: {
      medianPerSecond: bare,
      medianP50Ms: medianOf(phase.bare, 'p50Ms'),
      medianP99Ms: medianOf(phase.bare, 'p99Ms'),
      ...cpuFacts(phase.bare, (r) => (r as Load).acceptedPerSecond),
      runs: phase.bare,
    },
    servers,
    ...(servers.length > 1 ? { currentOverOther: Number((servers[0]!.medianAcceptedPerSecond / servers[1]!.medianAcceptedPerSecond).toFixed(3)) } : {}),
  };
}

async function main(): Promise<void> {
  const servers: Server[] = [];
  for (const [i, checkout] of checkouts.entries()) {
    const port = 3921 + i;
    const env: Record<string, string> = {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'outcry-bench-sign-')),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'loopback',
    };
    const database = usePostgres ? await createPostgresSchema(PG_URL, 'bench') : undefined;
    if (database) env['DATABASE_URL'] = database.url;
    servers.push({ checkout, env, url: `http://127.0.0.1:${port}/c/eyes-on-chechnya/sign`, drop: database?.drop });
  }

  const empty = summarise(await measure(servers, 'empty table'));
  let prefilled: ReturnType<typeof summarise> | undefined;
  if (PREFILL > 0) {
    for (const server of servers) await prefill(server.env, PREFILL);
    prefilled = summarise(await measure(servers, `${PREFILL} rows`));
  }
  for (const server of servers) {
    await server.drop?.();
    rmSync(server.env['DATA_DIR']!, { recursive: true, force: true });
  }

  const summary = {
    ...runFacts(),
    dialect: usePostgres ? 'postgres' : 'sqlite',
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    runs: RUNS,
    ...empty,
    ...(prefilled
      ? {
          prefilledRows: PREFILL,
          prefilled,
          flatness: prefilled.servers.map((s, i) => Number((s.medianAcceptedPerSecond / empty.servers[i]!.medianAcceptedPerSecond).toFixed(3))),
        }
      : {}),
  };
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const name = `sign-${summary.dialect}${PREFILL ? `-prefill${PREFILL}` : ''}${checkouts.length > 1 ? '-interleaved' : ''}-${summary.date.slice(0, 10)}.json`;
  writeFileSync(path.join(ROOT, 'bench/results', name), `${JSON.stringify(summary, null, 2)}\n`);
  const brief = (s: ReturnType<typeof summarise>) => ({
    bare: s.bare.medianPerSecond,
    barePerServerCpuSecond: s.bare.medianPerServerCpuSecond,
    ...Object.fromEntries(
      s.servers.map((x) => [
        x.label,
        {
          commit: x.commit.slice(0, 7),
          dirty: x.dirty,
          accepted: x.medianAcceptedPerSecond,
          ratio: x.ratio,
          p50Ms: x.medianP50Ms,
          p99Ms: x.medianP99Ms,
          perServerCpuSecond: x.medianPerServerCpuSecond,
          serverCpu: x.serverCpu,
          rssMb: x.rssMbAfter,
          refusedOrFailed: x.refusedOrFailed,
        },
      ]),
    ),
    ...(s.currentOverOther ? { currentOverOther: s.currentOverOther } : {}),
  });
  process.stdout.write(
    `${JSON.stringify({ file: `bench/results/${name}`, empty: brief(empty), ...(prefilled ? { prefilled: brief(prefilled) } : {}) }, null, 2)}\n`,
  );
}

await main();
