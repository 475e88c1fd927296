/**
 * Endorsements as organisers manage them (each change and its audit entry in one transaction), as the public suggests
 * them (stored unverified, hidden), and as public pages read them (verified only, through the two-second read cache).
 */
import { coarseTimestamp } from '../../clock.ts';
import { sha256Hex } from '../../crypto/keys.ts';
import type { Database } from '../../db/database.ts';
import { cachedRead, forgetCachedReads } from '../../db/read-cache.ts';
import { AppError } from '../../errors.ts';
import type { Locale } from '../../web/i18n.ts';
import { diffFields, recordAudit } from '../audit/index.ts';
import type { Endorsement, EndorsementInput, SuggestionInput } from './model.ts';
import { deleteEndorsementRow, findEndorsementById, insertEndorsement, insertSuggestion, listEndorsementsOfCampaign, updateEndorsementRow } from './queries.ts';

/** A campaign's verified endorsements, the only ones the public ever sees. */
export function publicEndorsements(db: Database, campaignId: number): Promise<Endorsement[]> {
  return cachedRead(db, `endorsements:${campaignId}`, () => listEndorsementsOfCampaign(db, campaignId, { verifiedOnly: true }));
}

/** Changes whenever what the public sees of a campaign's endorsements could change: part of a cached page's key. */
export function endorsementsVersion(endorsements: readonly Endorsement[]): string {
  if (endorsements.length === 0) return 'e0';
  return `e${endorsements.length}~${sha256Hex(endorsements.map((e) => `${e.id}@${e.updatedAt}`).join(',')).slice(0, 16)}`;
}

type Flat = Record<string, unknown>;

/** The record as the audit log shows it: an empty text is "none" (null), as an absent one would be. */
function flattenForAudit(input: EndorsementInput | Endorsement): Flat {
  const { name, description, quote, platform, url, lang, date, dateApproximate, status, evidenceUrl, evidenceNote, featured } = input;
  const flat: Flat = { name, description, quote, platform, url, lang, date, dateApproximate, status, evidenceUrl, evidenceNote, featured };
  return Object.fromEntries(Object.entries(flat).map(([key, value]) => [key, value === '' ? null : value]));
}

/** Only the fields that hold something: what a created or deleted record had. */
function filledFields(flat: Flat): Flat {
  return Object.fromEntries(Object.entries(flat).filter(([, value]) => value !== null));
}

export async function getEndorsementForAdmin(db: Database, id: number | undefined): Promise<Endorsement> {
  const endorsement = id === undefined ? undefined : await findEndorsementById(db, id);
  if (!endorsement) throw new AppError('not_found', 'No such endorsement.');
  return endorsement;
}

export async function createEndorsement(db: Database, options: { userId: number | null; campaignId: number; input: EndorsementInput }): Promise<number> {
  const { userId, campaignId, input } = options;
  const id = await db.transaction().execute(async (trx) => {
    const newId = await insertEndorsement(trx, campaignId, input, new Date().toISOString());
    await recordAudit(trx, {
      userId,
      action: 'endorsement.create',
      entityType: 'endorsement',
      entityId: newId,
      changes: diffFields({}, { campaignId, ...filledFields(flattenForAudit(input)) }),
    });
    return newId;
  });
  forgetCachedReads(db);
  return id;
}

/** The audit action of a save: verifying and withdrawing verification are named, since they decide what is public. */
function updateAction(before: Endorsement, input: EndorsementInput): string {
  if (before.status === input.status) return 'endorsement.update';
  return input.status === 'verified' ? 'endorsement.verify' : 'endorsement.unverify';
}

/** Saves the organisers' form. Returns false (and records nothing) when nothing changed. */
export async function updateEndorsement(db: Database, options: { userId: number | null; id: number; input: EndorsementInput }): Promise<boolean> {
  const { userId, id, input } = options;
  const changed = await db.transaction().execute(async (trx) => {
    const before = await findEndorsementById(trx, id);
    if (!before) throw new AppError('not_found', 'No such endorsement.');
    const changes = diffFields(flattenForAudit(before), flattenForAudit(input));
    if (Object.keys(changes).length === 0) return false;
    const now = new Date().toISOString();
    const verifiedAt = input.status === 'verified' ? (before.status === 'verified' ? before.verifiedAt : now) : null;
    await updateEndorsementRow(trx, id, input, verifiedAt, now);
    await recordAudit(trx, { userId, action: updateAction(before, input), entityType: 'endorsement', entityId: id, changes });
    return true;
  });
  forgetCachedReads(db);
  return changed;
}

/**
 * Deletes an endorsement: rejecting a suggestion that was never verified, or removing one that was. The audit entry
 * keeps what was deleted, so a mistaken rejection can be undone by hand.
 */
export async function deleteEndorsement(db: Database, options: { userId: number | null; id: number }): Promise<Endorsement> {
  const endorsement = await db.transaction().execute(async (trx) => {
    const before = await findEndorsementById(trx, options.id);
    if (!before) throw new AppError('not_found', 'No such endorsement.');
    await deleteEndorsementRow(trx, options.id);
    await recordAudit(trx, {
      userId: options.userId,
      action: before.status === 'verified' ? 'endorsement.delete' : 'endorsement.reject',
      entityType: 'endorsement',
      entityId: options.id,
      changes: Object.fromEntries(
        Object.entries({ campaignId: before.campaignId, source: before.source, ...filledFields(flattenForAudit(before)) }).map(([key, value]) => [
          key,
          [value, null] as const,
        ]),
      ),
    });
    return before;
  });
  forgetCachedReads(db);
  return endorsement;
}

/**
 * Stores a public suggestion for the organisers' queue. Not audited: the audit log records what organisers (and the
 * system) change, and a flood of suggestions must not bury it; verifying or rejecting one is audited.
 */
export async function suggestEndorsement(db: Database, options: { campaignId: number; input: SuggestionInput; lang: Locale }): Promise<number> {
  return insertSuggestion(db, options.campaignId, options.input, options.lang, coarseTimestamp(Date.now()));
}
