/**
 * The ledger: per campaign, a hash chain of revisions. Each revision records an entity's whole state after a change
 * (RFC 8785 canonical JSON), a hash of that state with a random nonce (so a revision published as hashes only cannot
 * be guessed from them), and a hash of its header, which names the previous revision's hash. Changing, removing or
 * reordering any revision breaks a link that anyone holding an export can recompute: this module is the one encoding
 * the server, `outcry evidence verify` and `outcry evidence check` all use.
 */
import { hash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import canonicalize from 'canonicalize';
import type { Selectable } from 'kysely';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import { SRC_DIR } from '../../paths.ts';
import type { EvidenceEntity, EvidenceRevisionsTable } from '../../db/schema.ts';

/** The `prev` of a campaign's first revision. */
export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Nothing to encode as JSON.');
  return text;
}

export function sha256Hex(text: string | Buffer): string {
  return hash('sha256', text, 'hex');
}

/**
 * What `data_hash` is taken over: the canonical JSON of `{ nonce, data }`. Written out rather than re-encoded, since
 * `dataText` already is canonical and "data" sorts before "nonce"; a tampered, non-canonical text then hashes apart.
 */
export function dataHashInput(nonce: string, dataText: string): string {
  return `{"data":${dataText},"nonce":${JSON.stringify(nonce)}}`;
}

export function dataHashOf(nonce: string, dataText: string): string {
  return sha256Hex(dataHashInput(nonce, dataText));
}

/** What a revision's `hash` covers: everything about it but its data, which `dataHash` stands for. */
export interface RevisionHeader {
  campaign: number;
  seq: number;
  entity: EvidenceEntity;
  entityId: number;
  version: number;
  public: boolean;
  dataHash: string;
  author: number | null;
  at: string;
  prev: string;
}

/**
 * The canonical JSON of the header's fields, and of nothing else a caller's object may carry. Written out in RFC 8785's
 * key order (UTF-16 code units) with JSON.stringify for each value, which is RFC 8785's form for strings, integers,
 * booleans and null: verify runs this once per revision, where the general encoder costs several times more. The
 * tests hold it equal to the canonicalize package's output.
 */
export function revisionHashInput(header: RevisionHeader): string {
  const h = header;
  return headerHashInput(h.campaign, h.seq, h.entity, h.entityId, h.version, h.public, h.dataHash, h.author, h.at, h.prev);
}

/** revisionHashInput from the fields themselves, for verify's loop over millions of rows: no header object each. */
function headerHashInput(
  campaign: number,
  seq: number,
  entity: string,
  entityId: number,
  version: number,
  isPublic: boolean,
  dataHash: string,
  author: number | null,
  at: string,
  prev: string,
): string {
  const q = JSON.stringify;
  // JSON.stringify's own output for every value; a version SQLite kept as text (tampered) is encoded as it would be.
  return (
    `{"at":${q(at)},"author":${author === null ? 'null' : numberJson(author)},"campaign":${numberJson(campaign)},"dataHash":${q(dataHash)},` +
    `"entity":${q(entity)},"entityId":${numberJson(entityId)},"prev":${q(prev)},"public":${isPublic ? 'true' : 'false'},` +
    `"seq":${numberJson(seq)},"version":${typeof version === 'number' ? numberJson(version) : q(version)}}`
  );
}

/** JSON.stringify of a number without the call (the same shortest form; null for what is not finite). */
function numberJson(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

export function revisionHashOf(header: RevisionHeader): string {
  return sha256Hex(revisionHashInput(header));
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** A stored revision as the chain reads it: every column but the row's own id. */
export type RevisionRow = Omit<Selectable<EvidenceRevisionsTable>, 'id'>;

export function headerOf(row: RevisionRow): RevisionHeader {
  return {
    campaign: Number(row.campaign_id),
    seq: Number(row.seq),
    entity: row.entity,
    entityId: Number(row.entity_id),
    version: row.version,
    public: row.public === 1,
    dataHash: row.data_hash,
    author: row.author_id === null ? null : Number(row.author_id),
    at: row.created_at,
    prev: row.prev_hash,
  };
}

export interface AppendedRevision {
  seq: number;
  version: number;
  hash: string;
}

/**
 * Appends one revision to a campaign's chain. Call it inside the transaction that changes the projection and holds
 * the campaign's ledger lock (see `changeLedger` in service.ts), so the head read here is still the head at commit.
 */
export async function appendRevision(
  trx: Database,
  options: { campaignId: number; entity: EvidenceEntity; entityId: number; public: boolean; data: unknown; authorId: number | null; at: string },
): Promise<AppendedRevision> {
  const head = await trx
    .selectFrom('evidence_revisions')
    .select(['seq', 'hash'])
    .where('campaign_id', '=', options.campaignId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const last = await trx
    .selectFrom('evidence_revisions')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('entity', '=', options.entity)
    .where('entity_id', '=', options.entityId)
    .executeTakeFirst();
  const nonce = newNonce();
  const data = canonicalJson(options.data);
  const header: RevisionHeader = {
    campaign: options.campaignId,
    seq: head ? Number(head.seq) + 1 : 1,
    entity: options.entity,
    entityId: options.entityId,
    version: Number(last?.version ?? 0) + 1,
    public: options.public,
    dataHash: dataHashOf(nonce, data),
    author: options.authorId,
    at: options.at,
    prev: head?.hash ?? GENESIS_HASH,
  };
  const revisionHash = revisionHashOf(header);
  await trx
    .insertInto('evidence_revisions')
    .values({
      campaign_id: header.campaign,
      seq: header.seq,
      entity: header.entity,
      entity_id: header.entityId,
      version: header.version,
      public: header.public ? 1 : 0,
      nonce,
      data,
      data_hash: header.dataHash,
      author_id: header.author,
      created_at: header.at,
      prev_hash: header.prev,
      hash: revisionHash,
    })
    .execute();
  return { seq: header.seq, version: header.version, hash: revisionHash };
}

/** The campaigns that have a chain, by id. */
export async function listLedgerCampaigns(db: Database): Promise<number[]> {
  const rows = await db.selectFrom('evidence_revisions').select('campaign_id').distinct().orderBy('campaign_id').execute();
  return rows.map((row) => Number(row.campaign_id));
}

/**
 * A campaign's revisions in chain order, a page at a time: keyset pagination on (campaign_id, seq), so memory stays
 * bounded and each page is an index range however long the chain grows.
 */
export async function* pagesOfRevisions(db: Database, campaignId: number, pageSize = 2000): AsyncGenerator<RevisionRow[]> {
  let after = 0;
  for (;;) {
    const page = (await db
      .selectFrom('evidence_revisions')
      .select(['campaign_id', 'seq', 'entity', 'entity_id', 'version', 'public', 'nonce', 'data', 'data_hash', 'author_id', 'created_at', 'prev_hash', 'hash'])
      .where('campaign_id', '=', campaignId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .execute()) as RevisionRow[];
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    after = Number(page.at(-1)!.seq);
  }
}

export type LedgerProblem =
  | 'data changed'
  | 'hash does not match'
  | 'previous hash does not match'
  | 'sequence gap'
  | 'published head missing'
  | 'published head does not match';

export interface LedgerBreak {
  campaignId: number;
  campaign: string;
  seq: number;
  entity: EvidenceEntity | null;
  entityId: number | null;
  problem: LedgerProblem;
}

export interface LedgerHead {
  campaignId: number;
  campaign: string;
  seq: number;
  hash: string;
}

export interface LedgerReport {
  revisions: number;
  campaigns: number;
  /** Bytes of canonical JSON hashed (data and headers): what the benchmark compares with sha256sum. */
  bytesHashed: number;
  /** How many threads shared the work. */
  threads: number;
  heads: LedgerHead[];
  /** The first broken link, in campaign then chain order; null when every chain is intact. */
  broken: LedgerBreak | null;
}

/**
 * Checks one revision given the one before it (or none): its place in the sequence, its data against its data hash,
 * its header against its hash, and its link to the previous hash. Returns the first problem, and the bytes hashed.
 */
export function checkRevision(row: RevisionRow, previous: { seq: number; hash: string } | null): { problem: LedgerProblem | null; bytesHashed: number } {
  if (Number(row.seq) !== (previous?.seq ?? 0) + 1) return { problem: 'sequence gap', bytesHashed: 0 };
  // Encoded once, both to hash and to count.
  const dataInput = Buffer.from(dataHashInput(row.nonce, row.data), 'utf8');
  if (sha256Hex(dataInput) !== row.data_hash) return { problem: 'data changed', bytesHashed: 0 };
  // The header is ASCII (hex, digits, an ISO time, a fixed word): its length is its size in bytes.
  const headerInput = revisionHashInput(headerOf(row));
  if (sha256Hex(headerInput) !== row.hash) return { problem: 'hash does not match', bytesHashed: 0 };
  if (row.prev_hash !== (previous?.hash ?? GENESIS_HASH)) return { problem: 'previous hash does not match', bytesHashed: 0 };
  return { problem: null, bytesHashed: dataInput.length + headerInput.length };
}

/** Below this many revisions a second thread costs more (starting it, bundling its code) than it saves. */
const THREADED_FROM = 100_000;
/** Revisions in a share of the work: each thread takes the next share when done with one, so a late start evens out. */
const SHARE_SIZE = 50_000;
const VERIFY_PAGE_SIZE = 1000;
const DATA_PREFIX = Buffer.from('{"data":');

/** Revisions `after` < seq ≤ `upTo` (null: to the end) of one campaign's chain: the part of it one thread checks. */
export interface ChainPiece {
  campaignId: number;
  after: number;
  upTo: number | null;
}

/** What checking a piece found; a piece that starts mid-chain leaves its first row's link to the join. */
export interface CheckedPiece {
  campaignId: number;
  /** The first row of a piece with `after` > 0: its seq and prev are checked against the piece before it. */
  first: { seq: number; prev: string; entity: EvidenceEntity; entityId: number; problem: LedgerProblem | null } | null;
  /** The first problem after that row (or anywhere, in a piece that starts the chain). */
  broken: { seq: number; entity: EvidenceEntity; entityId: number; problem: LedgerProblem } | null;
  last: { seq: number; hash: string } | null;
  revisions: number;
  bytesHashed: number;
}

/**
 * The previous row's seq and hash, the bytes hashed so far, and where the data hash input is put together: one object
 * per piece, changed in place per row.
 */
interface ChainState {
  seq: number;
  hash: string;
  bytesHashed: number;
  scratch: Buffer;
}

/**
 * dataHashInput from the data's stored bytes, in `chain.scratch`: no string decoded from UTF-8 and encoded back per
 * revision. Returns its length.
 */
function putDataHashInput(chain: ChainState, nonce: string, data: Buffer): number {
  const tail = `,"nonce":${JSON.stringify(nonce)}}`;
  const size = DATA_PREFIX.length + data.length + Buffer.byteLength(tail, 'utf8');
  if (size > chain.scratch.length) {
    chain.scratch = Buffer.allocUnsafe(size * 2);
    DATA_PREFIX.copy(chain.scratch);
  }
  data.copy(chain.scratch, DATA_PREFIX.length);
  return DATA_PREFIX.length + data.length + chain.scratch.write(tail, DATA_PREFIX.length + data.length, 'utf8');
}

/**
 * checkRevision over a row of verify's columns (see checkPiece), in the same order of checks; `linked`: whether `chain`
 * holds the row before it (the first row of a piece that starts mid-chain has its seq and link checked when the pieces
 * are joined).
 */
function checkRevisionColumns(campaignId: number, row: readonly unknown[], chain: ChainState, linked: boolean): LedgerProblem | null {
  const seq = Number(row[0]);
  if (linked && seq !== chain.seq + 1) return 'sequence gap';
  const dataSize = putDataHashInput(chain, row[5] as string, row[6] as Buffer);
  const dataHash = row[7] as string;
  if (sha256Hex(chain.scratch.subarray(0, dataSize)) !== dataHash) return 'data changed';
  const author = row[8] === null ? null : Number(row[8]);
  const at = row[9] as string;
  const prev = row[10] as string;
  const headerInput = headerHashInput(campaignId, seq, row[1] as string, Number(row[2]), row[3] as number, row[4] === 1, dataHash, author, at, prev);
  const revisionHash = row[11] as string;
  if (sha256Hex(headerInput) !== revisionHash) return 'hash does not match';
  if (linked && prev !== chain.hash) return 'previous hash does not match';
  // The header is ASCII (see checkRevision).
  chain.bytesHashed += dataSize + headerInput.length;
  chain.seq = seq;
  chain.hash = revisionHash;
  return null;
}

async function checkPiece(database: DatabaseHandle, piece: ChainPiece, onPage: (rows: number) => void): Promise<CheckedPiece> {
  const { campaignId, after, upTo } = piece;
  const checked: CheckedPiece = { campaignId, first: null, broken: null, last: null, revisions: 0, bytesHashed: 0 };
  const chain: ChainState = { seq: after === 0 ? 0 : Number.NaN, hash: GENESIS_HASH, bytesHashed: 0, scratch: Buffer.alloc(0) };
  const pages = database.readPages({
    start: after,
    page: (from: number) => {
      // In this order: checkRevisionColumns reads each row by position.
      const columns = [
        'seq',
        'entity',
        'entity_id',
        'version',
        'public',
        'nonce',
        database.bytesOf('data').as('data'),
        'data_hash',
        'author_id',
        'created_at',
        'prev_hash',
        'hash',
      ] as const;
      const query = database.db.selectFrom('evidence_revisions').select(columns).where('campaign_id', '=', campaignId).where('seq', '>', from);
      return (upTo === null ? query : query.where('seq', '<=', upTo)).orderBy('seq').limit(VERIFY_PAGE_SIZE);
    },
    keyOf: (row) => Number(row[0]),
  });
  for await (const page of pages) {
    for (const row of page) {
      const isFirstOfMidChain = after > 0 && checked.first === null;
      const problem = checkRevisionColumns(campaignId, row, chain, !isFirstOfMidChain);
      if (isFirstOfMidChain) {
        checked.first = { seq: Number(row[0]), prev: row[10] as string, entity: row[1] as EvidenceEntity, entityId: Number(row[2]), problem };
        if (problem) return checked;
      } else if (problem) {
        checked.broken = { seq: Number(row[0]), entity: row[1] as EvidenceEntity, entityId: Number(row[2]), problem };
        checked.bytesHashed = chain.bytesHashed;
        return checked;
      }
      checked.revisions += 1;
    }
    checked.bytesHashed = chain.bytesHashed;
    checked.last = { seq: chain.seq, hash: chain.hash };
    onPage(page.length);
    // Reading SQLite awaits only promises already settled: without this the event loop would not start the other
    // thread, nor hear its progress, until this one had finished.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return checked;
}

/** Checks pieces in order, stopping after the first that is broken (what follows it cannot be the first break). */
async function checkPieces(database: DatabaseHandle, pieces: readonly ChainPiece[], onPage: (rows: number) => void): Promise<CheckedPiece[]> {
  const checked: CheckedPiece[] = [];
  for (const piece of pieces) {
    const result = await checkPiece(database, piece, onPage);
    checked.push(result);
    if (result.broken || result.first?.problem) break;
  }
  return checked;
}

/**
 * The ledger cut into shares, in chain order, and the cells every thread claims them with: [0] the next share to
 * take, [1] the first share found broken (none: the number of shares), after which none is worth checking.
 */
interface SharedWork {
  shares: ChainPiece[][];
  claims: SharedArrayBuffer;
}

interface CheckedShare {
  index: number;
  pieces: CheckedPiece[];
}

/** Checks the next unclaimed share until none is left (or all that are left come after a break). */
async function checkShares(database: DatabaseHandle, work: SharedWork, onPage: (rows: number) => void): Promise<CheckedShare[]> {
  const cells = new Int32Array(work.claims);
  const checked: CheckedShare[] = [];
  for (;;) {
    const index = Atomics.add(cells, 0, 1);
    if (index >= work.shares.length || index > Atomics.load(cells, 1)) return checked;
    const pieces = await checkPieces(database, work.shares[index]!, onPage);
    checked.push({ index, pieces });
    if (pieces.some((piece) => piece.broken || piece.first?.problem)) {
      for (let seen = Atomics.load(cells, 1); index < seen; seen = Atomics.load(cells, 1)) {
        if (Atomics.compareExchange(cells, 1, seen, index) === seen) break;
      }
    }
  }
}

/** checkShares on a worker thread (runOnThread): progress is posted as the number of rows of each page. */
export function checkSharesOnThread(database: DatabaseHandle, work: SharedWork, post: (rows: unknown) => void): Promise<CheckedShare[]> {
  return checkShares(database, work, post);
}

/** Each campaign's chain: how many revisions it holds and its last seq, by campaign id. */
export async function listChains(db: Database): Promise<{ campaignId: number; revisions: number; lastSeq: number }[]> {
  const rows = await db
    .selectFrom('evidence_revisions')
    .select((eb) => ['campaign_id', eb.fn.countAll<number | string>().as('revisions'), eb.fn.max('seq').as('last_seq')])
    .groupBy('campaign_id')
    .orderBy('campaign_id')
    .execute();
  return rows.map((row) => ({ campaignId: Number(row.campaign_id), revisions: Number(row.revisions), lastSeq: Number(row.last_seq) }));
}

/**
 * Cuts the chains, in campaign then chain order, into `parts` runs of about as many revisions each. A cut inside a
 * chain falls on a seq in proportion to its length, so gaps only make the parts less even.
 */
export function splitChains(chains: readonly { campaignId: number; revisions: number; lastSeq: number }[], parts: number): ChainPiece[][] {
  const total = chains.reduce((n, chain) => n + chain.revisions, 0);
  const runs: ChainPiece[][] = [];
  let run: ChainPiece[] = [];
  let before = 0;
  let cut = 1;
  for (const chain of chains) {
    let after = 0;
    while (cut < parts && before + chain.revisions > (total * cut) / parts) {
      const upTo = Math.floor((((total * cut) / parts - before) / chain.revisions) * chain.lastSeq);
      if (upTo > after) run.push({ campaignId: chain.campaignId, after, upTo });
      runs.push(run);
      run = [];
      after = Math.max(after, upTo);
      cut += 1;
    }
    run.push({ campaignId: chain.campaignId, after, upTo: null });
    before += chain.revisions;
  }
  runs.push(run);
  return runs.filter((r) => r.length > 0);
}

/**
 * Recomputes every campaign's chain from the stored revisions and names the first broken link. A chain cut short at
 * its end leaves no gap to see: the heads of published exports are checked against the chain for that.
 *
 * A long ledger is cut into shares that this thread and a worker thread of its own take in turn; the links across the
 * cuts are checked when the shares are joined, in chain order, so the break reported is the first, as on one thread.
 */
export async function verifyLedger(
  database: DatabaseHandle,
  options: { onProgress?: (done: number, total: number) => void; threads?: number } = {},
): Promise<LedgerReport> {
  try {
    return await verifyOnThreads(database, options);
  } catch (error) {
    // A thread that cannot start or dies (no writable cache folder, no memory) costs time, not the answer.
    if (!(error instanceof ThreadFailed)) throw error;
    return verifyOnThreads(database, { ...options, threads: 1 });
  }
}

class ThreadFailed extends Error {}

async function verifyOnThreads(
  database: DatabaseHandle,
  options: { onProgress?: (done: number, total: number) => void; threads?: number },
): Promise<LedgerReport> {
  const { db } = database;
  const chains = await listChains(db);
  const total = chains.reduce((n, chain) => n + chain.revisions, 0);
  const threads = database.runOnThread ? (options.threads ?? (total >= THREADED_FROM ? Math.min(2, availableParallelism()) : 1)) : 1;
  let done = 0;
  const onPage = (rows: unknown) => {
    done += Number(rows);
    options.onProgress?.(done, total);
  };
  const shares = splitChains(chains, threads === 1 ? 1 : Math.max(threads, Math.ceil(total / SHARE_SIZE)));
  const work: SharedWork = { shares, claims: new SharedArrayBuffer(8) };
  new Int32Array(work.claims)[1] = shares.length;
  const elsewhere = Array.from({ length: threads - 1 }, () =>
    database.runOnThread!<SharedWork, CheckedShare[]>({
      file: path.join(SRC_DIR, 'features', 'evidence', 'ledger.ts'),
      name: 'checkSharesOnThread',
      input: work,
      onMessage: onPage,
    }).catch((error: unknown) => {
      throw new ThreadFailed('A verifying thread failed', { cause: error });
    }),
  );
  const checked = (await Promise.all([checkShares(database, work, onPage), ...elsewhere])).flat().sort((a, b) => a.index - b.index);
  const slugs = await slugsOf(
    db,
    chains.map((chain) => chain.campaignId),
  );
  const report = joinPieces(
    checked.flatMap((share) => share.pieces),
    (campaignId) => slugs.get(campaignId) ?? `#${campaignId}`,
  );
  report.campaigns = chains.length;
  report.threads = 1 + elsewhere.length;
  if (!report.broken) report.broken = await checkPublishedHeads(db, report.heads);
  return report;
}

/**
 * Joins checked pieces, in chain order: the first row of a piece that starts mid-chain is checked against the last
 * row before it, in checkRevision's order (its place, then its own hashes, then its link).
 */
function joinPieces(pieces: readonly CheckedPiece[], slugOf: (campaignId: number) => string): LedgerReport {
  const report: LedgerReport = { revisions: 0, campaigns: 0, bytesHashed: 0, threads: 1, heads: [], broken: null };
  const lasts = new Map<number, { seq: number; hash: string }>();
  for (const piece of pieces) {
    const { campaignId } = piece;
    const campaign = slugOf(campaignId);
    if (piece.first) {
      const before = lasts.get(campaignId);
      const { first } = piece;
      const problem =
        first.seq !== (before?.seq ?? 0) + 1
          ? 'sequence gap'
          : (first.problem ?? (first.prev !== (before?.hash ?? GENESIS_HASH) ? 'previous hash does not match' : null));
      if (problem) {
        report.broken = { campaignId, campaign, seq: first.seq, entity: first.entity, entityId: first.entityId, problem };
        break;
      }
    }
    // As on one thread, the counts take in the revisions before a break.
    report.revisions += piece.revisions;
    report.bytesHashed += piece.bytesHashed;
    if (piece.broken) {
      report.broken = { campaignId, campaign, ...piece.broken };
      break;
    }
    if (piece.last) lasts.set(campaignId, piece.last);
  }
  // The heads of the chains checked to their end: all of them, or those before a break's.
  for (const [campaignId, last] of lasts) {
    if (campaignId !== report.broken?.campaignId) report.heads.push({ campaignId, campaign: slugOf(campaignId), ...last });
  }
  return report;
}

async function slugsOf(db: Database, campaignIds: readonly number[]): Promise<Map<number, string>> {
  if (campaignIds.length === 0) return new Map();
  const rows = await db.selectFrom('campaigns').select(['id', 'slug']).where('id', 'in', campaignIds).execute();
  return new Map(rows.map((row) => [Number(row.id), row.slug]));
}

/** Every published export's head must still be in its campaign's chain, with the same hash. */
async function checkPublishedHeads(db: Database, heads: readonly LedgerHead[]): Promise<LedgerBreak | null> {
  const published = await db
    .selectFrom('evidence_exports')
    .select(['campaign_id', 'head_seq', 'head_hash'])
    .orderBy('campaign_id')
    .orderBy('head_seq')
    .execute();
  for (const row of published) {
    const campaignId = Number(row.campaign_id);
    const head = heads.find((h) => h.campaignId === campaignId);
    const campaign = head?.campaign ?? (await slugsOf(db, [campaignId])).get(campaignId) ?? `#${campaignId}`;
    const seq = Number(row.head_seq);
    const stored = await db
      .selectFrom('evidence_revisions')
      .select(['hash', 'entity', 'entity_id'])
      .where('campaign_id', '=', campaignId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!stored) return { campaignId, campaign, seq, entity: null, entityId: null, problem: 'published head missing' };
    if (stored.hash !== row.head_hash) {
      return { campaignId, campaign, seq, entity: stored.entity, entityId: Number(stored.entity_id), problem: 'published head does not match' };
    }
  }
  return null;
}

export function describeBreak(broken: LedgerBreak): string {
  const what = broken.entity === null ? '' : ` (${broken.entity} ${broken.entityId})`;
  return `${broken.campaign}: revision #${broken.seq}${what}: ${broken.problem}`;
}
