/**
 * The organisers' side of petitions: reading and checking the petition form, and the summaries on a campaign's admin
 * page. Saving goes through the petition service, which writes the audit entry in the same transaction.
 */
import type { Database } from '../../db/database.ts';
import { AppError, type FieldErrors } from '../../errors.ts';
import { LOCALES, type Locale } from '../../web/i18n.ts';
import { readText, type FormBody } from '../../web/form.ts';
import { MAX_GOAL, readGoal } from '../campaigns/index.ts';
import type { CountBoard } from './counting/count-board.ts';
import type { Petition, PetitionInput, PetitionText } from './model.ts';
import { countSuspects, findPetitionById, listPetitionsOfCampaign } from './queries.ts';
import { setPetitionOpen } from './service.ts';

const MAX_MILESTONES = 50;

/**
 * Turns a submitted petition form into a PetitionInput, or throws one validation error naming each bad field.
 * The campaign's languages need a full text (title, target, body); another language is optional, but a text
 * begun in it must be complete, since the public page would show it as it is.
 */
export function parsePetitionForm(body: FormBody, campaignLocales: readonly Locale[]): PetitionInput {
  const errors: FieldErrors = {};
  const goal = readGoal(body, errors);

  const milestonesText = readText(body, 'milestones', { max: 600 }, errors);
  const milestones = errors['milestones'] ? [] : parseMilestones(milestonesText);
  if (milestones === undefined) errors['milestones'] = 'petitionsAdmin.validation.milestones';

  const texts: Partial<Record<Locale, PetitionText>> = {};
  for (const locale of LOCALES) {
    const names = { title: `title_${locale}`, target: `target_${locale}`, body: `body_${locale}` };
    const probe: FieldErrors = {};
    const text: PetitionText = {
      title: readText(body, names.title, { max: 200 }, probe),
      target: readText(body, names.target, { max: 200 }, probe),
      bodyMd: readText(body, names.body, { max: 50_000, multiline: true }, probe),
    };
    Object.assign(errors, probe);
    const begun = text.title !== '' || text.target !== '' || text.bodyMd !== '';
    if (!campaignLocales.includes(locale) && !begun) continue;
    if (!probe[names.title] && text.title === '') errors[names.title] = 'validation.required';
    if (!probe[names.target] && text.target === '') errors[names.target] = 'validation.required';
    if (!probe[names.body] && text.bodyMd === '') errors[names.body] = 'validation.required';
    texts[locale] = text;
  }

  if (Object.keys(errors).length > 0) {
    throw new AppError('validation_failed', 'Some petition fields are not valid', { fields: errors });
  }
  return { goal, milestones: milestones!, texts };
}

/** "1000, 5000, 10000" → [1000, 5000, 10000]; empty is none; anything but ascending whole numbers is undefined. */
export function parseMilestones(text: string): number[] | undefined {
  if (text.trim() === '') return [];
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length > MAX_MILESTONES) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,10}$/.test(part)) return undefined;
    const value = Number(part);
    if (value < 1 || value > MAX_GOAL || (numbers.length > 0 && value <= numbers.at(-1)!)) return undefined;
    numbers.push(value);
  }
  return numbers;
}

/**
 * Opens or closes a petition. Closing deletes its dedup keys (see closePetitionRow), so asking for the state it is
 * already in changes nothing and records nothing.
 */
export async function changePetitionStatus(db: Database, options: { userId: number; petition: Petition; open: boolean }): Promise<boolean> {
  const { petition, open } = options;
  if ((petition.status === 'open') === open) return false;
  await setPetitionOpen(db, { userId: options.userId, id: petition.id, open });
  return true;
}

export async function getPetitionForAdmin(db: Database, id: number | undefined): Promise<Petition> {
  const petition = id === undefined ? undefined : await findPetitionById(db, id);
  if (!petition) throw new AppError('not_found', 'No such petition.');
  return petition;
}

export interface PetitionSummary {
  petition: Petition;
  /** Confirmed, counted signatures as the pages show them. */
  confirmed: number;
  /** Signatures set aside for review (not withdrawn). */
  suspects: number;
}

export async function listPetitionSummaries(db: Database, board: CountBoard, campaignId: number): Promise<PetitionSummary[]> {
  const petitions = await listPetitionsOfCampaign(db, campaignId);
  const suspects = await countSuspects(
    db,
    petitions.map((p) => p.id),
  );
  return petitions.map((petition) => ({ petition, confirmed: board.count(petition.id).total, suspects: suspects.get(petition.id) ?? 0 }));
}
