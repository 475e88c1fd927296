/**
 * Recording letters and their signatories: each change in one transaction with its audit entry, and the campaign
 * marked changed, so its cached pages (which list the letters and their counts) are rendered afresh.
 */
import type { Database } from '../../db/database.ts';
import { changeThenForget } from '../../db/read-cache.ts';
import { AppError } from '../../errors.ts';
import { recordAskWithin } from '../accountability/index.ts';
import { diffFields, recordAudit } from '../audit/index.ts';
import { touchCampaign } from '../campaigns/index.ts';
import { type Evidence, isPublicLetter, type Letter, type LetterInput, type PublicLetter, type Signatory, type SignatoryInput } from './model.ts';
import {
  findLetterById,
  findSignatoryById,
  insertLetter,
  insertSignatory,
  listLettersOfCampaign,
  listSignatoriesOfLetters,
  setSignatoryRejected,
  setSignatoryVerified,
  updateLetterRow,
} from './queries.ts';

type Actor = { userId: number | null };

export async function getLetter(db: Database, id: number | undefined): Promise<Letter> {
  const letter = id === undefined ? undefined : await findLetterById(db, id);
  if (!letter) throw new AppError('not_found', 'No such letter.');
  return letter;
}

/** A letter the public may see, of this campaign: drafts and other campaigns' letters do not exist publicly. */
export async function getPublicLetter(db: Database, campaignId: number, id: number | undefined): Promise<Letter> {
  const letter = id === undefined ? undefined : await findLetterById(db, id);
  if (!letter || letter.campaignId !== campaignId || !isPublicLetter(letter)) throw new AppError('not_found', 'No such letter.');
  return letter;
}

export async function getSignatory(db: Database, id: number | undefined): Promise<Signatory> {
  const signatory = id === undefined ? undefined : await findSignatoryById(db, id);
  if (!signatory) throw new AppError('not_found', 'No such signatory.');
  return signatory;
}

/** The campaign's public letters, newest first, each with its verified signatories only. */
export async function listPublicLetters(db: Database, campaignId: number): Promise<PublicLetter[]> {
  const letters = (await listLettersOfCampaign(db, campaignId)).filter(isPublicLetter);
  const signatories = await listSignatoriesOfLetters(
    db,
    letters.map((l) => l.id),
    ['verified'],
  );
  return letters.map((letter) => ({ letter, signatories: signatories.filter((s) => s.letterId === letter.id) }));
}

/** What the audit log keeps of a letter: its fields, flattened to comparable values. */
function auditView(input: LetterInput): Record<string, unknown> {
  const { reported, targetIds, ...rest } = input;
  return { ...rest, reported: reported ? `${reported.count} (${reported.publisher}, ${reported.url})` : null, targetIds: targetIds.join(',') };
}

/**
 * A letter delivered is an ask of each target it is addressed to: recorded once, when the letter becomes delivered,
 * dated the day of delivery, so the accountability record counts silence from it.
 */
async function recordDeliveryAsks(trx: Database, userId: number | null, input: LetterInput, wasDelivered: boolean): Promise<void> {
  if (wasDelivered || input.state !== 'delivered' || !input.deliveredOn) return;
  for (const targetId of input.targetIds) {
    await recordAskWithin(trx, {
      userId,
      targetId,
      input: { askedOn: input.deliveredOn, dateApproximate: input.deliveredApproximate, channel: 'open-letter', summary: input.title, lang: input.lang },
    });
  }
}

export async function createLetter(db: Database, options: Actor & { campaignId: number; input: LetterInput }): Promise<number> {
  return changeThenForget(db, async (trx) => {
    const id = await insertLetter(trx, options.campaignId, options.input, new Date().toISOString());
    await recordDeliveryAsks(trx, options.userId, options.input, false);
    await recordAudit(trx, {
      userId: options.userId,
      action: 'letter.create',
      entityType: 'letter',
      entityId: id,
      changes: diffFields({}, auditView(options.input)),
    });
    await touchCampaign(trx, options.campaignId);
    return id;
  });
}

export async function updateLetter(db: Database, options: Actor & { letter: Letter; input: LetterInput }): Promise<void> {
  await changeThenForget(db, async (trx) => {
    await updateLetterRow(trx, options.letter.id, options.input, new Date().toISOString());
    await recordDeliveryAsks(trx, options.userId, options.input, options.letter.state === 'delivered');
    await recordAudit(trx, {
      userId: options.userId,
      action: options.letter.state === options.input.state ? 'letter.update' : `letter.${options.input.state}`,
      entityType: 'letter',
      entityId: options.letter.id,
      changes: diffFields(auditView(options.letter), auditView(options.input)),
    });
    await touchCampaign(trx, options.letter.campaignId);
  });
}

export async function addSignatory(db: Database, options: Actor & { letter: Letter; input: SignatoryInput; evidence: Evidence | null }): Promise<number> {
  return changeThenForget(db, async (trx) => {
    const id = await insertSignatory(trx, options.letter.id, options.input, options.evidence, new Date().toISOString());
    await recordAudit(trx, {
      userId: options.userId,
      action: 'letter.signatory.add',
      entityType: 'letter',
      entityId: options.letter.id,
      changes: { signatory: [null, `${options.input.name} (${options.evidence ? 'verified' : 'unverified'})`] },
    });
    await touchCampaign(trx, options.letter.campaignId);
    return id;
  });
}

export async function verifySignatory(db: Database, options: Actor & { signatory: Signatory; evidence: Evidence }): Promise<Letter> {
  // An unconfirmed sign-on has proved nothing yet, not even a mailbox: it cannot be published.
  if (options.signatory.status === 'pending') throw new AppError('conflict', 'This signatory has not confirmed their address yet.');
  return changeThenForget(db, async (trx) => {
    const letter = await getLetter(trx, options.signatory.letterId);
    await setSignatoryVerified(trx, options.signatory.id, options.evidence, new Date().toISOString());
    await recordAudit(trx, {
      userId: options.userId,
      action: 'letter.signatory.verify',
      entityType: 'letter',
      entityId: letter.id,
      changes: {
        status: [options.signatory.status, 'verified'],
        evidence: [null, [options.evidence.url, options.evidence.note].filter(Boolean).join(' — ')],
        signatory: [null, options.signatory.name],
      },
    });
    await touchCampaign(trx, letter.campaignId);
    return letter;
  });
}

export async function rejectSignatory(db: Database, options: Actor & { signatory: Signatory }): Promise<Letter> {
  return changeThenForget(db, async (trx) => {
    const letter = await getLetter(trx, options.signatory.letterId);
    await setSignatoryRejected(trx, options.signatory.id, new Date().toISOString());
    await recordAudit(trx, {
      userId: options.userId,
      action: 'letter.signatory.reject',
      entityType: 'letter',
      entityId: letter.id,
      changes: { status: [options.signatory.status, 'rejected'], signatory: [null, options.signatory.name] },
    });
    await touchCampaign(trx, letter.campaignId);
    return letter;
  });
}
