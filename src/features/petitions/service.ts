/**
 * Petitions as organisers manage them (create, edit, open and close; each change audited in its own transaction) and
 * as pages read them (through the two-second read cache).
 */
import type { Database } from '../../db/database.ts';
import { cachedRead, forgetCachedReads } from '../../db/read-cache.ts';
import { AppError } from '../../errors.ts';
import { diffFields, recordAudit } from '../audit/index.ts';
import { mainPetition, type Petition, type PetitionInput } from './model.ts';
import { closePetitionRow, findPetitionById, insertPetition, listPetitionsOfCampaign, reopenPetitionRow, updatePetitionRow } from './queries.ts';

/** A campaign's petitions, in order, as public pages show them. */
export function petitionsOfCampaign(db: Database, campaignId: number): Promise<Petition[]> {
  return cachedRead(db, `petitions:${campaignId}`, () => listPetitionsOfCampaign(db, campaignId));
}

/** The petition a campaign's form signs: the one named, or the campaign's first open one. */
export async function petitionToSign(db: Database, campaignId: number, petitionId: number | undefined): Promise<Petition> {
  const petitions = await petitionsOfCampaign(db, campaignId);
  const petition = petitionId === undefined ? mainPetition(petitions) : petitions.find((p) => p.id === petitionId);
  if (!petition) throw new AppError('not_found', 'This campaign has no petition to sign.', { messageKey: 'petitions.errors.noPetition' });
  if (petition.status !== 'open')
    throw new AppError('gone', 'This petition is closed and no longer takes signatures.', { messageKey: 'petitions.errors.closed' });
  return petition;
}

function flattenPetitionForAudit(input: PetitionInput | Petition): Record<string, unknown> {
  const flat: Record<string, unknown> = { goal: input.goal, milestones: input.milestones.join(',') };
  for (const [locale, text] of Object.entries(input.texts)) {
    flat[`title_${locale}`] = text.title;
    flat[`target_${locale}`] = text.target;
    flat[`body_${locale}`] = text.bodyMd;
  }
  return flat;
}

export async function createPetition(db: Database, options: { userId: number | null; campaignId: number; input: PetitionInput }): Promise<number> {
  const id = await db.transaction().execute(async (trx) => {
    const newId = await insertPetition(trx, options.campaignId, options.input, new Date().toISOString());
    await recordAudit(trx, {
      userId: options.userId,
      action: 'petition.create',
      entityType: 'petition',
      entityId: newId,
      changes: diffFields({}, flattenPetitionForAudit(options.input)),
    });
    return newId;
  });
  forgetCachedReads(db);
  return id;
}

export async function updatePetition(db: Database, options: { userId: number | null; id: number; input: PetitionInput }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findPetitionById(trx, options.id);
    if (!before) throw new AppError('not_found', 'No such petition.');
    const changes = diffFields(flattenPetitionForAudit(before), flattenPetitionForAudit(options.input));
    if (Object.keys(changes).length === 0) return;
    await updatePetitionRow(trx, options.id, options.input, new Date().toISOString());
    await recordAudit(trx, { userId: options.userId, action: 'petition.update', entityType: 'petition', entityId: options.id, changes });
  });
  forgetCachedReads(db);
}

export async function setPetitionOpen(db: Database, options: { userId: number | null; id: number; open: boolean }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findPetitionById(trx, options.id);
    if (!before) throw new AppError('not_found', 'No such petition.');
    const now = new Date().toISOString();
    if (options.open) await reopenPetitionRow(trx, options.id, now);
    else await closePetitionRow(trx, options.id, now);
    await recordAudit(trx, {
      userId: options.userId,
      action: options.open ? 'petition.reopen' : 'petition.close',
      entityType: 'petition',
      entityId: options.id,
      changes: { status: [before.status, options.open ? 'open' : 'closed'] },
    });
  });
  forgetCachedReads(db);
}
