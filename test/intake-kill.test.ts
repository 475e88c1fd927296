/**
 * A JavaScript-off upload to /speak whose server is killed (SIGKILL) in the middle of the file leaves no plaintext
 * behind: not in any file under the data folder (database, write-ahead log, shared memory, anything else), not in a
 * temporary file, not in the server's own output. Nothing half-received is shown after a restart, and the
 * housekeeping sweep deletes the message and its ciphertext chunks once they are 12 hours old.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvelopeWriter } from '../src/crypto/envelope.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { deleteWhatIsDue } from '../src/features/intake/housekeeping.ts';
import { addReader } from './helpers/intake.ts';

const BIN = fileURLToPath(new URL('../bin/outcry.js', import.meta.url));
const FILE_BYTES = 8 * 1024 * 1024;
/** Slow enough that the kill lands well inside the file: ~3 MB a second. */
const PIECE_BYTES = 128 * 1024;
const PAUSE_MS = 40;
const HELD_BACK_BYTES = 1024 * 1024;
/** Ciphertext chunks (1 MiB each) that must be in the database before the kill: the upload was under way. */
const CHUNKS_BEFORE_KILL = 2;
const HOUR_MS = 60 * 60 * 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

/** Starts `outcry start` as its own process; everything it prints is appended to `output`. */
function startServer(env: Record<string, string>, output: string[]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: { PATH: process.env['PATH'] ?? '', TMPDIR: tmpdir(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no start:\n${seen}`)), 30_000);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      seen += d.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${seen}`)));
  });
}

/** A marker as sent, and as the base64 of the MIME envelope would carry it starting at each of the three byte offsets. */
function needlesFor(marker: string): Buffer[] {
  const bytes = Buffer.from(marker);
  const base64 = [0, 1, 2].map((skip) => {
    const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
    return Buffer.from(whole.toString('base64'));
  });
  return [bytes, ...base64];
}

/** Every regular file under `folder` (symbolic links not followed; folders that cannot be read skipped). */
function filesUnder(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const file = path.join(folder, name);
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return filesUnder(file);
    return stat?.isFile() ? [file] : [];
  });
}

/** Whether any needle is in the file, read in blocks that overlap by the longest needle. */
function fileContains(file: string, needles: Buffer[]): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false; // gone meanwhile, or someone else's
  }
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  const block = Buffer.alloc(4 * 1024 * 1024 + overlap);
  try {
    let kept = 0;
    for (;;) {
      const read = readSync(fd, block, kept, block.length - kept, null);
      const view = block.subarray(0, kept + read);
      if (needles.some((needle) => view.includes(needle))) return true;
      if (read === 0) return false;
      kept = Math.min(overlap, view.length);
      view.copy(block, 0, view.length - kept);
    }
  } finally {
    closeSync(fd);
  }
}

const filesContaining = (files: string[], needles: Buffer[]) => files.filter((file) => fileContains(file, needles));
const holdsAny = (bytes: Buffer, needles: Buffer[]) => needles.some((needle) => bytes.includes(needle));

/** A fresh database with one reviewer, made before any server opens it. */
async function prepareDatabase(url: string): Promise<void> {
  const database = openDatabase({ url });
  try {
    await migrateToLatest(database.db);
    await addReader(database.db, 'reviewer', 'Reviewer Killed');
  } finally {
    await database.close();
  }
}

/** The form a browser without JavaScript sends, fields in its order, around a file streamed in later. */
function formAround(fields: Array<[string, string]>, fileName: string, fileBytes: number) {
  const boundary = `----OutcryKill${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { fields, head, tail, type: `multipart/form-data; boundary=${boundary}`, length: head.length + fileBytes + tail.length };
}

/** The MIME envelope the server would encrypt for this form, whole, to check that the search finds its markers. */
function envelopeOf(fields: Array<[string, string]>, fileName: string, file: Buffer): Buffer {
  const writer = new EnvelopeWriter(randomBytes(16));
  const texts = fields.filter((field): field is ['message' | 'contact', string] => field[0] === 'message' || field[0] === 'contact');
  const parts = [writer.start('testimony'), ...texts.map(([name, text]) => writer.text(name, text))];
  parts.push(writer.fileStart(fileName, 'application/octet-stream'), writer.fileBytes(file), writer.fileEnd(), writer.finish());
  return Buffer.concat(parts);
}

/**
 * Sends the form a piece at a time with pauses, all but the file's last HELD_BACK_BYTES, then waits for the kill: the
 * upload is cut inside the file however slow the server is. `sent` counts the file's bytes handed to the socket.
 */
function startSlowUpload(url: string, form: ReturnType<typeof formAround>, file: Buffer) {
  const req = request(`${url}/speak`, {
    method: 'POST',
    headers: { 'content-type': form.type, 'content-length': form.length, 'sec-fetch-site': 'same-origin' },
  });
  const state = { sent: 0, answer: '' };
  const ended = new Promise<void>((resolve) => {
    req.once('response', (res) => {
      state.answer = `HTTP ${res.statusCode}`;
      res.resume();
      resolve();
    });
    req.once('error', (error: NodeJS.ErrnoException) => {
      state.answer = error.code ?? error.message;
      resolve();
    });
  });
  const sending = (async () => {
    req.write(form.head);
    for (let at = 0; at < file.length - HELD_BACK_BYTES && !state.answer; at += PIECE_BYTES) {
      // A socket that died stays full: its 'drain' never comes, so the wait ends with the request too.
      if (!req.write(file.subarray(at, at + PIECE_BYTES))) await Promise.race([once(req, 'drain'), ended]);
      state.sent = Math.min(file.length, at + PIECE_BYTES);
      await sleep(PAUSE_MS);
    }
  })().catch(() => {}); // the connection dies with the server: `ended` says how
  return { state, settled: Promise.all([ended, sending]) };
}

function chunksIn(dbFile: string): number {
  const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('select count(*) as n from intake_chunks').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function waitForChunks(dbFile: string, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let seen = chunksIn(dbFile); ; seen = chunksIn(dbFile)) {
    if (seen >= count || Date.now() > deadline) return seen;
    await sleep(20);
  }
}

/** What the killed upload left in the database, per state, read without writing anything. */
function intakeRows(dbFile: string) {
  const db = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  try {
    const count = (query: string) => (db.prepare(query).get() as { n: number }).n;
    return {
      openSubmissions: count(`select count(*) as n from intake_submissions where state = 'open'`),
      receivingSubmissions: count(`select count(*) as n from intake_submissions where state = 'receiving'`),
      storedMessages: count(`select count(*) as n from intake_messages where state = 'stored'`),
      receivingMessages: count(`select count(*) as n from intake_messages where state = 'receiving'`),
      chunks: count('select count(*) as n from intake_chunks'),
    };
  } finally {
    db.close();
  }
}

describe('an upload to /speak killed mid-file', () => {
  const folders: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('leaves no plaintext on disk or in the log, shows nothing, and is swept after 12 hours', async () => {
    const tmpBefore = new Set(filesUnder(tmpdir()));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'outcry-kill-'));
    folders.push(dataDir);
    const dbFile = path.join(dataDir, 'outcry.db');
    const url = `sqlite:${dbFile}`;
    await prepareDatabase(url);

    const markers = ['MESSAGE', 'CONTACT', 'FILE'].map((what) => `${what}-${randomBytes(8).toString('hex')}`);
    const [messageMarker, contactMarker, fileMarker] = markers as [string, string, string];
    // Repeated, so that in base64 each marker also stands whole within a line at every byte offset.
    const file = Buffer.from(`${fileMarker}\n`.repeat(Math.ceil(FILE_BYTES / (fileMarker.length + 1)))).subarray(0, FILE_BYTES);
    const form = formAround(
      [
        ['lang', 'en'],
        ['mode', 'server'],
        ['kind', 'testimony'],
        ['message', `They came at night. ${messageMarker} `.repeat(30)],
        ['contact', `signal ${contactMarker} `.repeat(20)],
      ],
      `${fileMarker}.txt`,
      file.length,
    );
    const needles = markers.flatMap(needlesFor);
    // The search finds each marker where it is: in the form as sent, and in the envelope the server encrypts.
    const envelope = envelopeOf(form.fields, `${fileMarker}.txt`, file);
    for (const marker of markers) {
      expect(holdsAny(Buffer.concat([form.head, file]), needlesFor(marker)), marker).toBe(true);
      expect(holdsAny(envelope, needlesFor(marker)), marker).toBe(true);
    }

    const env = { DATA_DIR: dataDir, DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'trace', LOAD_DEMO: 'false', SECRET_KEY: randomBytes(32).toString('hex') };
    const output: string[] = [];
    const first = await startServer(env, output);
    children.push(first.child);
    const upload = startSlowUpload(first.url, form, file);
    const chunks = await waitForChunks(dbFile, CHUNKS_BEFORE_KILL, 20_000);
    const sentAtKill = upload.state.sent;
    first.child.kill('SIGKILL');
    await first.exited;
    await upload.settled;
    expect(chunks).toBeGreaterThanOrEqual(CHUNKS_BEFORE_KILL);
    expect(sentAtKill).toBeGreaterThan(0);
    expect(sentAtKill).toBeLessThan(file.length);
    expect(upload.state.answer).not.toMatch(/^HTTP/);

    // Straight after the kill, before anything opens the database again.
    expect(filesContaining(filesUnder(dataDir), needles)).toEqual([]);
    expect(intakeRows(dbFile)).toMatchObject({ openSubmissions: 0, receivingSubmissions: 1, storedMessages: 0, receivingMessages: 1 });
    expect(intakeRows(dbFile).chunks).toBeGreaterThanOrEqual(CHUNKS_BEFORE_KILL);

    const second = await startServer(env, output);
    children.push(second.child);
    expect((await fetch(`${second.url}/speak`)).status).toBe(200);
    // What /admin/intake lists: open submissions and their stored messages.
    expect(intakeRows(dbFile)).toMatchObject({ openSubmissions: 0, storedMessages: 0 });
    second.child.kill('SIGTERM');
    await second.exited;

    const database = openDatabase({ url });
    try {
      expect(await deleteWhatIsDue(database.db, new Date(Date.now() + 13 * HOUR_MS))).toEqual({ deleted: 0, swept: 1 });
    } finally {
      await database.close();
    }
    expect(intakeRows(dbFile)).toEqual({ openSubmissions: 0, receivingSubmissions: 0, storedMessages: 0, receivingMessages: 0, chunks: 0 });

    expect(filesContaining(filesUnder(dataDir), needles)).toEqual([]);
    const newTmpFiles = filesUnder(tmpdir()).filter((f) => !tmpBefore.has(f));
    expect(filesContaining(newTmpFiles, needles)).toEqual([]);
    expect(holdsAny(Buffer.from(output.join('')), needles)).toBe(false);
  }, 60_000);
});
