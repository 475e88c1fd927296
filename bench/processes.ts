/** What the benchmarks share: processes pinned to their own core where taskset exists, and medians of runs. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const hasTaskset = spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2;

/** The command line that runs `command` on `core` (or unpinned where that is not possible). */
export function pinned(core: string, command: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', core, command, ...args]] : [command, args];
}

/** The command line `npm start` runs, with `args` after `outcry`: the script itself, so Node gets its first line's flags. */
export function outcryCommand(...args: string[]): [string, string[]] {
  return [path.join(ROOT, 'bin/outcry.js'), args];
}

/** Starts a server on core 0 and resolves once its output matches `ready`. */
export function startPinned(command: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const [cmd, cmdArgs] = pinned('0', command, args);
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

/** When and where a pinned benchmark ran: the head of its result file. */
export function runFacts() {
  return { date: new Date().toISOString(), node: process.version, cores: cpus().length, pinned: hasTaskset };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function rssMb(pid: number): number {
  return Math.round(Number(spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()) / 1024);
}
