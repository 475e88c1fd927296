/**
 * The tables of kept copies: captures, their bytes in chunk rows (a copy may be tens of MB: no row holds more than
 * CHUNK_BYTES), and the timestamp tokens over a copy's hash or a campaign's ledger head.
 */
import type { Selectable } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { CaptureFileType, CaptureKind, CaptureState, EvidenceCapturesTable, EvidenceTimestampsTable } from '../../db/schema.ts';
import type { CaptureRef } from './model.ts';

/** A stored copy is written and read back in pieces of this size. */
export const CHUNK_BYTES = 1024 * 1024;

export interface CaptureRecord {
  id: number;
  campaignId: number;
  sourceId: number;
  kind: CaptureKind;
  state: CaptureState;
  requestedUrl: string | null;
  finalUrl: string | null;
  httpStatus: number | null;
  contentType: string | null;
  fileType: CaptureFileType | null;
  capturedAt: string | null;
  sha256: string | null;
  size: number | null;
  authorId: number | null;
  errorReason: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
}

export interface TimestampRecord {
  id: number;
  captureId: number | null;
  campaignId: number | null;
  headSeq: number | null;
  headHash: string | null;
  digest: string;
  tsaUrl: string;
  token: Buffer | null;
  genTime: string | null;
  authority: string | null;
  verified: boolean;
  reason: string | null;
  createdAt: string;
}

/** A capture with the timestamps over its hash, as the pages show it. */
export interface CopyView {
  capture: CaptureRecord;
  timestamps: TimestampRecord[];
}

const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));

function captureOf(row: Selectable<EvidenceCapturesTable>): CaptureRecord {
  return {
    id: Number(row.id),
    campaignId: Number(row.campaign_id),
    sourceId: Number(row.source_id),
    kind: row.kind,
    state: row.state,
    requestedUrl: row.requested_url,
    finalUrl: row.final_url,
    httpStatus: row.http_status,
    contentType: row.content_type,
    fileType: row.file_type,
    capturedAt: row.captured_at,
    sha256: row.sha256,
    size: nullableNumber(row.size),
    authorId: nullableNumber(row.author_id),
    errorReason: row.error_reason,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
  };
}

function timestampOf(row: Selectable<EvidenceTimestampsTable>): TimestampRecord {
  return {
    id: Number(row.id),
    captureId: nullableNumber(row.capture_id),
    campaignId: nullableNumber(row.campaign_id),
    headSeq: nullableNumber(row.head_seq),
    headHash: row.head_hash,
    digest: row.digest,
    tsaUrl: row.tsa_url,
    token: row.token,
    genTime: row.gen_time,
    authority: row.authority,
    verified: row.verified === 1,
    reason: row.reason,
    createdAt: row.created_at,
  };
}

export async function insertCapture(
  db: Database,
  input: { campaignId: number; sourceId: number; kind: CaptureKind; state: CaptureState; requestedUrl: string | null; authorId: number | null; at: string },
): Promise<number> {
  const row = await db
    .insertInto('evidence_captures')
    .values({
      campaign_id: input.campaignId,
      source_id: input.sourceId,
      kind: input.kind,
      state: input.state,
      requested_url: input.requestedUrl,
      author_id: input.authorId,
      created_at: input.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findCaptureById(db: Database, id: number): Promise<CaptureRecord | undefined> {
  const row = await db.selectFrom('evidence_captures').selectAll().where('id', '=', id).executeTakeFirst();
  return row && captureOf(row);
}

/** A source's captures, newest first. */
export async function listCapturesOfSource(db: Database, sourceId: number): Promise<CaptureRecord[]> {
  const rows = await db.selectFrom('evidence_captures').selectAll().where('source_id', '=', sourceId).orderBy('id', 'desc').execute();
  return rows.map(captureOf);
}

/** The stored captures of several sources, newest first. */
export async function listStoredCapturesOfSources(db: Database, sourceIds: readonly number[]): Promise<CaptureRecord[]> {
  if (sourceIds.length === 0) return [];
  const rows = await db
    .selectFrom('evidence_captures')
    .selectAll()
    .where('source_id', 'in', [...sourceIds])
    .where('state', '=', 'stored')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(captureOf);
}

/** The stored copies of a source as its revisions record them. */
export async function listCaptureRefs(db: Database, sourceId: number): Promise<CaptureRef[]> {
  const rows = await db
    .selectFrom('evidence_captures')
    .select(['id', 'kind', 'sha256', 'captured_at'])
    .where('source_id', '=', sourceId)
    .where('state', '=', 'stored')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: Number(row.id), kind: row.kind, sha256: row.sha256 ?? '', capturedAt: row.captured_at ?? '' }));
}

/**
 * Takes a capture for fetching: a pending one, or one a worker took before `staleBefore` and never finished (it
 * died). Says whether this worker has it, so two workers never fetch the same capture at once.
 */
export async function claimCapture(db: Database, id: number, options: { at: string; staleBefore: string }): Promise<boolean> {
  const result = await db
    .updateTable('evidence_captures')
    .set({ state: 'fetching', started_at: options.at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('state', '=', 'pending'), eb.and([eb('state', '=', 'fetching'), eb('started_at', '<', options.staleBefore)])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseCapture(db: Database, id: number): Promise<void> {
  await db.updateTable('evidence_captures').set({ state: 'pending', started_at: null }).where('id', '=', id).where('state', '=', 'fetching').execute();
}

export async function markCaptureFailed(db: Database, id: number, failure: { reason: string; message: string; url: string | null; at: string }): Promise<void> {
  await db
    .updateTable('evidence_captures')
    .set({ state: 'failed', error_reason: failure.reason, error: failure.message.slice(0, 500), final_url: failure.url, captured_at: failure.at })
    .where('id', '=', id)
    .execute();
}

export async function markCaptureStored(
  db: Database,
  id: number,
  stored: {
    finalUrl: string | null;
    httpStatus: number | null;
    contentType: string | null;
    fileType: CaptureFileType;
    capturedAt: string;
    sha256: string;
    size: number;
  },
): Promise<void> {
  await db
    .updateTable('evidence_captures')
    .set({
      state: 'stored',
      final_url: stored.finalUrl,
      http_status: stored.httpStatus,
      content_type: stored.contentType,
      file_type: stored.fileType,
      captured_at: stored.capturedAt,
      sha256: stored.sha256,
      size: stored.size,
      error_reason: null,
      error: null,
    })
    .where('id', '=', id)
    .execute();
}

/** Writes a copy's bytes, replacing any left by an earlier try, a chunk per statement. */
export async function writeCaptureBytes(db: Database, captureId: number, bytes: Buffer): Promise<void> {
  await db.deleteFrom('evidence_capture_chunks').where('capture_id', '=', captureId).execute();
  for (let seq = 0; seq * CHUNK_BYTES < bytes.length || (seq === 0 && bytes.length === 0); seq++) {
    const data = bytes.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES);
    await db
      .insertInto('evidence_capture_chunks')
      .values({ capture_id: captureId, seq, data: Buffer.from(data) })
      .execute();
  }
}

/** A copy's bytes, a chunk at a time: never the whole file in memory. */
export async function* readCaptureBytes(db: Database, captureId: number): AsyncGenerator<Buffer> {
  let after = -1;
  for (;;) {
    const row = await db
      .selectFrom('evidence_capture_chunks')
      .select(['seq', 'data'])
      .where('capture_id', '=', captureId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!row) return;
    yield Buffer.from(row.data);
    after = row.seq;
  }
}

export async function insertTimestamp(
  db: Database,
  input: {
    captureId?: number;
    head?: { campaignId: number; seq: number; hash: string };
    digest: string;
    tsaUrl: string;
    token: Buffer | null;
    genTime: string | null;
    authority: string | null;
    verified: boolean;
    reason: string | null;
    at: string;
  },
): Promise<void> {
  await db
    .insertInto('evidence_timestamps')
    .values({
      capture_id: input.captureId ?? null,
      campaign_id: input.head?.campaignId ?? null,
      head_seq: input.head?.seq ?? null,
      head_hash: input.head?.hash ?? null,
      digest: input.digest,
      tsa_url: input.tsaUrl,
      token: input.token,
      gen_time: input.genTime,
      authority: input.authority,
      verified: input.verified ? 1 : 0,
      reason: input.reason,
      created_at: input.at,
    })
    .execute();
}

export async function findTimestampById(db: Database, id: number): Promise<TimestampRecord | undefined> {
  const row = await db.selectFrom('evidence_timestamps').selectAll().where('id', '=', id).executeTakeFirst();
  return row && timestampOf(row);
}

export async function listTimestampsOfCaptures(db: Database, captureIds: readonly number[]): Promise<TimestampRecord[]> {
  if (captureIds.length === 0) return [];
  const rows = await db
    .selectFrom('evidence_timestamps')
    .selectAll()
    .where('capture_id', 'in', [...captureIds])
    .orderBy('id')
    .execute();
  return rows.map(timestampOf);
}

/** The latest head timestamp of each campaign (any authority's), by campaign id. */
export async function latestHeadTimestamps(db: Database): Promise<Map<number, { headSeq: number; createdAt: string }>> {
  const rows = await db
    .selectFrom('evidence_timestamps')
    .select(['campaign_id', 'head_seq', 'created_at'])
    .where('campaign_id', 'is not', null)
    .orderBy('id')
    .execute();
  const latest = new Map<number, { headSeq: number; createdAt: string }>();
  for (const row of rows) latest.set(Number(row.campaign_id), { headSeq: Number(row.head_seq), createdAt: row.created_at });
  return latest;
}

/** Every stored token, a page at a time (id order), for re-checking against the trust file. */
export async function* pagesOfTokens(db: Database, pageSize = 500): AsyncGenerator<TimestampRecord[]> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('evidence_timestamps')
      .selectAll()
      .where('id', '>', after)
      .where('token', 'is not', null)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    yield rows.map(timestampOf);
    after = Number(rows.at(-1)!.id);
  }
}

/** The heads of every campaign's chain: its latest revision. */
export async function listLedgerHeads(db: Database): Promise<{ campaignId: number; seq: number; hash: string }[]> {
  const rows = await db
    .selectFrom('evidence_revisions as r')
    .select(['r.campaign_id', 'r.seq', 'r.hash'])
    .where('r.seq', '=', (eb) =>
      eb
        .selectFrom('evidence_revisions as m')
        .select((m) => m.fn.max('m.seq').as('max'))
        .whereRef('m.campaign_id', '=', 'r.campaign_id'),
    )
    .orderBy('r.campaign_id')
    .execute();
  return rows.map((row) => ({ campaignId: Number(row.campaign_id), seq: Number(row.seq), hash: row.hash }));
}
