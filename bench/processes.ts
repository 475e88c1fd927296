/**
 * What the benchmarks share: processes pinned to their own core where taskset exists, wrk as the load generator,
 * the checkouts whose servers are measured, and medians of runs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const hasTaskset = spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2;

/** The command line that runs `command` on `core` (or unpinned where that is not possible). */
export function pinned(core: string, command: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', core, command, ...args]] : [command, args];
}

/** The command line `npm start` runs in checkout `root`, with `args` after `outcry`: the script itself, so Node gets its first line's flags. */
export function outcryCommand(root: string, ...args: string[]): [string, string[]] {
  return [path.join(root, 'bin/outcry.js'), args];
}

/** A checkout whose server a benchmark measures: this one, or another with its own node_modules. */
export interface Checkout {
  label: string;
  root: string;
  commit: string;
  /** Uncommitted changes to what the server runs, when measured. */
  dirty: boolean;
}

function checkout(label: string, dir: string): Checkout {
  const root = path.resolve(dir);
  if (!existsSync(path.join(root, 'bin/outcry.js')) || !existsSync(path.join(root, 'node_modules'))) {
    throw new Error(`${root} is not a checkout of Outcry with its node_modules (git worktree add DIR COMMIT && cd DIR && npm ci)`);
  }
  const git = (...args: string[]) => spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' }).stdout.trim();
  return { label, root, commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'bin', 'package.json') !== '' };
}

/**
 * The checkouts named on the command line: `--server DIR` replaces this one as "current" (say, a worktree of HEAD while
 * this tree is mid-change); `--against DIR` adds "other", measured in the same runs, alternating bare, current, other.
 * Returns the remaining arguments too.
 */
export function checkoutsFrom(argv: string[]): { checkouts: Checkout[]; rest: string[] } {
  const rest: string[] = [];
  let server = ROOT;
  let against: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--server' || argv[i] === '--against') {
      const dir = argv[i + 1];
      if (!dir) throw new Error(`${argv[i]} needs a directory`);
      if (argv[i] === '--server') server = dir;
      else against = dir;
      i += 1;
    } else rest.push(argv[i]!);
  }
  return { checkouts: [checkout('current', server), ...(against ? [checkout('other', against)] : [])], rest };
}

/**
 * Lets only `running` of `servers` run (SIGCONT) and stops the others (SIGSTOP) for the next run: an idle Outcry
 * server still drains its mail queue, on the core the measured server is pinned to.
 */
export function runOnly(servers: ChildProcess[], running: ChildProcess): void {
  for (const server of servers) server.kill(server === running ? 'SIGCONT' : 'SIGSTOP');
}

/** The servers this process started: their own background work (a mail queue draining) is not someone else's job. */
const servers = new Set<number>();

/** Starts a server on core 0 and resolves once its output matches `ready`. */
export function startPinned(command: string, args: string[], env: Record<string, string>, ready: RegExp, cwd = ROOT): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const [cmd, cmdArgs] = pinned('0', command, args);
    const child = spawn(cmd, cmdArgs, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    servers.add(child.pid!);
    child.once('exit', () => servers.delete(child.pid!));
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

/** One wrk run's numbers, as bench/wrk-report.lua prints them (latencies in ms; non2xx: statuses > 399). */
export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
  statuses: Record<string, number>;
  /** How long the run waited for the machine to be idle before it started (see waitForIdle). */
  waitedForIdleMs: number;
  /** CPU wrk used, in cores: well under 1 means the generator was waiting for the server, not the bottleneck. */
  generatorCpu: number;
  /** CPU the server process used, in cores (with `serverPid`): well under 1 while it is the bottleneck means something else took its core. */
  serverCpu?: number;
  /** How busy each core was during the run (whatever ran there), and the share the hypervisor took (steal). */
  coreBusy: number[];
  steal: number;
}

/** The fields of a wrk run that are single numbers, to take medians of. */
export type WrkNumber = { [K in keyof WrkResult]-?: WrkResult[K] extends number ? K : never }[keyof WrkResult];

export const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A process's user + system CPU time in clock ticks, all its threads. */
export function processTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Per-core [busy, steal, total] jiffies from /proc/stat. */
export function coreTimes(): number[][] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d/.test(l))
    .map((l) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = l.split(/\s+/).slice(1).map(Number) as number[];
      return [user! + nice! + system! + irq! + softirq!, steal!, user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal!];
    });
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * On a shared machine, waits (up to `maxMs`) for a second in which the cores were nearly idle but for our own servers,
 * so that a run starts without someone else's job on them; returns how long it waited. A job that starts mid-run
 * still shows in the run's serverCpu and coreBusy.
 */
export function waitForIdle(maxMs = 30_000): number {
  const started = Date.now();
  const ticks = (pid: number) => {
    try {
      return processTicks(pid);
    } catch {
      return 0; // exited meanwhile
    }
  };
  const ours = () => [...servers].reduce((n, pid) => n + ticks(pid), 0);
  while (Date.now() - started < maxMs) {
    const [before, oursBefore] = [coreTimes(), ours()];
    sleepSync(1000);
    const [after, oursAfter] = [coreTimes(), ours()];
    const sum = (times: number[][], field: number) => times.reduce((n, core) => n + core[field]!, 0);
    // Jiffies and clock ticks are both USER_HZ.
    const others = (sum(after, 0) - sum(before, 0) - (oursAfter - oursBefore)) / (sum(after, 2) - sum(before, 2));
    if (others < 0.1) break;
  }
  return Date.now() - started;
}

/**
 * Runs wrk (one thread, pinned to core 1) against `url` and returns its report. `script` defaults to the report alone
 * (plain GETs); `scriptArgs` go to the script's init() after `--`. bash's `times` gives wrk's own CPU time.
 */
export function wrk(url: string, options: { connections: number; seconds: number; script?: string; scriptArgs?: string[]; serverPid?: number }): WrkResult {
  const script = options.script ?? path.join(ROOT, 'bench/wrk-report.lua');
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '-s', script, url, '--', ...(options.scriptArgs ?? [])];
  const [cmd, cmdArgs] = pinned('1', 'bash', ['-c', 'wrk "$@"; status=$?; times >&2; exit $status', 'wrk', ...args]);
  const waitedMs = waitForIdle();
  const [before, serverBefore] = [coreTimes(), options.serverPid ? processTicks(options.serverPid) : 0];
  const result = spawnSync(cmd, cmdArgs, { encoding: 'utf8' });
  const [after, serverAfter] = [coreTimes(), options.serverPid ? processTicks(options.serverPid) : 0];
  const line = result.stdout.split('\n').findLast((l) => l.startsWith('{'));
  if (result.status !== 0 || !line) throw new Error(`wrk ${args.join(' ')} failed (${result.status}; apt-get install wrk?): ${result.stdout}${result.stderr}`);
  const report = JSON.parse(line) as Omit<WrkResult, 'waitedForIdleMs' | 'generatorCpu' | 'coreBusy' | 'steal'>;
  // `times` prints the shell's user and system time, then its children's: wrk's.
  const [user, system] = [
    ...result.stderr
      .trim()
      .split('\n')
      .at(-1)!
      .matchAll(/(\d+)m([\d.]+)s/g),
  ].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const delta = after.map((core, i) => core.map((v, j) => v - before[i]![j]!));
  return {
    ...report,
    waitedForIdleMs: waitedMs,
    generatorCpu: Number((((user ?? 0) + (system ?? 0)) / report.seconds).toFixed(2)),
    ...(options.serverPid ? { serverCpu: Number(((serverAfter - serverBefore) / CLOCK_TICKS / report.seconds).toFixed(2)) } : {}),
    coreBusy: delta.map(([busy, , total]) => Number((busy! / total!).toFixed(2))),
    steal: Number((delta.reduce((n, [, steal]) => n + steal!, 0) / delta.reduce((n, [, , total]) => n + total!, 0)).toFixed(2)),
  };
}

/** When and where a pinned benchmark ran: the head of its result file. */
export function runFacts() {
  const version = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.split(' [')[0];
  return { date: new Date().toISOString(), node: process.version, cores: cpus().length, pinned: hasTaskset, generator: `${version}, 1 thread` };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * How much of its core the server had in each run, and the median of requests per second of server CPU: on a shared
 * machine the rate falls with what others take from the core, the rate per CPU second much less.
 */
export function cpuFacts(runs: WrkResult[], perSecond: (r: WrkResult) => number) {
  const withCpu = runs.filter((r) => r.serverCpu);
  return {
    serverCpu: runs.map((r) => r.serverCpu),
    medianPerServerCpuSecond: withCpu.length ? Math.round(median(withCpu.map((r) => perSecond(r) / r.serverCpu!))) : undefined,
  };
}

export function rssMb(pid: number): number {
  return Math.round(Number(spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()) / 1024);
}
