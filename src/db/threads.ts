/**
 * A task on a worker thread with its own connection to the database: a second core for a long read. The thread's
 * code is bundled from the sources when it starts (as bin/outcry.js bundles the command), so it runs the same from
 * the command's bundle, under tsx and under vitest, none of which a worker thread could load the sources from itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SRC_DIR } from '../paths.ts';

const BUNDLE_DIR = path.join(SRC_DIR, '..', 'node_modules', '.cache', 'outcry');

export interface ThreadRun<I> {
  /** The module, an absolute path under src/. */
  file: string;
  /** The function it exports, a ThreadTask (see database.ts). */
  name: string;
  input: I;
  onMessage?: (message: unknown) => void;
}

type Reply = { message: unknown } | { result: unknown } | { error: string };

export async function runOnThread<I, O>(url: string, run: ThreadRun<I>): Promise<O> {
  if (!/^[A-Za-z_$][\w$]*$/.test(run.name)) throw new Error(`Not a function name: ${run.name}`);
  // Random: threads of one process (and their own threads) may bundle at the same moment.
  const outfile = path.join(BUNDLE_DIR, `thread-${process.pid}-${randomBytes(6).toString('hex')}.mjs`);
  try {
    await bundleThread(run, outfile);
    // No execArgv: a TypeScript loader the parent runs under (tsx) has nothing to load in a bundle.
    const worker = new Worker(outfile, { workerData: { url, input: run.input }, execArgv: [] });
    return await new Promise<O>((resolve, reject) => {
      let settled = false;
      worker.on('message', (reply: Reply) => {
        if ('message' in reply) run.onMessage?.(reply.message);
        else if ('result' in reply) {
          settled = true;
          resolve(reply.result as O);
        } else {
          settled = true;
          reject(new Error(`The thread running ${run.name} failed: ${reply.error}`));
        }
      });
      worker.once('error', (error) => {
        settled = true;
        reject(error);
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`The thread running ${run.name} exited (${code}) without a result`));
      });
    });
  } finally {
    rmSync(outfile, { force: true });
  }
}

async function bundleThread(run: ThreadRun<unknown>, outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const entry = path.join(SRC_DIR, 'db', 'thread-entry.ts');
  await build({
    stdin: {
      contents: `import { serveThread } from ${JSON.stringify(entry)};\nimport { ${run.name} as task } from ${JSON.stringify(run.file)};\nawait serveThread(task);\n`,
      resolveDir: SRC_DIR,
      sourcefile: 'thread.ts',
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { __OUTCRY_SRC_DIR__: JSON.stringify(SRC_DIR) },
    logLevel: 'silent',
  });
}
