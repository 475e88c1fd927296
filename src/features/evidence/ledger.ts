/**
 * The ledger: per campaign, a hash chain of revisions. Each revision records an entity's whole state after a change
 * (RFC 8785 canonical JSON), a hash of that state with a random nonce (so a revision published as hashes only cannot
 * be guessed from them), and a hash of its header, which names the previous revision's hash. Changing, removing or
 * reordering any revision breaks a link that anyone holding an export can recompute: this module is the one encoding
 * the server, `outcry evidence verify` and `outcry evidence check` all use.
 */
import { hash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Database } from '../../db/database.ts';
import type { EvidenceEntity, Flag } from '../../db/schema.ts';

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
  const q = JSON.stringify;
  return (
    `{"at":${q(header.at)},"author":${q(header.author)},"campaign":${q(header.campaign)},"dataHash":${q(header.dataHash)},` +
    `"entity":${q(header.entity)},"entityId":${q(header.entityId)},"prev":${q(header.prev)},"public":${q(header.public)},` +
    `"seq":${q(header.seq)},"version":${q(header.version)}}`
  );
}

export function revisionHashOf(header: RevisionHeader): string {
  return sha256Hex(revisionHashInput(header));
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export interface RevisionRow {
  campaign_id: number;
  seq: number;
  entity: EvidenceEntity;
  entity_id: number;
  version: number;
  public: Flag;
  nonce: string;
  data: string;
  data_hash: string;
  author_id: number | null;
  created_at: string;
  prev_hash: string;
  hash: string;
}

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

/**
 * Recomputes every campaign's chain from the stored revisions and names the first broken link. A chain cut short at
 * its end leaves no gap to see: the heads of published exports are checked against the chain for that.
 */
export async function verifyLedger(
  db: Database,
  options: { onProgress?: (done: number, total: number) => void; pageSize?: number } = {},
): Promise<LedgerReport> {
  const totalRow = await db
    .selectFrom('evidence_revisions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(totalRow.n);
  const campaignIds = await listLedgerCampaigns(db);
  const slugs = await slugsOf(db, campaignIds);
  const report: LedgerReport = { revisions: 0, campaigns: campaignIds.length, bytesHashed: 0, heads: [], broken: null };
  for (const campaignId of campaignIds) {
    const campaign = slugs.get(campaignId) ?? `#${campaignId}`;
    let previous: { seq: number; hash: string } | null = null;
    for await (const page of pagesOfRevisions(db, campaignId, options.pageSize)) {
      for (const row of page) {
        const { problem, bytesHashed } = checkRevision(row, previous);
        if (problem) {
          report.broken = { campaignId, campaign, seq: Number(row.seq), entity: row.entity, entityId: Number(row.entity_id), problem };
          return report;
        }
        report.bytesHashed += bytesHashed;
        previous = { seq: Number(row.seq), hash: row.hash };
        report.revisions += 1;
      }
      options.onProgress?.(report.revisions, total);
    }
    if (previous) report.heads.push({ campaignId, campaign, seq: previous.seq, hash: previous.hash });
  }
  report.broken = await checkPublishedHeads(db, report.heads);
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
