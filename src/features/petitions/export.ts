/**
 * `outcry export signatures`: the organisation reads its supporters' names and addresses, on its own machine, with its
 * secret key file. The server never could: each record is sealed to the organisation's public key (see crypto/hpke.ts).
 *
 * Signatures are read a page at a time (keyset pagination by id), so an export of millions holds one page in memory.
 * Each sealing window's key is recovered once (one HPKE setup per window, not per record) and kept while the export
 * runs. Records sealed to another key, or that fail to open, are counted and reported, never fatal: the rest is
 * exported. Output is CSV (RFC 4180), with cells that a spreadsheet would run as a formula made inert.
 */
import { once } from 'node:events';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { openRecord, recoverWindowKey, type OrganisationKeyPair } from '../../crypto/hpke.ts';
import type { Database } from '../../db/database.ts';
import type { SignatureStatus } from '../../db/schema.ts';
import { ProgressBar, type ProgressStream } from '../../progress-bar.ts';
import { recordAad, type SupporterRecord } from './signing/sealer.ts';

export const EXPORT_STATUSES = ['confirmed', 'pending', 'all'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export const CSV_COLUMNS = [
  'signature_id',
  'status',
  'confirmed_at',
  'country',
  'name',
  'email',
  'postcode',
  'wants_updates',
  'ref',
  'suspect',
  'suspect_reason',
  'created_at',
] as const;

const PAGE_SIZE = 1000;

/** Thrown before anything is written when the key file cannot open any of the selected signatures. */
export class ExportKeyError extends Error {
  constructor(
    message: string,
    readonly neededKeyIds: string[],
  ) {
    super(message);
    this.name = 'ExportKeyError';
  }
}

export interface ExportSummary {
  petitionId: number;
  /** Signatures selected by the filters. */
  total: number;
  /** Rows written to the CSV (withdrawn ones included, with empty personal fields). */
  written: number;
  /** Of those, withdrawn signatures whose personal data was erased. */
  withdrawn: number;
  /** Signatures left out because they are sealed to another key: key id -> how many. */
  otherKeys: Map<string, number>;
  /** Signatures sealed to this key that still failed to open (damaged, or moved from another petition). */
  failed: number;
}

export interface ExportOptions {
  db: Database;
  petitionId: number;
  key: OrganisationKeyPair;
  status: ExportStatus;
  includeSuspect: boolean;
  /** Receives the CSV in chunks; its promise settles when the chunk may be followed by the next (backpressure). */
  write: (chunk: string) => Promise<void>;
  onProgress?: (done: number, total: number) => void;
  pageSize?: number;
}

// ---- CSV ----------------------------------------------------------------------------------------------------------

/**
 * One CSV cell: text that a spreadsheet would take for a formula (= + - @, or a leading tab or carriage return, which
 * some spreadsheets skip before looking for one) gets a leading apostrophe; then RFC 4180 quoting.
 */
export function csvCell(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

// ---- Reading ------------------------------------------------------------------------------------------------------

interface WindowKey {
  keyId: string;
  /** The recovered AES key, for windows sealed to the export's key; undefined for other keys or failed recovery. */
  key: Buffer | undefined;
}

function selectSignatures(db: Database, options: Pick<ExportOptions, 'petitionId' | 'status' | 'includeSuspect'>) {
  let query = db.selectFrom('signatures').where('signatures.petition_id', '=', options.petitionId);
  if (options.status !== 'all') query = query.where('signatures.status', '=', options.status satisfies SignatureStatus);
  if (!options.includeSuspect) query = query.where('signatures.suspect', '=', 0);
  return query;
}

function toIso(value: unknown): string {
  if (value === null || value === undefined) return '';
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * How many selected signatures are sealed to each key. Withdrawn ones carry no sealed data and need no key, so they
 * are counted apart.
 */
async function keysOfSelection(options: ExportOptions): Promise<{ total: number; withdrawn: number; byKey: Map<string, number> }> {
  const rows = await selectSignatures(options.db, options)
    .innerJoin('sealing_windows', 'sealing_windows.id', 'signatures.window_id')
    .select(['sealing_windows.key_id', 'signatures.status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy(['sealing_windows.key_id', 'signatures.status'])
    .execute();
  let total = 0;
  let withdrawn = 0;
  const byKey = new Map<string, number>();
  for (const row of rows) {
    const n = Number(row.n);
    total += n;
    if (row.status === 'withdrawn') withdrawn += n;
    else byKey.set(row.key_id, (byKey.get(row.key_id) ?? 0) + n);
  }
  return { total, withdrawn, byKey };
}

function describeKeys(byKey: Map<string, number>): string {
  return [...byKey].map(([keyId, n]) => `${keyId} (${n})`).join(', ');
}

/**
 * Writes the selected signatures of a petition as CSV through `options.write`. Throws ExportKeyError, before writing
 * anything, when the key cannot open a single one of them; otherwise exports what it can and says what it could not.
 */
export async function exportSignatures(options: ExportOptions): Promise<ExportSummary> {
  const { db, petitionId, key } = options;
  const petition = await db.selectFrom('petitions').select('id').where('id', '=', petitionId).executeTakeFirst();
  if (!petition) throw new Error(`There is no petition #${petitionId}.`);

  const selection = await keysOfSelection(options);
  const sealedToOthers = new Map([...selection.byKey].filter(([keyId]) => keyId !== key.keyId));
  if (!selection.byKey.has(key.keyId) && sealedToOthers.size > 0) {
    throw new ExportKeyError(
      `This key file holds key ${key.keyId}, but the ${selection.total - selection.withdrawn} signatures selected are sealed to key ${describeKeys(sealedToOthers)}. ` +
        'Export with the key file of that key (outcry keys list shows every key and when it was last used).',
      [...sealedToOthers.keys()],
    );
  }

  const summary: ExportSummary = { petitionId, total: selection.total, written: 0, withdrawn: 0, otherKeys: new Map(), failed: 0 };
  const windows = new Map<string, WindowKey>();
  const aad = recordAad(petitionId);
  const pageSize = options.pageSize ?? PAGE_SIZE;
  let done = 0;
  let afterId = 0;
  options.onProgress?.(0, summary.total);
  await options.write(csvRow(CSV_COLUMNS));
  try {
    for (;;) {
      const page = await selectSignatures(db, options)
        .select([
          'signatures.id',
          'signatures.window_id',
          'signatures.sealed',
          'signatures.status',
          'signatures.confirmed_at',
          'signatures.country',
          'signatures.wants_updates',
          'signatures.ref',
          'signatures.suspect',
          'signatures.suspect_reason',
          'signatures.created_at',
        ])
        .where('signatures.id', '>', afterId)
        .orderBy('signatures.id')
        .limit(pageSize)
        .execute();
      if (page.length === 0) break;
      await loadWindows(
        db,
        key,
        windows,
        page.map((row) => row.window_id),
      );

      let chunk = '';
      for (const row of page) {
        const sealed = Buffer.from(row.sealed);
        let record: SupporterRecord | undefined = { name: '', email: '', postcode: '' };
        if (sealed.length === 0) {
          summary.withdrawn += 1;
        } else {
          const window = windows.get(row.window_id);
          if (window && window.keyId !== key.keyId) {
            summary.otherKeys.set(window.keyId, (summary.otherKeys.get(window.keyId) ?? 0) + 1);
            record = undefined;
          } else {
            record = window?.key ? openSupporterRecord(window.key, sealed, aad) : undefined;
            if (!record) summary.failed += 1;
          }
        }
        if (record) {
          chunk += csvRow([
            String(Number(row.id)),
            row.status,
            toIso(row.confirmed_at),
            row.country,
            record.name,
            record.email,
            record.postcode,
            row.wants_updates === 1 ? 'yes' : 'no',
            row.ref ?? '',
            row.suspect === 1 ? 'yes' : 'no',
            row.suspect_reason ?? '',
            toIso(row.created_at),
          ]);
          summary.written += 1;
        }
      }
      if (chunk !== '') await options.write(chunk);
      done += page.length;
      afterId = Number(page[page.length - 1]!.id);
      options.onProgress?.(done, Math.max(done, summary.total));
      if (page.length < pageSize) break;
    }
  } finally {
    for (const window of windows.values()) window.key?.fill(0);
  }
  return summary;
}

function openSupporterRecord(windowKey: Buffer, sealed: Buffer, aad: Buffer): SupporterRecord | undefined {
  try {
    const parsed = JSON.parse(openRecord(windowKey, sealed, aad).toString('utf8')) as Partial<SupporterRecord>;
    return { name: String(parsed.name ?? ''), email: String(parsed.email ?? ''), postcode: String(parsed.postcode ?? '') };
  } catch {
    return undefined;
  }
}

/** Recovers the key of each window not seen yet: one HPKE recipient setup per window, for the whole export. */
async function loadWindows(db: Database, key: OrganisationKeyPair, windows: Map<string, WindowKey>, ids: string[]): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !windows.has(id));
  if (missing.length === 0) return;
  const rows = await db.selectFrom('sealing_windows').select(['id', 'key_id', 'enc']).where('id', 'in', missing).execute();
  for (const row of rows) {
    let windowKey: Buffer | undefined;
    if (row.key_id === key.keyId) {
      try {
        windowKey = await recoverWindowKey(key.secretKey, Buffer.from(row.enc, 'base64url'));
      } catch {
        windowKey = undefined;
      }
    }
    windows.set(row.id, { keyId: row.key_id, key: windowKey });
  }
}

// ---- Where the CSV goes -------------------------------------------------------------------------------------------

export interface ExportDestination {
  write(chunk: string): Promise<void>;
  /** Everything written: the file is moved into place (or stdout drained). */
  finish(): Promise<void>;
  /** Something failed: a partly written file is removed. */
  abort(): void;
}

/** Writes to a stream, waiting for it to drain when its buffer is full, so a large export never piles up in memory. */
export function streamDestination(stream: Writable): ExportDestination {
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  return {
    async write(chunk) {
      if (failure) throw failure;
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      if (failure) throw failure;
    },
    async finish() {
      if (failure) throw failure;
    },
    abort() {},
  };
}

/**
 * Writes a file readable by its owner only (0600): it holds supporters' names and addresses. The CSV goes to a
 * temporary file beside it, moved into place once complete, so a failed export leaves no half-written file behind and
 * an existing file is replaced whole (with the new mode) rather than rewritten in place.
 */
export function fileDestination(file: string): ExportDestination {
  const target = path.resolve(file);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', 0o600);
  } catch (error) {
    throw new Error(`Cannot write ${target}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (error as Error).message}.`);
  }
  let closed = false;
  const close = () => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  return {
    async write(chunk) {
      const bytes = Buffer.from(chunk, 'utf8');
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    },
    async finish() {
      fsyncSync(fd);
      close();
      renameSync(temporary, target);
    },
    abort() {
      close();
      rmSync(temporary, { force: true });
    },
  };
}

// ---- What the organiser is told -----------------------------------------------------------------------------------

export function summaryLines(summary: ExportSummary, where: string): string[] {
  const lines = [
    `Exported ${summary.written} of ${summary.total} signatures of petition #${summary.petitionId} to ${where}${summary.withdrawn > 0 ? ` (${summary.withdrawn} withdrawn, with their personal data erased)` : ''}.`,
  ];
  for (const [keyId, n] of summary.otherKeys) {
    lines.push(`Not exported: ${n} signature${n === 1 ? '' : 's'} sealed to another key, ${keyId}. Export again with the key file of key ${keyId}.`);
  }
  if (summary.failed > 0) {
    lines.push(
      `Not exported: ${summary.failed} signature${summary.failed === 1 ? '' : 's'} sealed to this key that could not be opened (damaged, or altered in the database).`,
    );
  }
  return lines;
}

export function isComplete(summary: ExportSummary): boolean {
  return summary.otherKeys.size === 0 && summary.failed === 0;
}

// ---- The command --------------------------------------------------------------------------------------------------

export interface SignatureExportCommand {
  petitionId: number;
  key: OrganisationKeyPair;
  /** A file to write (mode 0600); undefined: standard output. */
  out: string | undefined;
  status: ExportStatus;
  includeSuspect: boolean;
  stdout: Writable;
  /** Progress and the summary go here, never to stdout, which may be the CSV itself. */
  stderr: ProgressStream;
}

/** `outcry export signatures`: the CSV to a file or stdout, a progress bar and a summary on stderr. */
export async function runSignatureExport(db: Database, command: SignatureExportCommand): Promise<ExportSummary> {
  const destination = command.out === undefined ? streamDestination(command.stdout) : fileDestination(command.out);
  // CSV going to the terminal the bar would be drawn on: no bar, only the summary.
  const sameTerminal = command.out === undefined && (command.stdout as { isTTY?: boolean }).isTTY === true;
  const progress = new ProgressBar(sameTerminal ? { write: (chunk) => command.stderr.write(chunk), isTTY: false } : command.stderr, 'Exporting signatures');
  try {
    const summary = await exportSignatures({
      db,
      petitionId: command.petitionId,
      key: command.key,
      status: command.status,
      includeSuspect: command.includeSuspect,
      write: (chunk) => destination.write(chunk),
      onProgress: (done, total) => progress.update(done, total),
    });
    await destination.finish();
    progress.finish(summaryLines(summary, command.out === undefined ? 'standard output' : path.resolve(command.out)));
    return summary;
  } catch (error) {
    destination.abort();
    progress.clear();
    throw error;
  }
}
