/**
 * npm run bench:page — how fast Outcry serves a campaign page, against bare node:http on the same machine in the
 * same run. Each server runs in its own process, the load generator (autocannon) in another, pinned to different
 * cores where `taskset` exists. Several alternating runs; medians reported. Not a test: nothing here asserts timing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, outcryCommand, pinned, ROOT, rssMb, runFacts, startPinned } from './processes.ts';

const RUNS = Number(process.argv[2] ?? 5);
const DURATION_S = Number(process.argv[3] ?? 8);
const CONNECTIONS = 100;


interface Load { requestsPerSecond: number; p99Ms: number; errors: number; non2xx: number }

function autocannon(url: string): Load {
  const [cmd, args] = pinned('1', process.execPath, [path.join(ROOT, 'node_modules/autocannon/autocannon.js'), '-c', String(CONNECTIONS), '-d', String(DURATION_S), '-j', url]);
  const result = spawnSync(cmd, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const json = JSON.parse(result.stdout) as { requests: { average: number }; latency: { p99: number }; errors: number; non2xx: number };
  return { requestsPerSecond: json.requests.average, p99Ms: json.latency.p99, errors: json.errors, non2xx: json.non2xx };
}



async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-bench-'));
  const outcry = await startPinned(...outcryCommand('start', '--role', 'web'), { DATA_DIR: dataDir, PORT: '3901', LOG_LEVEL: 'warn' }, /listening on/);
  const pageUrl = 'http://127.0.0.1:3901/c/eyes-on-chechnya';
  const page = Buffer.from(await (await fetch(pageUrl)).arrayBuffer());
  const pageFile = path.join(dataDir, 'page.html');
  writeFileSync(pageFile, page);
  const bare = await startPinned(process.execPath, [path.join(ROOT, 'bench/bare-server.js'), pageFile, '3902'], {}, /ready/);

  const bareRuns: Load[] = [];
  const outcryRuns: Load[] = [];
  autocannon(pageUrl); // warm-up: JIT, caches
  for (let run = 0; run < RUNS; run += 1) {
    bareRuns.push(autocannon('http://127.0.0.1:3902/'));
    outcryRuns.push(autocannon(pageUrl));
    process.stderr.write(`run ${run + 1}/${RUNS}: bare ${Math.round(bareRuns.at(-1)!.requestsPerSecond)} req/s, outcry ${Math.round(outcryRuns.at(-1)!.requestsPerSecond)} req/s\n`);
  }
  const rss = rssMb(outcry.pid!);
  outcry.kill('SIGTERM');
  bare.kill('SIGTERM');

  const summary = {
    ...runFacts(),
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    runs: RUNS,
    pageBytes: page.length,
    bare: { medianRequestsPerSecond: Math.round(median(bareRuns.map((r) => r.requestsPerSecond))), medianP99Ms: median(bareRuns.map((r) => r.p99Ms)) },
    outcry: {
      medianRequestsPerSecond: Math.round(median(outcryRuns.map((r) => r.requestsPerSecond))),
      medianP99Ms: median(outcryRuns.map((r) => r.p99Ms)),
      errors: outcryRuns.reduce((n, r) => n + r.errors + r.non2xx, 0),
      rssMb: rss,
    },
    ratio: 0,
  };
  summary.ratio = Number((summary.outcry.medianRequestsPerSecond / summary.bare.medianRequestsPerSecond).toFixed(3));
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, `bench/results/page-${summary.date.slice(0, 10)}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
