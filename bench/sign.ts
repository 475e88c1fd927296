/**
 * npm run bench:sign [-- --pg] [--prefill N] [runs] [seconds] — signatures accepted per second on the full signing path (validation,
 * anti-abuse, HPKE sealing, dedup, group commit with the mail job), against bare node:http parsing the same JSON, in
 * the same run. Server and load generator are separate processes, pinned to different cores where taskset exists.
 * Medians of several alternating runs. With --prefill N, the same runs are repeated after N signatures have been
 * loaded into the table, to show whether throughput stays flat as the table grows. Not a test: nothing asserts timing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresSchema } from '../test/helpers/postgres-schema.ts';
import { median, outcryCommand, pinned, ROOT, rssMb, runFacts, startPinned } from './processes.ts';

const args = process.argv.slice(2);
const usePostgres = args.includes('--pg');
const prefillIndex = args.indexOf('--prefill');
const PREFILL = prefillIndex >= 0 ? Number(args[prefillIndex + 1]) : 0;
const [runsArg, secondsArg] = args.filter((a, i) => !a.startsWith('--') && (prefillIndex < 0 || i !== prefillIndex + 1));
const RUNS = Number(runsArg ?? 5);
const DURATION_S = Number(secondsArg ?? 8);
const CONNECTIONS = 100;
const PG_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';


interface Load { acceptedPerSecond: number; p99Ms: number; p50Ms: number; non2xx: number; errors: number }

function load(url: string): Load {
  const [cmd, cmdArgs] = pinned('1', process.execPath, [path.join(ROOT, 'bench/sign-load.js'), url, String(CONNECTIONS), String(DURATION_S)]);
  const result = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Load;
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

interface Phase { bare: Load[]; outcry: Load[]; rssMb: number }

async function measure(env: Record<string, string>, label: string): Promise<Phase> {
  const outcry = await startPinned(...outcryCommand('start', '--role', 'all'), env, /listening on/);
  const bare = await startPinned(process.execPath, [path.join(ROOT, 'bench/bare-sign-server.js'), '3922'], {}, /ready/);
  const signUrl = 'http://127.0.0.1:3921/c/eyes-on-chechnya/sign';
  load(signUrl); // warm-up
  const phase: Phase = { bare: [], outcry: [], rssMb: 0 };
  for (let run = 0; run < RUNS; run += 1) {
    phase.bare.push(load('http://127.0.0.1:3922/'));
    phase.outcry.push(load(signUrl));
    process.stderr.write(`${label} run ${run + 1}/${RUNS}: bare ${Math.round(phase.bare.at(-1)!.acceptedPerSecond)}/s, outcry ${Math.round(phase.outcry.at(-1)!.acceptedPerSecond)}/s (p99 ${phase.outcry.at(-1)!.p99Ms} ms)\n`);
  }
  phase.rssMb = rssMb(outcry.pid!);
  const stopped = Promise.all([outcry, bare].map((child) => new Promise((resolve) => child.once('exit', resolve))));
  outcry.kill('SIGTERM');
  bare.kill('SIGTERM');
  await stopped;
  return phase;
}

function summarise(phase: Phase) {
  const bareMedian = Math.round(median(phase.bare.map((r) => r.acceptedPerSecond)));
  const outcryMedian = Math.round(median(phase.outcry.map((r) => r.acceptedPerSecond)));
  return {
    bare: { medianPerSecond: bareMedian, medianP99Ms: median(phase.bare.map((r) => r.p99Ms)) },
    outcry: {
      medianAcceptedPerSecond: outcryMedian,
      medianP99Ms: median(phase.outcry.map((r) => r.p99Ms)),
      medianP50Ms: median(phase.outcry.map((r) => r.p50Ms)),
      refusedOrFailed: phase.outcry.reduce((n, r) => n + r.non2xx + r.errors, 0),
      rssMbAfter: phase.rssMb,
    },
    ratio: Number((outcryMedian / bareMedian).toFixed(3)),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-bench-sign-'));
  const database = usePostgres ? await createPostgresSchema(PG_URL, 'bench') : undefined;
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: '3921', LOG_LEVEL: 'warn', TRUST_PROXY: 'loopback' };
  if (database) env['DATABASE_URL'] = database.url;

  const empty = summarise(await measure(env, 'empty table'));
  let prefilled: ReturnType<typeof summarise> | undefined;
  if (PREFILL > 0) {
    await prefill(env, PREFILL);
    prefilled = summarise(await measure(env, `${PREFILL} rows`));
  }
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });

  const summary = {
    ...runFacts(),
    dialect: usePostgres ? 'postgres' : 'sqlite',
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    runs: RUNS,
    ...empty,
    ...(prefilled ? { prefilledRows: PREFILL, prefilled, flatness: Number((prefilled.outcry.medianAcceptedPerSecond / empty.outcry.medianAcceptedPerSecond).toFixed(3)) } : {}),
  };
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const name = `sign-${summary.dialect}${PREFILL ? `-prefill${PREFILL}` : ''}-${summary.date.slice(0, 10)}.json`;
  writeFileSync(path.join(ROOT, 'bench/results', name), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

await main();
