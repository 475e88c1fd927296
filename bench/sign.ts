/**
 * npm run bench:sign [-- --pg] [runs] [seconds] — signatures accepted per second on the full signing path (validation,
 * anti-abuse, HPKE sealing, dedup, group commit with the mail job), against bare node:http parsing the same JSON, in
 * the same run. Server and load generator are separate processes, pinned to different cores where taskset exists.
 * Medians of several alternating runs. Not a test: nothing here asserts timing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const usePostgres = args.includes('--pg');
const [runsArg, secondsArg] = args.filter((a) => !a.startsWith('--'));
const RUNS = Number(runsArg ?? 5);
const DURATION_S = Number(secondsArg ?? 8);
const CONNECTIONS = 100;
const PG_URL = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const hasTaskset = spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2;
const pinned = (core: string, command: string, commandArgs: string[]): [string, string[]] => (hasTaskset ? ['taskset', ['-c', core, command, ...commandArgs]] : [command, commandArgs]);

function start(command: string, commandArgs: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const [cmd, cmdArgs] = pinned('0', command, commandArgs);
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${command} exited ${code}: ${output}`)));
  });
}

interface Load { acceptedPerSecond: number; p99Ms: number; p50Ms: number; non2xx: number; errors: number }

function load(url: string): Load {
  const [cmd, cmdArgs] = pinned('1', process.execPath, [path.join(ROOT, 'bench/sign-load.js'), url, String(CONNECTIONS), String(DURATION_S)]);
  const result = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Load;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rssMb = (pid: number) => Math.round(Number(spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()) / 1024);

async function freshPostgresUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-bench-sign-'));
  const database = usePostgres ? await freshPostgresUrl() : undefined;
  const env: Record<string, string> = { DATA_DIR: dataDir, PORT: '3921', LOG_LEVEL: 'warn', TRUST_PROXY: 'loopback' };
  if (database) env['DATABASE_URL'] = database.url;
  const outcry = await start(process.execPath, [path.join(ROOT, 'bin/outcry.js'), 'start', '--role', 'all'], env, /listening on/);
  const bare = await start(process.execPath, [path.join(ROOT, 'bench/bare-sign-server.js'), '3922'], {}, /ready/);
  const signUrl = 'http://127.0.0.1:3921/c/eyes-on-chechnya/sign';

  load(signUrl); // warm-up
  const bareRuns: Load[] = [];
  const outcryRuns: Load[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    bareRuns.push(load('http://127.0.0.1:3922/'));
    outcryRuns.push(load(signUrl));
    process.stderr.write(`run ${run + 1}/${RUNS}: bare ${Math.round(bareRuns.at(-1)!.acceptedPerSecond)}/s, outcry ${Math.round(outcryRuns.at(-1)!.acceptedPerSecond)}/s (p99 ${outcryRuns.at(-1)!.p99Ms} ms)\n`);
  }
  const rss = rssMb(outcry.pid!);
  const stopped = Promise.all([outcry, bare].map((child) => new Promise((resolve) => child.once('exit', resolve))));
  outcry.kill('SIGTERM');
  bare.kill('SIGTERM');
  await stopped;
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });

  const summary = {
    date: new Date().toISOString(),
    dialect: usePostgres ? 'postgres' : 'sqlite',
    node: process.version,
    cores: cpus().length,
    pinned: hasTaskset,
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    runs: RUNS,
    bare: { medianPerSecond: Math.round(median(bareRuns.map((r) => r.acceptedPerSecond))), medianP99Ms: median(bareRuns.map((r) => r.p99Ms)) },
    outcry: {
      medianAcceptedPerSecond: Math.round(median(outcryRuns.map((r) => r.acceptedPerSecond))),
      medianP99Ms: median(outcryRuns.map((r) => r.p99Ms)),
      medianP50Ms: median(outcryRuns.map((r) => r.p50Ms)),
      refusedOrFailed: outcryRuns.reduce((n, r) => n + r.non2xx + r.errors, 0),
      rssMbAfter: rss,
    },
    ratio: 0,
  };
  summary.ratio = Number((summary.outcry.medianAcceptedPerSecond / summary.bare.medianPerSecond).toFixed(3));
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, `bench/results/sign-${summary.dialect}-${summary.date.slice(0, 10)}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

await main();
