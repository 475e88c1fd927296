/**
 * npm run bench:page [-- --server DIR] [--against DIR] [--accountability | --evidence] [runs] [seconds] — how fast Outcry
 * serves a campaign page (or, with --accountability, the demo's accountability page filled to 50 targets and 2,000
 * statements; with --evidence, its evidence page filled to 500 facts with their sources and 50 incidents),
 * against bare node:http serving the same bytes on the same machine in the same run. Each server runs in its own
 * process, the load generator (wrk) in another, pinned to different cores where `taskset` exists. Several alternating
 * runs (bare, current, other); medians reported. --against DIR measures a second checkout's server in the same runs;
 * --server DIR runs "current" from another checkout. Not a test: nothing here asserts timing.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedAccountability } from './accountability-seed.ts';
import { seedEvidence } from './evidence-seed.ts';
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
  type WrkNumber,
  type WrkResult,
} from './processes.ts';

const ACCOUNTABILITY = process.argv.includes('--accountability');
const EVIDENCE = process.argv.includes('--evidence');
const PAGE = ACCOUNTABILITY ? '/accountability' : EVIDENCE ? '/evidence' : '';
const { checkouts, rest } = checkoutsFrom(process.argv.slice(2).filter((arg) => arg !== '--accountability' && arg !== '--evidence'));
const RUNS = Number(rest[0] ?? 5);
const DURATION_S = Number(rest[1] ?? 8);
const CONNECTIONS = 100;
const BARE_PORT = 3900;

const load = (url: string, serverPid?: number): WrkResult => wrk(url, { connections: CONNECTIONS, seconds: DURATION_S, serverPid });
const medianOf = (runs: WrkResult[], key: WrkNumber) => median(runs.map((r) => r[key]));

async function main(): Promise<void> {
  const dataDirs: string[] = [];
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (const [i, checkout] of checkouts.entries()) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-bench-'));
    dataDirs.push(dataDir);
    const port = 3901 + i;
    children.push(
      await startPinned(
        ...outcryCommand(checkout.root, 'start', '--role', 'web'),
        { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
        /listening on/,
        checkout.root,
      ),
    );
    if (ACCOUNTABILITY) await seedAccountability(dataDir);
    if (EVIDENCE) await seedEvidence(dataDir);
    urls.push(`http://127.0.0.1:${port}/c/eyes-on-chechnya${PAGE}`);
  }
  // The servers' one-second read cache still holds the campaign as it was before the seeding.
  if (PAGE) await new Promise((resolve) => setTimeout(resolve, 1500));
  const page = Buffer.from(await (await fetch(urls[0]!)).arrayBuffer());
  const pageFile = path.join(dataDirs[0]!, 'page.html');
  writeFileSync(pageFile, page);
  children.push(await startPinned(process.execPath, [path.join(ROOT, 'bench/bare-server.js'), pageFile, String(BARE_PORT)], {}, /ready/));

  const bareRuns: WrkResult[] = [];
  const serverRuns: WrkResult[][] = checkouts.map(() => []);
  urls.forEach((url, i) => {
    runOnly(children, children[i]!);
    load(url); // warm-up: JIT, caches
  });
  for (let run = 0; run < RUNS; run += 1) {
    runOnly(children, children.at(-1)!);
    bareRuns.push(load(`http://127.0.0.1:${BARE_PORT}/`, children.at(-1)!.pid));
    const line = [`bare ${Math.round(bareRuns.at(-1)!.requestsPerSecond)} req/s`];
    checkouts.forEach((checkout, i) => {
      runOnly(children, children[i]!);
      serverRuns[i]!.push(load(urls[i]!, children[i]!.pid));
      const r = serverRuns[i]!.at(-1)!;
      line.push(`${checkout.label} ${Math.round(r.requestsPerSecond)} req/s (p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms)`);
    });
    process.stderr.write(`run ${run + 1}/${RUNS}: ${line.join(', ')}\n`);
  }
  const rss = checkouts.map((_, i) => rssMb(children[i]!.pid!));
  for (const child of children) child.kill('SIGCONT');
  const stopped = Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  for (const child of children) child.kill('SIGTERM');
  await stopped;
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });

  const bare = Math.round(medianOf(bareRuns, 'requestsPerSecond'));
  const servers = checkouts.map((checkout, i) => {
    const runs = serverRuns[i]!;
    const perSecond = Math.round(medianOf(runs, 'requestsPerSecond'));
    return {
      ...checkout,
      medianRequestsPerSecond: perSecond,
      medianP50Ms: medianOf(runs, 'p50Ms'),
      medianP99Ms: medianOf(runs, 'p99Ms'),
      errors: runs.reduce((n, r) => n + r.non2xx + r.socketErrors + r.timeouts, 0),
      rssMb: rss[i],
      ratio: Number((perSecond / bare).toFixed(3)),
      ...cpuFacts(runs, (r) => r.requestsPerSecond),
      runs,
    };
  });
  const summary = {
    ...runFacts(),
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    runs: RUNS,
    pageBytes: page.length,
    bare: {
      medianRequestsPerSecond: bare,
      medianP50Ms: medianOf(bareRuns, 'p50Ms'),
      medianP99Ms: medianOf(bareRuns, 'p99Ms'),
      ...cpuFacts(bareRuns, (r) => r.requestsPerSecond),
      runs: bareRuns,
    },
    servers,
    ...(servers.length > 1 ? { currentOverOther: Number((servers[0]!.medianRequestsPerSecond / servers[1]!.medianRequestsPerSecond).toFixed(3)) } : {}),
  };
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const name = `page${PAGE.replace('/', '-')}${checkouts.length > 1 ? '-interleaved' : ''}-${summary.date.slice(0, 10)}.json`;
  writeFileSync(path.join(ROOT, 'bench/results', name), `${JSON.stringify(summary, null, 2)}\n`);
  const brief = {
    file: `bench/results/${name}`,
    bare,
    barePerServerCpuSecond: summary.bare.medianPerServerCpuSecond,
    ...Object.fromEntries(
      servers.map((s) => [
        s.label,
        {
          commit: s.commit.slice(0, 7),
          dirty: s.dirty,
          perSecond: s.medianRequestsPerSecond,
          ratio: s.ratio,
          p50Ms: s.medianP50Ms,
          p99Ms: s.medianP99Ms,
          perServerCpuSecond: s.medianPerServerCpuSecond,
          serverCpu: s.serverCpu,
          rssMb: s.rssMb,
          errors: s.errors,
        },
      ]),
    ),
    ...(summary.currentOverOther ? { currentOverOther: summary.currentOverOther } : {}),
  };
  process.stdout.write(`${JSON.stringify(brief, null, 2)}\n`);
}

await main();
