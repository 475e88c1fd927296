/**
 * The public ledger as one file: a campaign's whole chain in order, each revision's hashes and link, and the data of
 * the revisions that are published, plus the current public facts, sources and incidents for convenience. The file
 * is canonical JSON (RFC 8785), so its bytes are the same wherever it is re-encoded, and a signature over them means
 * something. `checkLedgerExport` recomputes it all from the file alone: `outcry evidence check` and publishing use it.
 *
 * A revision's data is published when the revision was public and its entity still is. An incident or source made
 * internal (say, because it put someone at risk) takes its earlier public versions out of later exports too; their
 * hashes stay, so the chain still verifies and an earlier export still proves what it said.
 */
import type { Database } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { EvidenceEntity } from '../../db/schema.ts';
import { ENTITIES, type EntityState, type FactState, type IncidentState, type SourceState } from './model.ts';
import {
  canonicalJson,
  checkRevision,
  dataHashOf,
  describeBreak,
  GENESIS_HASH,
  pagesOfRevisions,
  revisionHashOf,
  type LedgerProblem,
  type RevisionHeader,
  type RevisionRow,
} from './ledger.ts';

export const EXPORT_FORMAT = 'outcry-evidence-ledger/1';

export interface ExportedRevision {
  seq: number;
  entity: EvidenceEntity;
  entityId: number;
  version: number;
  public: boolean;
  author: number | null;
  at: string;
  prev: string;
  dataHash: string;
  hash: string;
  /** Present, with `data`, when the revision is published. */
  nonce?: string;
  data?: EntityState;
}

export interface CurrentEvidence {
  facts: FactState[];
  sources: SourceState[];
  incidents: IncidentState[];
}

export interface LedgerExport {
  format: string;
  campaign: string;
  campaignId: number;
  generatedAt: string;
  head: { seq: number; hash: string };
  revisions: ExportedRevision[];
  current: CurrentEvidence;
}

const entityKey = (r: { entity: string; entityId: number }) => `${r.entity}:${r.entityId}`;

/** Whether each entity's latest revision (so the entity now) is public. */
function publicNow(revisions: readonly { entity: string; entityId: number; public: boolean }[]): Map<string, boolean> {
  const latest = new Map<string, boolean>();
  for (const r of revisions) latest.set(entityKey(r), r.public);
  return latest;
}

/** The current public state of each entity: the data of its latest revision where that is published. */
function currentOf(revisions: readonly ExportedRevision[]): CurrentEvidence {
  const latest = new Map<string, ExportedRevision>();
  for (const r of revisions) latest.set(entityKey(r), r);
  const current: CurrentEvidence = { facts: [], sources: [], incidents: [] };
  const lists: Record<EvidenceEntity, EntityState[]> = { fact: current.facts, source: current.sources, incident: current.incidents };
  for (const r of [...latest.values()].sort((a, b) => a.entityId - b.entityId)) if (r.data !== undefined) lists[r.entity].push(r.data);
  return current;
}

/**
 * Builds the export of one campaign's ledger, checking each link on the way: a broken chain is not exported.
 * Bounded by the campaign's ledger, which is held in memory once as the file it becomes.
 */
export async function buildLedgerExport(
  db: Database,
  options: { campaignId: number; slug: string; now: Date },
): Promise<{ bytes: Buffer; head: { seq: number; hash: string }; revisions: number }> {
  const rows: RevisionRow[] = [];
  let previous: { seq: number; hash: string } | null = null;
  for await (const page of pagesOfRevisions(db, options.campaignId)) {
    for (const row of page) {
      const { problem } = checkRevision(row, previous);
      if (problem) {
        const broken = {
          campaignId: options.campaignId,
          campaign: options.slug,
          seq: Number(row.seq),
          entity: row.entity,
          entityId: Number(row.entity_id),
          problem,
        };
        throw new AppError('conflict', `The ledger is broken, so it is not exported: ${describeBreak(broken)}. Run outcry evidence verify.`);
      }
      previous = { seq: Number(row.seq), hash: row.hash };
      rows.push(row);
    }
  }
  if (!previous) throw new AppError('not_found', `The campaign ${options.slug} has no evidence revisions yet: there is nothing to export.`);
  const isPublicNow = publicNow(rows.map((row) => ({ entity: row.entity, entityId: Number(row.entity_id), public: row.public === 1 })));
  const revisions = rows.map((row): ExportedRevision => {
    const entry: ExportedRevision = {
      seq: Number(row.seq),
      entity: row.entity,
      entityId: Number(row.entity_id),
      version: row.version,
      public: row.public === 1,
      author: row.author_id === null ? null : Number(row.author_id),
      at: row.created_at,
      prev: row.prev_hash,
      dataHash: row.data_hash,
      hash: row.hash,
    };
    if (entry.public && isPublicNow.get(entityKey(entry))) {
      entry.nonce = row.nonce;
      entry.data = JSON.parse(row.data) as EntityState;
    }
    return entry;
  });
  const document: LedgerExport = {
    format: EXPORT_FORMAT,
    campaign: options.slug,
    campaignId: options.campaignId,
    generatedAt: options.now.toISOString(),
    head: previous,
    revisions,
    current: currentOf(revisions),
  };
  return { bytes: Buffer.from(canonicalJson(document), 'utf8'), head: previous, revisions: revisions.length };
}

export type ExportCheck =
  | { ok: true; campaign: string; campaignId: number; generatedAt: string; revisions: number; head: { seq: number; hash: string } }
  | { ok: false; problem: string };

const HEX64 = /^[0-9a-f]{64}$/;
const NONCE = /^[0-9a-f]{32}$/;

const isIsoTime = (value: string) => !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;

/** The first thing wrong with a revision entry's shape, or null. */
function shapeProblem(entry: unknown): string | null {
  if (!isRecord(entry)) return 'is not an object';
  if (!isCount(entry['seq']) || !isCount(entry['entityId']) || !isCount(entry['version'])) return 'has a bad seq, entityId or version';
  if (!(ENTITIES as readonly unknown[]).includes(entry['entity'])) return 'names no known entity';
  if (typeof entry['public'] !== 'boolean') return 'has no public flag';
  if (entry['author'] !== null && !isCount(entry['author'])) return 'has a bad author';
  if (typeof entry['at'] !== 'string') return 'has no time';
  for (const field of ['prev', 'dataHash', 'hash']) if (typeof entry[field] !== 'string' || !HEX64.test(entry[field] as string)) return `has a bad ${field}`;
  if ((entry['nonce'] === undefined) !== (entry['data'] === undefined)) return 'has data without a nonce, or a nonce without data';
  if (entry['nonce'] !== undefined && (typeof entry['nonce'] !== 'string' || !NONCE.test(entry['nonce']))) return 'has a bad nonce';
  if (entry['data'] !== undefined && !isRecord(entry['data'])) return 'has data that is not an object';
  return null;
}

function problemAt(seq: number, problem: LedgerProblem | string): ExportCheck {
  return { ok: false, problem: `revision #${seq}: ${problem}` };
}

/**
 * Checks an export from its bytes alone (the signature is checked apart): canonical JSON, then every published
 * revision's data hash, every revision's hash and its link to the one before, up to the head; then which data is
 * published, and that the current evidence is what the revisions say.
 */
export function checkLedgerExport(bytes: Buffer): ExportCheck {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return { ok: false, problem: 'the file is not UTF-8 text' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'the file is not JSON' };
  }
  let canonical: string;
  try {
    canonical = canonicalJson(parsed);
  } catch {
    return { ok: false, problem: 'the file cannot be canonical JSON' };
  }
  if (canonical !== text) return { ok: false, problem: 'the file is not in canonical form (RFC 8785): it was changed after it was exported' };
  if (!isRecord(parsed) || parsed['format'] !== EXPORT_FORMAT) return { ok: false, problem: `the file is not an Outcry evidence ledger (${EXPORT_FORMAT})` };
  const { campaign, campaignId, generatedAt, head, revisions } = parsed;
  if (typeof campaign !== 'string' || !isCount(campaignId)) return { ok: false, problem: 'the campaign is not named' };
  if (typeof generatedAt !== 'string' || !isIsoTime(generatedAt)) return { ok: false, problem: 'the time it was made is missing' };
  if (!isRecord(head) || !Array.isArray(revisions)) return { ok: false, problem: 'the head or the revisions are missing' };

  let previous = { seq: 0, hash: GENESIS_HASH };
  for (const [index, entry] of revisions.entries()) {
    const shape = shapeProblem(entry);
    if (shape) return problemAt(index + 1, `the entry ${shape}`);
    const r = entry as unknown as ExportedRevision;
    if (r.seq !== previous.seq + 1) return problemAt(r.seq, 'sequence gap');
    if (r.data !== undefined && dataHashOf(r.nonce!, canonicalJson(r.data)) !== r.dataHash) return problemAt(r.seq, 'data changed');
    const header: RevisionHeader = { ...r, campaign: campaignId };
    if (revisionHashOf(header) !== r.hash) return problemAt(r.seq, 'hash does not match');
    if (r.prev !== previous.hash) return problemAt(r.seq, 'previous hash does not match');
    previous = { seq: r.seq, hash: r.hash };
  }
  if (previous.seq === 0) return { ok: false, problem: 'the ledger has no revisions' };
  if (head['seq'] !== previous.seq || head['hash'] !== previous.hash) return { ok: false, problem: `the head is not the last revision (#${previous.seq})` };

  const entries = revisions as ExportedRevision[];
  const isPublicNow = publicNow(entries);
  for (const r of entries) {
    const published = r.public && isPublicNow.get(entityKey(r)) === true;
    if (published !== (r.data !== undefined)) return problemAt(r.seq, published ? 'its public data is missing' : 'data that is not public is included');
  }
  if (parsed['current'] === undefined || canonicalJson(currentOf(entries)) !== canonicalJson(parsed['current'])) {
    return { ok: false, problem: 'the current facts, sources and incidents are not what the revisions say' };
  }
  return { ok: true, campaign, campaignId, generatedAt, revisions: entries.length, head: previous };
}
