/**
 * npm run bench:intake [-- runs] [sizeMb] [parallel] [signingSeconds] — how fast `/speak` takes a large file with
 * JavaScript off (the server encrypts it with OpenPGP.js as it streams in and stores ciphertext in the database),
 * against `gpg --encrypt` of the same file to the same Curve25519 key on the same machine in the same runs; how much
 * the server's memory grows meanwhile; and whether signing stays quick while `parallel` such uploads arrive at once.
 * Every stored message is decrypted with gpg and its attachment compared with the file, so the numbers are of real
 * work. The server runs pinned to core 0, as gpg does; wrk to core 1. Not a test: nothing asserts timing.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { addRecipient } from '../src/features/intake/recipients.ts';
import { makeUser } from '../test/helpers/factories.ts';
import { checkoutsFrom, median, outcryCommand, pinned, ROOT, runFacts, startPinned, waitForIdle, type WrkResult } from './processes.ts';

const [runsArg, sizeArg, parallelArg, secondsArg] = process.argv.slice(2);
const RUNS = Number(runsArg ?? 3);
const SIZE_MB = Number(sizeArg ?? 100);
const PARALLEL = Number(parallelArg ?? 10);
const MAX_SIGNING_SECONDS = Number(secondsArg ?? 20);
const MB = 1_000_000;
const PORT = 3930;
/** As bench:sign, so "signing alone" here is comparable with its p99. */
const SIGNING_CONNECTIONS = 100;
/** The most INTAKE_MAX_UPLOAD_MB allows, so that a file of any size given on the command line is taken. */
const MAX_UPLOAD_MB = 1024;
const RSS_EVERY_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rounded = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Writes `bytes` random bytes to `file` a MiB at a time; returns their SHA-256. */
async function writeRandomFile(file: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  async function* chunks() {
    for (let left = bytes; left > 0; left -= 1 << 20) {
      const chunk = randomBytes(Math.min(left, 1 << 20));
      hash.update(chunk);
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file));
  return hash.digest('hex');
}

/** gpg in its own home, never asking for a passphrase (the benchmark's key has none). */
function gpgArgs(home: string, ...args: string[]): string[] {
  return ['--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args];
}

/** A reviewer's key as GnuPG 2.2 makes it by default: ed25519 to sign, cv25519 to encrypt. */
function makeGpgKey(home: string): { fingerprint: string; armored: string } {
  const gpg = (...args: string[]) => execFileSync('gpg', gpgArgs(home, ...args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  gpg('--quick-generate-key', 'Bench Reviewer <reviewer@example.org>', 'future-default', 'default', '1y');
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--fingerprint', 'reviewer@example.org'))![1]!;
  return { fingerprint, armored: gpg('--armor', '--export', fingerprint) };
}

/** Wall time of one `gpg --encrypt`, pinned to the server's core; `extra` e.g. `--compress-algo none`. */
function timeGpgEncrypt(home: string, fingerprint: string, input: string, extra: string[]): number {
  const output = `${input}.gpg`;
  const [cmd, args] = pinned(
    '0',
    'gpg',
    gpgArgs(home, '--trust-model', 'always', ...extra, '--encrypt', '--recipient', fingerprint, '--output', output, input),
  );
  const started = performance.now();
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  rmSync(output, { force: true });
  if (result.status !== 0) throw new Error(`gpg --encrypt failed: ${result.stderr}`);
  return seconds;
}

/** Migrates a fresh SQLite database and makes the key its only reviewer, before the server first opens it. */
async function prepareDatabase(dataDir: string, armored: string): Promise<void> {
  const database = openDatabase({ url: `sqlite:${path.join(dataDir, 'outcry.db')}` });
  try {
    await migrateToLatest(database.db);
    const owner = await makeUser(database.db, 'owner');
    await addRecipient(database.db, {
      userId: owner.id,
      input: { kind: 'reviewer', name: 'Bench Reviewer', description: '', region: '', publicKey: armored, notifyEmail: '' },
    });
  } finally {
    await database.close();
  }
}

/** The multipart body a browser with JavaScript off sends, around the file's bytes. */
function formAround(marker: string, fileName: string, fileBytes: number) {
  const boundary = `----OutcryBench${randomBytes(12).toString('hex')}`;
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('lang', 'en') +
      field('mode', 'server') +
      field('kind', 'testimony') +
      field('message', `A large file follows. ${marker}`) +
      field('contact', `signal ${marker}`) +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { head, tail, type: `multipart/form-data; boundary=${boundary}`, length: head.length + fileBytes + tail.length };
}

interface Upload {
  status: number;
  /** From the first byte written to the end of the answer. */
  seconds: number;
  /** From the first byte written until the last was handed to the kernel. */
  sentSeconds: number;
  codename: string | undefined;
  startedAt: number;
  endedAt: number;
}

/** POSTs the file as one `files` part over real HTTP, streamed from disk. */
function uploadFile(url: string, file: string, fileBytes: number): Promise<Upload> {
  const form = formAround(`bench-${randomBytes(6).toString('hex')}`, path.basename(file), fileBytes);
  async function* body() {
    yield form.head;
    yield* createReadStream(file, { highWaterMark: 1 << 16 });
    yield form.tail;
  }
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let sentAt = Number.NaN;
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': form.type, 'content-length': form.length, 'sec-fetch-site': 'same-origin' } },
      (res) => {
        let page = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          page += text;
        });
        res.on('end', () => {
          const endedAt = performance.now();
          const codename = /<p class="codename" id="codename"[^>]*>([a-z -]+)<\/p>/.exec(page)?.[1];
          resolve({
            status: res.statusCode ?? 0,
            seconds: (endedAt - startedAt) / 1000,
            sentSeconds: (sentAt - startedAt) / 1000,
            codename,
            startedAt,
            endedAt,
          });
        });
      },
    );
    req.on('error', reject);
    pipeline(Readable.from(body()), req).then(() => {
      sentAt = performance.now();
    }, reject);
  });
}

/** The server's resident memory in MiB, from the kernel's own count. */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return Number(kb) / 1024;
}

/** Samples a process's RSS every RSS_EVERY_MS until stopped; each sample with its time. */
function sampleRss(pid: number): { stop(): Array<{ at: number; mb: number }> } {
  const samples: Array<{ at: number; mb: number }> = [];
  const take = () => samples.push({ at: performance.now(), mb: rssOf(pid) });
  take();
  const timer = setInterval(take, RSS_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** The server's idle RSS: the median of a second's samples, nothing in flight. */
async function idleRss(pid: number): Promise<number> {
  const sampler = sampleRss(pid);
  await sleep(1000);
  return median(sampler.stop().map((s) => s.mb));
}

/** Growth over `idle` at the peak of the samples, in all and up to `until` (the client had sent the last byte). */
function rssGrowth(samples: Array<{ at: number; mb: number }>, idle: number, until: number) {
  const peak = (list: typeof samples) => Math.max(...list.map((s) => s.mb));
  return {
    idleMib: rounded(idle),
    peakGrowthMib: rounded(peak(samples) - idle),
    peakGrowthWhileSendingMib: rounded(peak(samples.filter((s) => s.at <= until)) - idle),
  };
}

/** The newest `count` messages people sent, stored whole, newest first. */
function newestSenderMessages(dbFile: string, count: number): number[] {
  const db = new SQLite(dbFile, { readonly: true });
  try {
    const rows = db.prepare(`select id from intake_messages where author = 'sender' and state = 'stored' order by id desc limit ?`).all(count) as Array<{
      id: number;
    }>;
    return rows.map((row) => row.id);
  } finally {
    db.close();
  }
}

interface Opened {
  attachmentSha256: string;
  attachmentBytes: number;
  ciphertextBytes: number;
  envelopeBytes: number;
}

/**
 * Decrypts a stored message with gpg, its ciphertext read chunk by chunk from the database, and hashes the file part
 * of the MIME message it gives, as a reviewer's mail client would decode it (each 76-character base64 line decodes alone).
 */
async function decryptStored(dbFile: string, messageId: number, home: string): Promise<Opened> {
  const gpg = spawn('gpg', gpgArgs(home, '--quiet', '--decrypt'), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  gpg.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => gpg.once('close', resolve));
  const db = new SQLite(dbFile, { readonly: true });
  let ciphertextBytes = 0;
  const chunks = function* () {
    for (const row of db.prepare('select data from intake_chunks where message_id = ? order by seq').iterate(messageId) as Iterable<{ data: Buffer }>) {
      ciphertextBytes += row.data.length;
      yield row.data;
    }
  };
  const [opened] = await Promise.all([fileInMime(gpg.stdout), pipeline(Readable.from(chunks()), gpg.stdin)]).finally(() => db.close());
  if ((await exited) !== 0) throw new Error(`gpg --decrypt of message ${messageId} failed: ${stderr}`);
  return { ...opened, ciphertextBytes };
}

/** The attachment of a MIME message streamed line by line: its SHA-256 and size, and the message's size. */
async function fileInMime(mime: Readable): Promise<Omit<Opened, 'ciphertextBytes'>> {
  const hash = createHash('sha256');
  let boundary: string | undefined;
  let state: 'head' | 'part-head' | 'attachment' | 'other' = 'head';
  let attachmentBytes = 0;
  let envelopeBytes = 0;
  for await (const line of createInterface({ input: mime, crlfDelay: Number.POSITIVE_INFINITY })) {
    envelopeBytes += line.length + 2;
    boundary ??= /boundary="([^"]+)"/.exec(line)?.[1];
    if (boundary && line.startsWith(`--${boundary}`)) state = 'part-head';
    else if (state === 'part-head' && /^Content-Disposition: attachment/i.test(line)) state = 'attachment';
    else if (state === 'part-head' && line === '') state = 'other';
    else if (state === 'attachment' && line !== '' && !line.startsWith('Content-')) {
      const bytes = Buffer.from(line, 'base64');
      attachmentBytes += bytes.length;
      hash.update(bytes);
    }
  }
  return { attachmentSha256: hash.digest('hex'), attachmentBytes, envelopeBytes };
}

/** Checks that each message decrypts to the file; returns what gpg gave for the first. */
async function proveStored(dbFile: string, messageIds: number[], home: string, sha256: string, bytes: number): Promise<Opened> {
  const opened: Opened[] = [];
  for (const id of messageIds) {
    const one = await decryptStored(dbFile, id, home);
    if (one.attachmentSha256 !== sha256 || one.attachmentBytes !== bytes) {
      throw new Error(`message ${id} decrypts to ${one.attachmentBytes} bytes (sha256 ${one.attachmentSha256}), not the file's ${bytes} (${sha256})`);
    }
    opened.push(one);
  }
  return opened[0]!;
}

/** A process's CPU time (user + system, all threads) in seconds. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * wrk driving signing (bench/wrk-sign.lua, every status counted) on core 1, run without blocking this process: the
 * uploads it runs beside are streamed from here. processes.ts's wrk() waits synchronously, so it cannot be used here.
 */
function signingLoad(url: string, seconds: number): Promise<WrkResult & { acceptedPerSecond: number }> {
  const args = ['-t1', `-c${SIGNING_CONNECTIONS}`, `-d${seconds}s`, '--timeout', '10s', '-s', path.join(ROOT, 'bench/wrk-sign.lua'), url, '--', 'statuses'];
  const [cmd, cmdArgs] = pinned('1', 'wrk', args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('close', (status) => {
      const line = output.split('\n').findLast((l) => l.startsWith('{'));
      if (status !== 0 || !line) return reject(new Error(`wrk ${args.join(' ')} failed (${status}): ${output}`));
      const report = JSON.parse(line) as WrkResult & { '2xx'?: number };
      resolve({ ...report, acceptedPerSecond: Math.round((report['2xx'] ?? 0) / report.seconds) });
    });
  });
}

/** Signing under wrk for `seconds`, with the server's share of its core meanwhile. */
async function measureSigning(url: string, serverPid: number, seconds: number) {
  const cpuBefore = cpuSecondsOf(serverPid);
  const result = await signingLoad(url, seconds);
  const { requests, seconds: ran, p50Ms, p90Ms, p99Ms, p999Ms, maxMs, non2xx, socketErrors, timeouts, acceptedPerSecond } = result;
  return {
    requests,
    seconds: ran,
    acceptedPerSecond,
    p50Ms,
    p90Ms,
    p99Ms,
    p999Ms,
    maxMs,
    non2xx,
    socketErrors,
    timeouts,
    serverCpu: rounded((cpuSecondsOf(serverPid) - cpuBefore) / ran, 2),
  };
}

interface Context {
  url: string;
  pid: number;
  dbFile: string;
  gpgHome: string;
  fingerprint: string;
  file: string;
  bytes: number;
  sha256: string;
}

/** One upload alone: its rate, the server's memory meanwhile, and proof that what was stored is the file. */
async function measureOneUpload(ctx: Context) {
  waitForIdle();
  const idle = await idleRss(ctx.pid);
  const sampler = sampleRss(ctx.pid);
  const upload = await uploadFile(`${ctx.url}/speak`, ctx.file, ctx.bytes);
  const samples = sampler.stop();
  if (upload.status !== 200 || !upload.codename) throw new Error(`/speak answered ${upload.status} without a codename`);
  const [messageId] = newestSenderMessages(ctx.dbFile, 1);
  const opened = await proveStored(ctx.dbFile, [messageId!], ctx.gpgHome, ctx.sha256, ctx.bytes);
  return {
    seconds: rounded(upload.seconds, 2),
    sentSeconds: rounded(upload.sentSeconds, 2),
    mbPerSecond: rounded(ctx.bytes / MB / upload.seconds),
    codenameWords: upload.codename.split(' ').length,
    ...rssGrowth(samples, idle, upload.startedAt + upload.sentSeconds * 1000),
    ...opened,
  };
}

/** `PARALLEL` uploads at once with signing under wrk meanwhile, after signing alone for the same time. */
async function measureUploadsWithSigning(ctx: Context, bytes: number, expectedSeconds: number) {
  const signUrl = `${ctx.url}/c/eyes-on-chechnya/sign`;
  // wrk ends well before the uploads should, so that every signature it times is one made while all were arriving.
  const seconds = Math.max(5, Math.min(MAX_SIGNING_SECONDS, Math.floor(expectedSeconds * 0.6)));
  waitForIdle();
  const alone = await measureSigning(signUrl, ctx.pid, seconds);
  process.stderr.write(`signing alone: ${alone.acceptedPerSecond}/s, p99 ${alone.p99Ms} ms\n`);
  waitForIdle();
  const idle = await idleRss(ctx.pid);
  const sampler = sampleRss(ctx.pid);
  const uploads = Array.from({ length: PARALLEL }, () => uploadFile(`${ctx.url}/speak`, ctx.file, bytes));
  const signingStartedAt = performance.now();
  const during = await measureSigning(signUrl, ctx.pid, seconds);
  const signingEndedAt = performance.now();
  const done = await Promise.all(uploads);
  const samples = sampler.stop();
  const failed = done.filter((u) => u.status !== 200 || !u.codename);
  if (failed.length > 0) throw new Error(`${failed.length} of ${PARALLEL} uploads failed: ${failed.map((u) => u.status).join(', ')}`);
  process.stderr.write(`signing during ${PARALLEL} uploads: ${during.acceptedPerSecond}/s, p99 ${during.p99Ms} ms\n`);
  await proveStored(ctx.dbFile, newestSenderMessages(ctx.dbFile, PARALLEL), ctx.gpgHome, ctx.sha256, bytes);
  const firstStart = Math.min(...done.map((u) => u.startedAt));
  const wallSeconds = (Math.max(...done.map((u) => u.endedAt)) - firstStart) / 1000;
  return {
    uploads: PARALLEL,
    bytesEach: bytes,
    connections: SIGNING_CONNECTIONS,
    signingAlone: alone,
    signingDuringUploads: during,
    allUploadsInFlightWhileSigning: done.every((u) => u.endedAt > signingEndedAt && u.startedAt < signingStartedAt),
    signingWindowSeconds: [rounded((signingStartedAt - firstStart) / 1000), rounded((signingEndedAt - firstStart) / 1000)],
    uploadWindowsSeconds: done.map((u) => [rounded((u.startedAt - firstStart) / 1000), rounded((u.endedAt - firstStart) / 1000)]),
    uploadsWallSeconds: rounded(wallSeconds),
    uploadsMbPerSecondTotal: rounded((PARALLEL * bytes) / MB / wallSeconds),
    ...rssGrowth(samples, idle, Math.max(...done.map((u) => u.startedAt + u.sentSeconds * 1000))),
  };
}

/** Per-upload bytes for the parallel part: the full size, or less if the temporary folder could not hold it. */
function parallelBytes(folder: string, bytes: number): { bytesEach: number; freeDiskGb: number } {
  const { bavail, bsize } = statfsSync(folder);
  const free = bavail * bsize;
  // Each upload stores ~1.4x its size as ciphertext, and the write-ahead log may hold as much again before a checkpoint.
  const needed = (bytes * 1.4 * 2 + bytes) * (PARALLEL + RUNS + 2);
  return { bytesEach: needed < free ? bytes : Math.floor((free / needed) * bytes), freeDiskGb: rounded(free / 1e9) };
}

const gpgVersion = () => execFileSync('gpg', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'outcry-bench-intake-'));
  const [gpgHome, dataDir] = [path.join(work, 'gnupg'), path.join(work, 'data')];
  mkdirSync(gpgHome, { mode: 0o700 });
  mkdirSync(dataDir, { mode: 0o700 });
  const bytes = SIZE_MB * MB;
  const file = path.join(work, 'testimony.bin');
  const sha256 = await writeRandomFile(file, bytes);
  const key = makeGpgKey(gpgHome);
  await prepareDatabase(dataDir, key.armored);
  const env = { DATA_DIR: dataDir, PORT: String(PORT), LOG_LEVEL: 'warn', TRUST_PROXY: 'loopback', INTAKE_MAX_UPLOAD_MB: String(MAX_UPLOAD_MB) };
  const { commit, dirty } = checkoutsFrom([]).checkouts[0]!;
  const server = await startPinned(...outcryCommand(ROOT, 'start', '--role', 'all'), env, /listening on/);
  const ctx: Context = {
    url: `http://127.0.0.1:${PORT}`,
    pid: server.pid!,
    dbFile: path.join(dataDir, 'outcry.db'),
    gpgHome,
    fingerprint: key.fingerprint,
    file,
    bytes,
    sha256,
  };
  try {
    const result = await measureAll(ctx, work);
    writeResult({ commit, dirty, ...result });
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    spawnSync('gpgconf', ['--homedir', gpgHome, '--kill', 'gpg-agent']);
    rmSync(work, { recursive: true, force: true });
  }
}

async function measureAll(ctx: Context, work: string) {
  const gpgDefault: number[] = [];
  const gpgUncompressed: number[] = [];
  const outcry: Awaited<ReturnType<typeof measureOneUpload>>[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    waitForIdle();
    gpgDefault.push(timeGpgEncrypt(ctx.gpgHome, ctx.fingerprint, ctx.file, []));
    gpgUncompressed.push(timeGpgEncrypt(ctx.gpgHome, ctx.fingerprint, ctx.file, ['--compress-algo', 'none']));
    outcry.push(await measureOneUpload(ctx));
    const [a, b, c] = [gpgDefault.at(-1)!, gpgUncompressed.at(-1)!, outcry.at(-1)!];
    process.stderr.write(
      `run ${run + 1}/${RUNS}: gpg ${rounded(ctx.bytes / MB / a)} MB/s (uncompressed ${rounded(ctx.bytes / MB / b)}), ` +
        `Outcry ${c.mbPerSecond} MB/s, RSS +${c.peakGrowthMib} MiB\n`,
    );
  }
  const { bytesEach, freeDiskGb } = parallelBytes(work, ctx.bytes);
  const expectedSeconds = (PARALLEL * bytesEach) / MB / median(outcry.map((o) => o.mbPerSecond));
  const parallel = { freeDiskGb, ...(await measureUploadsWithSigning(ctx, bytesEach, expectedSeconds)) };
  return summarise(ctx, { gpgDefault, gpgUncompressed, outcry, parallel });
}

function summarise(
  ctx: Context,
  runs: {
    gpgDefault: number[];
    gpgUncompressed: number[];
    outcry: Awaited<ReturnType<typeof measureOneUpload>>[];
    parallel: Awaited<ReturnType<typeof measureUploadsWithSigning>> & { freeDiskGb: number };
  },
) {
  const rate = (seconds: number) => rounded(ctx.bytes / MB / seconds);
  const gpgMbPerSecond = median(runs.gpgDefault.map(rate));
  const outcryMbPerSecond = median(runs.outcry.map((o) => o.mbPerSecond));
  return {
    ...runFacts(),
    gpg: gpgVersion(),
    key: 'ed25519 / cv25519, made by gpg --quick-generate-key future-default',
    fileBytes: ctx.bytes,
    runs: RUNS,
    maxUploadMb: MAX_UPLOAD_MB,
    baseline: {
      what: 'gpg --batch --yes --trust-model always --encrypt (default compression, which is the ratio baseline), pinned to the server core',
      medianMbPerSecond: gpgMbPerSecond,
      seconds: runs.gpgDefault.map((s) => rounded(s, 2)),
      uncompressed: {
        what: 'the same with --compress-algo none, for reference',
        medianMbPerSecond: median(runs.gpgUncompressed.map(rate)),
        seconds: runs.gpgUncompressed.map((s) => rounded(s, 2)),
      },
    },
    outcry: {
      what: 'one JS-off multipart POST to /speak over HTTP, first byte sent to the 200; then gpg --decrypt of the stored chunks matched the file',
      medianMbPerSecond: outcryMbPerSecond,
      ratioToGpg: rounded(outcryMbPerSecond / gpgMbPerSecond, 2),
      medianPeakRssGrowthMib: median(runs.outcry.map((o) => o.peakGrowthMib)),
      medianPeakRssGrowthWhileSendingMib: median(runs.outcry.map((o) => o.peakGrowthWhileSendingMib)),
      runs: runs.outcry,
    },
    parallel: runs.parallel,
  };
}

function writeResult(result: Awaited<ReturnType<typeof measureAll>> & { commit: string; dirty: boolean }): void {
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const name = `intake-${result.date.slice(0, 10)}.json`;
  writeFileSync(path.join(ROOT, 'bench/results', name), `${JSON.stringify(result, null, 2)}\n`);
  const p = result.parallel;
  const lines = [
    `file: bench/results/${name} (${result.fileBytes / MB} MB of random bytes, ${result.runs} runs, medians)`,
    `gpg --encrypt (default compression; the baseline): ${result.baseline.medianMbPerSecond} MB/s; --compress-algo none: ${result.baseline.uncompressed.medianMbPerSecond} MB/s`,
    `Outcry /speak, JS off: ${result.outcry.medianMbPerSecond} MB/s, ratio to gpg ${result.outcry.ratioToGpg} (goal >= 0.5)`,
    `server RSS peak growth: ${result.outcry.medianPeakRssGrowthMib} MiB, ${result.outcry.medianPeakRssGrowthWhileSendingMib} MiB until the last byte was sent (goal < 64 MB)`,
    `${p.uploads} x ${p.bytesEach / MB} MB at once (${p.freeDiskGb} GB free in ${tmpdir()}): ${p.uploadsMbPerSecondTotal} MB/s in all, RSS +${p.peakGrowthMib} MiB`,
    `signing (wrk, ${p.connections} connections, ${p.signingDuringUploads.seconds} s): p99 ${p.signingDuringUploads.p99Ms} ms, ${p.signingDuringUploads.requests} answered ` +
      `(${p.signingDuringUploads.acceptedPerSecond}/s) during the uploads, against p99 ${p.signingAlone.p99Ms} ms (${p.signingAlone.acceptedPerSecond}/s) alone (goal < 100 ms)` +
      (p.allUploadsInFlightWhileSigning ? '' : '; some uploads were not in flight all the while'),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
