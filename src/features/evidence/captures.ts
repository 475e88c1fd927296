/**
 * Keeping copies of sources, and proving when they existed. An organiser asks for a capture (a job: the worker fetches
 * the source's URL with web/capture.ts, refusing private addresses, and keeps every exchange as a WARC file) or uploads
 * a copy they made. Either way the file is stored in chunk rows with its SHA-256, the source's next revision names that
 * hash (so the chain covers the copy), and each configured timestamp authority is asked for an RFC 3161 token over the
 * hash, checked against the operator's trust file: a token that does not verify is kept with its reason, never trusted.
 * The same authorities timestamp each campaign's ledger head when it has changed, at most hourly.
 */
import { readFile } from 'node:fs/promises';
import type { Clock } from '../../clock.ts';
import { SYSTEM_CLOCK } from '../../clock.ts';
import type { EvidenceSettings } from '../../config.ts';
import { requestTimestamp, verifyTimestamp, type TimestampVerification } from '../../crypto/timestamp.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { CaptureFileType } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { defineJob, type JobContext } from '../../jobs/job.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { type Capture, CaptureRefused, captureUrl, type CaptureLimits } from '../../web/capture.ts';
import { recordAudit } from '../audit/index.ts';
import { touchCampaign } from '../campaigns/index.ts';
import {
  claimCapture,
  findCaptureById,
  listCapturesOfSource,
  listStoredCapturesOfSources,
  listTimestampsOfCaptures,
  insertCapture,
  insertTimestamp,
  latestHeadTimestamps,
  listLedgerHeads,
  markCaptureFailed,
  markCaptureStored,
  pagesOfTokens,
  releaseCapture,
  writeCaptureBytes,
  type CopyView,
  type TimestampRecord,
} from './captures-store.ts';
import { COPY_TYPES, recogniseCopyType } from './copy-types.ts';
import { sha256Hex } from './ledger.ts';
import { getSource, recordSourceCapture } from './service.ts';

export const CAPTURE_USER_AGENT = 'Outcry evidence capture (+https://github.com/outcry)';
/** A head is timestamped at most this often. */
export const HEAD_TIMESTAMP_EVERY_MS = 60 * 60 * 1000;
/** How often the task looks for changed heads; it timestamps only those whose last timestamp is an hour old. */
export const HEAD_TIMESTAMP_CHECK_MS = 5 * 60 * 1000;
// A fetch left 'fetching' this long after its worker took it was abandoned (the worker died): another may take it.
const ABANDONED_AFTER_MS = 5 * 60 * 1000;

// The worker runs one job at a time: an authority that does not answer must not hold other jobs (mail) for long.
const TSA_TIMEOUT_MS = 15_000;

export interface CaptureJobPayload {
  captureId: number;
}

function limitsOf(settings: EvidenceSettings): CaptureLimits {
  return {
    maxBytes: settings.captureMaxBytes,
    timeoutMs: settings.captureTimeoutMs,
    maxRedirects: settings.captureMaxRedirects,
    allowPrivate: settings.captureAllowPrivate,
    userAgent: CAPTURE_USER_AGENT,
  };
}

/**
 * Queues a capture of the source's URL: a pending capture (shown at once) and the job that fetches it, committed
 * together with the audit entry. `onQueued` wakes an in-process worker.
 */
export async function requestSourceCapture(
  database: DatabaseHandle,
  options: { userId: number | null; sourceId: number; dataKey: Buffer; clock?: Pick<Clock, 'now'> },
): Promise<number> {
  const source = await getSource(database.db, options.sourceId);
  const at = new Date((options.clock ?? SYSTEM_CLOCK).now()).toISOString();
  return database.db.transaction().execute(async (trx) => {
    const id = await insertCapture(trx, {
      campaignId: source.campaignId,
      sourceId: source.id,
      kind: 'fetched',
      state: 'pending',
      requestedUrl: source.url,
      authorId: options.userId,
      at,
    });
    await enqueueJob(trx, captureJob.toJob(options.dataKey, { captureId: id }));
    await recordAudit(trx, {
      userId: options.userId,
      action: 'evidence.source.capture-request',
      entityType: 'evidence_source',
      entityId: source.id,
      changes: { capture: [null, id], url: [null, source.url] },
    });
    return id;
  });
}

/** The job: fetch, store, append the source's revision, then timestamp. A refusal is recorded on the capture. */
export const captureJob = defineJob<CaptureJobPayload>('evidence-capture', async (ctx, payload) => {
  await runCapture(ctx, payload.captureId);
});

export async function runCapture(ctx: Pick<JobContext, 'database' | 'config'>, captureId: number, clock: Pick<Clock, 'now'> = SYSTEM_CLOCK): Promise<void> {
  const { database } = ctx;
  const settings = ctx.config.evidence;
  const now = clock.now();
  const claimed = await claimCapture(database.db, captureId, {
    at: new Date(now).toISOString(),
    staleBefore: new Date(now - settings.captureTimeoutMs - ABANDONED_AFTER_MS).toISOString(),
  });
  const capture = await findCaptureById(database.db, captureId);
  if (!claimed) {
    // Another worker has it, or one that died had it: try again later, until it is done or abandoned long enough.
    if (capture?.state === 'fetching') throw Object.assign(new Error('The capture is being fetched by another worker.'), { code: 'CAPTURE_BUSY' });
    return;
  }
  if (!capture) return;
  let result: Capture;
  try {
    result = await captureUrl(capture.requestedUrl ?? '', limitsOf(settings), { now: () => new Date(clock.now()) });
  } catch (error) {
    if (!(error instanceof CaptureRefused)) {
      // Not a refusal but a fault here: give the capture back, so the job's retry can take it again.
      await releaseCapture(database.db, captureId);
      throw error;
    }
    await markCaptureFailed(database.db, captureId, {
      reason: error.reason,
      message: error.message,
      url: error.url ?? null,
      at: new Date(clock.now()).toISOString(),
    });
    return;
  }
  const capturedAt = result.fetchedAt.toISOString();
  try {
    await storeCopy(database, {
      captureId,
      sourceId: capture.sourceId,
      userId: capture.authorId,
      bytes: result.warc,
      sha256: result.warcSha256,
      stored: { finalUrl: result.finalUrl, httpStatus: result.status, contentType: result.contentType ?? null, fileType: 'warc', capturedAt },
      clock,
    });
  } catch (error) {
    await releaseCapture(database.db, captureId);
    throw error;
  }
  await timestampCapture(database.db, { captureId, sha256: result.warcSha256, settings, clock });
}

/**
 * Writes the bytes (outside the ledger's lock: the capture is not shown until stored), then in one transaction marks
 * it stored and appends the source's revision naming its hash.
 */
async function storeCopy(
  database: DatabaseHandle,
  options: {
    captureId: number;
    sourceId: number;
    userId: number | null;
    bytes: Buffer;
    sha256: string;
    stored: { finalUrl: string | null; httpStatus: number | null; contentType: string | null; fileType: CaptureFileType; capturedAt: string };
    clock: Pick<Clock, 'now'>;
  },
): Promise<void> {
  await database.db.transaction().execute((trx) => writeCaptureBytes(trx, options.captureId, options.bytes));
  await recordSourceCapture(database, {
    userId: options.userId,
    clock: options.clock,
    sourceId: options.sourceId,
    captureId: options.captureId,
    sha256: options.sha256,
    store: (trx) => markCaptureStored(trx, options.captureId, { ...options.stored, sha256: options.sha256, size: options.bytes.length }),
  });
}

/**
 * Keeps a copy an organiser made (WARC, PDF, PNG, JPEG, HTML or plain text, recognised by its bytes), byte for byte:
 * its hash must be the hash of the file they hold. Refused with a field error when empty, too large or of another
 * kind. Then timestamped like a fetched copy.
 */
export async function uploadSourceCopy(
  database: DatabaseHandle,
  options: { userId: number | null; sourceId: number; bytes: Buffer; settings: EvidenceSettings; clock?: Pick<Clock, 'now'> },
): Promise<number> {
  const { captureId, sha256 } = await keepUploadedCopy(database, { ...options, maxBytes: options.settings.captureMaxBytes });
  await timestampCapture(database.db, { captureId, sha256, settings: options.settings, ...(options.clock ? { clock: options.clock } : {}) });
  return captureId;
}

/** Checks and stores an uploaded copy, and records it in the source's chain; no timestamp. */
export async function keepUploadedCopy(
  database: DatabaseHandle,
  options: { userId: number | null; sourceId: number; bytes: Buffer; maxBytes: number; clock?: Pick<Clock, 'now'> },
): Promise<{ captureId: number; sha256: string }> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const refuse = (key: string, message: string) => new AppError('validation_failed', message, { fields: { copy: key }, messageKey: key });
  if (options.bytes.length === 0) throw refuse('evidence.captures.errors.empty', 'The file is empty.');
  if (options.bytes.length > options.maxBytes) throw refuse('evidence.captures.errors.tooLarge', 'The file is too large.');
  const fileType = recogniseCopyType(options.bytes);
  if (!fileType) throw refuse('evidence.captures.errors.type', 'Not a WARC, PDF, PNG, JPEG, HTML or plain text file.');
  const source = await getSource(database.db, options.sourceId);
  const at = new Date(clock.now()).toISOString();
  const sha256 = sha256Hex(options.bytes);
  const captureId = await insertCapture(database.db, {
    campaignId: source.campaignId,
    sourceId: source.id,
    kind: 'uploaded',
    state: 'fetching',
    requestedUrl: null,
    authorId: options.userId,
    at,
  });
  try {
    await storeCopy(database, {
      captureId,
      sourceId: source.id,
      userId: options.userId,
      bytes: options.bytes,
      sha256,
      stored: { finalUrl: null, httpStatus: null, contentType: COPY_TYPES[fileType].contentType, fileType, capturedAt: at },
      clock,
    });
  } catch (error) {
    await markCaptureFailed(database.db, captureId, { reason: 'store-failed', message: 'The copy could not be stored.', url: null, at });
    throw error;
  }
  return { captureId, sha256 };
}

// ---- Reads for the pages -------------------------------------------------------------------------------------------

async function withTimestamps(db: Database, captures: Awaited<ReturnType<typeof listCapturesOfSource>>): Promise<CopyView[]> {
  const timestamps = await listTimestampsOfCaptures(
    db,
    captures.map((c) => c.id),
  );
  return captures.map((capture) => ({ capture, timestamps: timestamps.filter((t) => t.captureId === capture.id) }));
}

/** Every capture of a source, newest first, with its timestamps: the organisers' panel. */
export async function loadSourceCopies(db: Database, sourceId: number): Promise<CopyView[]> {
  return withTimestamps(db, await listCapturesOfSource(db, sourceId));
}

/** The stored copies of the given sources (pass only public ones), by source id, newest first: the public page. */
export async function loadStoredCopies(db: Database, sourceIds: readonly number[]): Promise<Map<number, CopyView[]>> {
  const views = await withTimestamps(db, await listStoredCapturesOfSources(db, sourceIds));
  const bySource = new Map<number, CopyView[]>();
  for (const view of views) {
    const list = bySource.get(view.capture.sourceId);
    if (list) list.push(view);
    else bySource.set(view.capture.sourceId, [view]);
  }
  return bySource;
}

// ---- Timestamps ----------------------------------------------------------------------------------------------------

/** The operator's trust file as it is now (read at each use, so a changed bundle applies without a restart). */
async function readTrustFile(settings: EvidenceSettings): Promise<string> {
  if (settings.tsaTrustFile === null) return '';
  try {
    return await readFile(settings.tsaTrustFile, 'utf8');
  } catch {
    return '';
  }
}

interface Stamped {
  tsaUrl: string;
  token: Buffer | null;
  verification: TimestampVerification;
}

/** Asks each configured authority for a token over `digest` and checks it; an authority that fails gives a reason. */
async function stampDigest(digest: string, settings: EvidenceSettings): Promise<Stamped[]> {
  if (settings.tsaUrls.length === 0) return [];
  const trust = await readTrustFile(settings);
  const bytes = Buffer.from(digest, 'hex');
  const stamped: Stamped[] = [];
  for (const tsaUrl of settings.tsaUrls) {
    try {
      const token = Buffer.from(await requestTimestamp(tsaUrl, bytes, { timeoutMs: TSA_TIMEOUT_MS }));
      stamped.push({ tsaUrl, token, verification: await verifyTimestamp(token, bytes, trust) });
    } catch (error) {
      stamped.push({ tsaUrl, token: null, verification: { ok: false, reason: (error as Error).message } });
    }
  }
  return stamped;
}

function timestampRow(stamp: Stamped): { token: Buffer | null; genTime: string | null; authority: string | null; verified: boolean; reason: string | null } {
  const { verification } = stamp;
  return verification.ok
    ? { token: stamp.token, genTime: verification.genTime.toISOString(), authority: verification.authority, verified: true, reason: null }
    : { token: stamp.token, genTime: null, authority: null, verified: false, reason: verification.reason };
}

export async function timestampCapture(
  db: Database,
  options: { captureId: number; sha256: string; settings: EvidenceSettings; clock?: Pick<Clock, 'now'> },
): Promise<void> {
  const at = new Date((options.clock ?? SYSTEM_CLOCK).now()).toISOString();
  const stamps = await stampDigest(options.sha256, options.settings);
  if (stamps.length === 0) return;
  for (const stamp of stamps) {
    await insertTimestamp(db, { captureId: options.captureId, digest: options.sha256, tsaUrl: stamp.tsaUrl, ...timestampRow(stamp), at });
  }
  // The public page is cached by the campaign's change time: the timestamps arrive after the copy's revision.
  const capture = await findCaptureById(db, options.captureId);
  if (capture) await touchCampaign(db, capture.campaignId);
}

/**
 * Timestamps each campaign's ledger head that changed since its last timestamp, if that was at least an hour ago.
 * The digest is the head's hash itself (a SHA-256). Returns how many heads were timestamped.
 */
export async function timestampChangedHeads(db: Database, options: { settings: EvidenceSettings; clock?: Pick<Clock, 'now'> }): Promise<number> {
  if (options.settings.tsaUrls.length === 0) return 0;
  const now = (options.clock ?? SYSTEM_CLOCK).now();
  const latest = await latestHeadTimestamps(db);
  let stamped = 0;
  for (const head of await listLedgerHeads(db)) {
    const last = latest.get(head.campaignId);
    if (last && (last.headSeq === head.seq || now - Date.parse(last.createdAt) < HEAD_TIMESTAMP_EVERY_MS)) continue;
    const at = new Date(now).toISOString();
    for (const stamp of await stampDigest(head.hash, options.settings)) {
      await insertTimestamp(db, { head, digest: head.hash, tsaUrl: stamp.tsaUrl, ...timestampRow(stamp), at });
    }
    stamped += 1;
  }
  return stamped;
}

export interface TokenProblem {
  id: number;
  /** What it covers, in words: "capture 12" or "campaign 3 head #41". */
  subject: string;
  tsaUrl: string;
  reason: string;
}

/** Checks every stored token again against the trust file as it is now; lists those that do not verify. */
export async function reverifyTimestamps(db: Database, settings: EvidenceSettings): Promise<{ checked: number; problems: TokenProblem[] }> {
  const trust = await readTrustFile(settings);
  const problems: TokenProblem[] = [];
  let checked = 0;
  for await (const page of pagesOfTokens(db)) {
    for (const record of page) {
      checked += 1;
      const verification = await verifyTimestamp(record.token!, Buffer.from(record.digest, 'hex'), trust);
      if (!verification.ok) problems.push({ id: record.id, subject: subjectOf(record), tsaUrl: record.tsaUrl, reason: verification.reason });
    }
  }
  return { checked, problems };
}

function subjectOf(record: TimestampRecord): string {
  return record.captureId !== null ? `capture ${record.captureId}` : `campaign ${record.campaignId} head #${record.headSeq}`;
}

/**
 * The stored token wrapped as a granted TimeStampResp (RFC 3161 §2.4.2: status 0, then the token), the form
 * `openssl ts -verify -in FILE.tsr` reads without -token_in.
 */
export function timestampReplyOf(token: Buffer): Buffer {
  const status = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]);
  return Buffer.concat([derHeader(0x30, status.length + token.length), status, token]);
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}
