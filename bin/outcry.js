#!/usr/bin/env -S node --single-threaded-gc --min-semi-space-size=16
// The entry point. Bundles src/ (TypeScript + TSX) with esbuild into one ESM file under node_modules/.cache and runs
// it: no TypeScript loader stays resident in the server (that saves a loader thread and tens of megabytes), and a
// bundle takes well under a second to make. If bundling fails, it falls back to running the sources through tsx.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import v8 from 'node:v8';

// V8 lets the old generation grow to about four times what survived the last full collection before collecting
// again: under a signing flood that is 150 MB of garbage around a 50 MB live heap. Growing by half instead keeps the
// server near 250 MB rather than past 300 MB on a small machine (measured against doubling: 233-252 MB vs 301-316 MB
// after 40 s of signing, same throughput), for a full collection every few seconds.
v8.setFlagsFromString('--heap-growing-percent=50');
// That flag can be set from here; the two on the first line cannot: V8 reads them as it starts (--single-threaded-gc
// set at run time crashes it; --min-semi-space-size is ignored). `npm start`, `npm run outcry`, `npx outcry` and the
// benchmarks all run this file itself, so that line is the one place they are spelt.
// --single-threaded-gc: Outcry runs one process per core (embedded: the second core does the flushes, the checkpoints
// and the TLS proxy; scaled: one process per core). V8's helper threads would mark and sweep on a core that is not
// free, taking it from the event loop mid-request: with the server on one core the signing benchmark's p99 was
// 50-77 ms with them and 38-53 ms without, for the same throughput.
// --min-semi-space-size=16: the young generation starts at the size it grows to under load anyway (+9 MB idle). With
// it small when a flood arrives, and the old generation allowed to double, 10 of 27 starts fell into a state where
// every young collection promoted ~2 MB of request objects (scavenges of 8 ms instead of 2.5, 25 % fewer signatures
// per second) until restarted. Either change alone avoided it (0 of 22 starting at 16 MB; 0 of 16 growing by half);
// why is not understood, so both stay.

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = path.join(root, 'src');
const outfile = path.join(root, 'node_modules', '.cache', 'outcry', `cli-${process.pid}.mjs`);

/** Bundles left by processes that are gone (killed before they could remove theirs). */
function removeStaleBundles(dir) {
  for (const name of readdirSync(dir)) {
    const pid = Number(/^(?:cli|thread)-(\d+)[.-]/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if (error.code === 'ESRCH') rmSync(path.join(dir, name), { force: true });
    }
  }
}

async function bundle() {
  const { build } = await import('esbuild');
  mkdirSync(path.dirname(outfile), { recursive: true });
  removeStaleBundles(path.dirname(outfile));
  await build({
    entryPoints: [path.join(srcDir, 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { __OUTCRY_SRC_DIR__: JSON.stringify(srcDir + path.sep) },
    logLevel: 'silent',
  });
}

let bundled = false;
try {
  await bundle();
  bundled = true;
  // A command that ends with process.exit() never reaches the finally below.
  process.on('exit', () => rmSync(outfile, { force: true }));
} catch {
  const { register } = await import('tsx/esm/api');
  register();
}
try {
  await import(pathToFileURL(bundled ? outfile : path.join(srcDir, 'cli.ts')).href);
} finally {
  // Loaded once, the bundle file is no longer needed; one per process id keeps simultaneous starts apart.
  if (bundled) rmSync(outfile, { force: true });
}
