/**
 * npm run bench:proxy [-- runs=3] [visitors=100000] [seconds=60] — a crowd at the demo campaign through nginx with the
 * shared cache, against the same crowd with the cache off. One Outcry process (SQLite, the demo) pinned to core 0; nginx
 * (deploy/nginx/outcry.conf, derived as test/helpers/nginx.ts does, two workers), wrk and the live-counter crowd on
 * core 1. Per run and configuration: VISITORS distinct visitors arrive at a steady rate over SECONDS at the campaign
 * page (wrk, bench/wrk-proxy.lua: each its own X-Forwarded-For, no cookie), every 50th then signs (2 %), and every 5th
 * opens the live counter and keeps it 30 s (20 %: bench/proxy-listeners.js, each from its own loopback address).
 * Measured: Outcry's CPU time (/proc/PID/stat, before and after) per page view; the page requests that reached Outcry
 * (its /metrics); the p99 wrk saw (pages and signing); refusals. A third configuration, the same live counters and
 * signers without the page views, tells what the page views themselves cost. Medians of the runs, alternating the
 * configurations. A smaller crowd (fewer visitors, fewer seconds) runs on smaller machines: its file says so.
 * Not a test: nothing here asserts timing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNginx, type RunningNginx } from '../test/helpers/nginx.ts';
import {
  CLOCK_TICKS,
  coreTimes,
  hasTaskset,
  median,
  outcryCommand,
  pinned,
  processTicks,
  ROOT,
  rssMb,
  runFacts,
  startPinned,
  waitForIdle,
  type WrkResult,
} from './processes.ts';

const args = process.argv.slice(2);
const RUNS = Number(args[0] ?? 3);
const VISITORS = Number(args[1] ?? 100_000);
const SECONDS = Number(args[2] ?? 60);
const SIGN_EVERY = 50;
const LISTEN_EVERY = 5;
const HOLD_SECONDS = 30;
// Enough for the arrival rate at a few hundred ms each; a server further behind than that shows in the achieved rate.
const CONNECTIONS = 200;
const OUTCRY_PORT = 3910;
const MODES: readonly Mode[] = ['cache', 'no-cache', 'signers-only'];
const PAGE = '/c/eyes-on-chechnya';
// The hard limit of this machine (not raisable here): nginx's workers split the connections between them.
const NOFILE = Number(/Max open files\s+(\d+)\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[2] ?? 1024);

/** `signers-only`: the live counters and the signers without the page views, through the cache's nginx. */
type Mode = 'cache' | 'no-cache' | 'signers-only';

/** The benchmark's nginx: the deploy file, plus trust in the generator's X-Forwarded-For and, for one, no cache. */
function startProxy(mode: Exclude<Mode, 'signers-only'>): Promise<RunningNginx> {
  return startNginx({
    upstreamPort: OUTCRY_PORT,
    tuning: {
      edit: (conf) => {
        // wrk cannot bind many source addresses: it names each visitor in X-Forwarded-For, believed from 127.0.0.1 only.
        let edited = `set_real_ip_from 127.0.0.1;\nreal_ip_header X-Forwarded-For;\n${conf}`;
        edited = edited.replace(/(listen 127\.0\.0\.1:\d+ ssl http2);/, '$1 reuseport;');
        if (mode === 'no-cache') {
          if (!edited.includes('        proxy_cache outcry;\n')) throw new Error('deploy/nginx/outcry.conf no longer has `proxy_cache outcry;`');
          edited = edited.replace('        proxy_cache outcry;\n', '        proxy_cache off;\n');
        }
        return edited;
      },
      workers: { processes: 2, connections: 16_384, rlimitNofile: NOFILE },
      launch: (command, commandArgs) => pinned('1', command, commandArgs),
    },
  });
}

/** Runs `command` pinned to core 1 and resolves with the last line it printed that is JSON. */
function runOnCore1(command: string, commandArgs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, cmdArgs] = pinned('1', command, commandArgs);
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      const line = output.split('\n').findLast((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`${command} ${commandArgs.join(' ')} failed (${code}): ${output}`));
      else resolve(line);
    });
  });
}

interface ListenerResult {
  asked: number;
  opened: number;
  refused: Record<string, number>;
  errors: number;
  maxOpen: number;
  firstEventP50Ms: number | null;
  firstEventP99Ms: number | null;
  firstError?: string;
}

/** Outcry's own count of the requests that reached it, by route pattern (its /metrics, read directly on loopback). */
async function requestsReachingOutcry(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${OUTCRY_PORT}/metrics`)).text();
  const byRoute: Record<string, number> = {};
  for (const [, labels, value] of text.matchAll(/^outcry_http_requests_total\{([^}]*)\} (\S+)$/gm)) {
    const route = /route="([^"]*)"/.exec(labels!)?.[1] ?? '?';
    byRoute[route] = (byRoute[route] ?? 0) + Number(value);
  }
  return byRoute;
}

interface Run {
  mode: Mode;
  waitedForIdleMs: number;
  /** What the schedule asked of wrk, and what it sent (fewer when every connection was waiting on the server). */
  scheduledRequests: number;
  pageViews: number;
  signings: number;
  /** Outcry's CPU time over the whole run (the live counters' 30 s after the last visitor included), in seconds. */
  serverCpuSeconds: number;
  serverCpuPerPageViewMs: number;
  /** Requests that got through nginx to Outcry in the run, by route: with the cache, the page's refills only. */
  reachedOutcry: Record<string, number>;
  /** Refused or failed: wrk's statuses > 399, socket errors and timeouts; the live counters' refusals and errors. */
  refusals: number;
  wrk: Omit<WrkResult, 'waitedForIdleMs' | 'generatorCpu' | 'coreBusy' | 'steal'>;
  listeners: ListenerResult;
  coreBusy: number[];
  steal: number;
}

async function measure(mode: Mode, proxy: RunningNginx, caFile: string, serverPid: number, run: number): Promise<Run> {
  const signings = Math.floor(VISITORS / SIGN_EVERY);
  const requests = mode === 'signers-only' ? signings : VISITORS + signings;
  const listeners = VISITORS / LISTEN_EVERY;
  // Each run's visitors are new people: their own addresses, their own emails.
  const slot = MODES.indexOf(mode);
  const firstVisitor = (run * MODES.length + slot) * VISITORS;
  const firstListener = (run * MODES.length + slot) * listeners;
  const waitedForIdleMs = waitForIdle();
  const reachedBefore = await requestsReachingOutcry();
  const [coresBefore, ticksBefore] = [coreTimes(), processTicks(serverPid)];
  const [wrkLine, listenerLine] = await Promise.all([
    runOnCore1('wrk', [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${SECONDS + 2}s`,
      '--timeout',
      '10s',
      '-s',
      path.join(ROOT, 'bench/wrk-proxy.lua'),
      `${proxy.origin}${PAGE}`,
      '--',
      (requests / SECONDS).toFixed(3),
      String(SIGN_EVERY),
      String(firstVisitor),
      PAGE,
      String(requests),
      'statuses',
      ...(mode === 'signers-only' ? ['signers-only'] : []),
    ]),
    runOnCore1(process.execPath, [
      path.join(ROOT, 'bench/proxy-listeners.js'),
      `${proxy.origin}${PAGE}/events`,
      caFile,
      String(listeners),
      String(SECONDS),
      String(HOLD_SECONDS),
      String(firstListener),
    ]),
  ]);
  const [coresAfter, ticksAfter] = [coreTimes(), processTicks(serverPid)];
  const reachedAfter = await requestsReachingOutcry();
  const reachedOutcry = Object.fromEntries(
    Object.entries(reachedAfter)
      .filter(([route]) => route !== '/metrics')
      .map(([route, n]) => [route, n - (reachedBefore[route] ?? 0)]),
  );
  const report = JSON.parse(wrkLine) as Run['wrk'];
  const listened = JSON.parse(listenerLine) as ListenerResult;
  const pageViews = mode === 'signers-only' ? 0 : report.requests - Math.floor(report.requests / (SIGN_EVERY + 1));
  const serverCpuSeconds = (ticksAfter - ticksBefore) / CLOCK_TICKS;
  const delta = coresAfter.map((core, i) => core.map((v, j) => v - coresBefore[i]![j]!));
  // Refused, failed, or never given the count: every listener that asked and did not get it once.
  const listenerRefusals = listened.asked - listened.opened;
  return {
    mode,
    waitedForIdleMs,
    scheduledRequests: requests,
    pageViews,
    signings: report.requests - pageViews,
    serverCpuSeconds: Number(serverCpuSeconds.toFixed(2)),
    serverCpuPerPageViewMs: pageViews ? Number(((serverCpuSeconds * 1000) / pageViews).toFixed(4)) : 0,
    reachedOutcry,
    refusals: report.non2xx + report.socketErrors + report.timeouts + listenerRefusals,
    wrk: report,
    listeners: listened,
    coreBusy: delta.map(([busy, , total]) => Number((busy! / total!).toFixed(2))),
    steal: Number((delta.reduce((n, [, steal]) => n + steal!, 0) / delta.reduce((n, [, , total]) => n + total!, 0)).toFixed(2)),
  };
}

function summarise(runs: Run[]) {
  const of = (pick: (r: Run) => number) => median(runs.map(pick));
  return {
    medianServerCpuPerPageViewMs: of((r) => r.serverCpuPerPageViewMs),
    medianP50Ms: of((r) => r.wrk.p50Ms),
    medianP99Ms: of((r) => r.wrk.p99Ms),
    medianShareSent: Number(of((r) => r.wrk.requests / r.scheduledRequests).toFixed(3)),
    medianLiveFirstEventP99Ms: of((r) => r.listeners.firstEventP99Ms ?? Number.NaN),
    medianLiveMaxOpen: of((r) => r.listeners.maxOpen),
    medianPageRequestsReachingOutcry: of((r) => r.reachedOutcry['/c/:slug'] ?? 0),
    refusals: runs.reduce((n, r) => n + r.refusals, 0),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-bench-proxy-'));
  const server = await startPinned(
    ...outcryCommand(ROOT, 'start'),
    { DATA_DIR: dataDir, PORT: String(OUTCRY_PORT), LOG_LEVEL: 'warn', TRUST_PROXY: '127.0.0.1' },
    /listening on/,
  );
  const proxies = { cache: await startProxy('cache'), 'no-cache': await startProxy('no-cache') };
  // Each nginx has its own self-signed certificate, for the listeners to trust.
  const caFiles = { cache: path.join(dataDir, 'cache-ca.pem'), 'no-cache': path.join(dataDir, 'no-cache-ca.pem') };
  for (const mode of ['cache', 'no-cache'] as const) writeFileSync(caFiles[mode], proxies[mode].ca);
  const runs: Run[] = [];
  try {
    // Warm-up without the cache: Outcry's JIT and caches, nginx's connections; not counted.
    await runOnCore1('wrk', ['-t1', '-c50', '-d5s', '-s', path.join(ROOT, 'bench/wrk-report.lua'), `${proxies['no-cache'].origin}${PAGE}`]);
    for (let run = 0; run < RUNS; run += 1) {
      // Alternating which goes first, so neither always follows the other's 30 s of closing streams.
      const order: Mode[] = run % 2 === 0 ? ['cache', 'no-cache', 'signers-only'] : ['no-cache', 'cache', 'signers-only'];
      for (const mode of order) {
        const through = mode === 'no-cache' ? 'no-cache' : 'cache';
        const result = await measure(mode, proxies[through], caFiles[through], server.pid!, run);
        runs.push(result);
        process.stderr.write(
          `run ${run + 1}/${RUNS} ${mode}: ${result.pageViews} page views (${result.wrk.requests} of ${result.scheduledRequests} requests sent), ` +
            `server CPU ${result.serverCpuSeconds} s (${result.serverCpuPerPageViewMs} ms per page view), p50 ${result.wrk.p50Ms} ms, ` +
            `p99 ${result.wrk.p99Ms} ms, live ${result.listeners.opened}/${result.listeners.asked} (at most ${result.listeners.maxOpen} open), ` +
            `refusals ${result.refusals}, page requests reaching Outcry ${result.reachedOutcry['/c/:slug'] ?? 0}, cores ${result.coreBusy.join('/')}\n`,
        );
      }
    }
  } finally {
    await Promise.all(Object.values(proxies).map((proxy) => proxy.stop()));
    const rss = rssMb(server.pid!);
    const stopped = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await stopped;
    rmSync(dataDir, { recursive: true, force: true });
    process.stderr.write(`Outcry's RSS at the end: ${rss} MB\n`);
  }

  const cached = summarise(runs.filter((r) => r.mode === 'cache'));
  const uncached = summarise(runs.filter((r) => r.mode === 'no-cache'));
  // What the page views alone cost: each run's CPU less that of the same live counters and signers without them.
  const background = median(runs.filter((r) => r.mode === 'signers-only').map((r) => r.serverCpuSeconds));
  const pageViewsOnly = (mode: Mode) => median(runs.filter((r) => r.mode === mode).map((r) => ((r.serverCpuSeconds - background) * 1000) / r.pageViews));
  const summary = {
    ...runFacts(),
    generator: `wrk (1 thread, ${CONNECTIONS} connections, an arrival schedule: bench/wrk-proxy.lua) and bench/proxy-listeners.js, on core 1 with nginx`,
    pinnedCores: hasTaskset ? { outcry: 0, nginxAndGenerators: 1 } : undefined,
    visitors: VISITORS,
    seconds: SECONDS,
    signingShare: 1 / SIGN_EVERY,
    liveShare: 1 / LISTEN_EVERY,
    liveHoldSeconds: HOLD_SECONDS,
    openFilesLimit: NOFILE,
    runs: RUNS,
    cache: cached,
    noCache: uncached,
    cpuPerPageViewCacheOverNoCache: Number((cached.medianServerCpuPerPageViewMs / uncached.medianServerCpuPerPageViewMs).toFixed(4)),
    signersAndLiveOnly: { medianServerCpuSeconds: background, refusals: runs.filter((r) => r.mode === 'signers-only').reduce((n, r) => n + r.refusals, 0) },
    pageViewsAlone: {
      cacheMsPerPageView: Number(pageViewsOnly('cache').toFixed(4)),
      noCacheMsPerPageView: Number(pageViewsOnly('no-cache').toFixed(4)),
      cacheOverNoCache: Number((pageViewsOnly('cache') / pageViewsOnly('no-cache')).toFixed(4)),
    },
    goals: { cpuRatio: '< 0.05', p99Ms: '< 100 (with the cache)', refusals: 'none' },
    all: runs,
  };
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const scale = VISITORS === 100_000 && SECONDS === 60 ? '' : `-${VISITORS}in${SECONDS}s`;
  const name = `proxy${scale}-${summary.date.slice(0, 10)}.json`;
  writeFileSync(path.join(ROOT, 'bench/results', name), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify(
      {
        file: `bench/results/${name}`,
        cache: cached,
        noCache: uncached,
        ratio: summary.cpuPerPageViewCacheOverNoCache,
        signersAndLiveOnly: summary.signersAndLiveOnly,
        pageViewsAlone: summary.pageViewsAlone,
      },
      null,
      2,
    )}\n`,
  );
}

await main();
