import type { PetitionStatus } from '../../db/schema.ts';
import type { Locale } from '../../web/i18n.ts';

export interface PetitionText {
  title: string;
  /** Who the petition is addressed to, e.g. "The White House". */
  target: string;
  bodyMd: string;
}

export interface Petition {
  id: number;
  campaignId: number;
  position: number;
  goal: number;
  /** Ascending signature counts worth celebrating. */
  milestones: number[];
  status: PetitionStatus;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  texts: Partial<Record<Locale, PetitionText>>;
}

export interface PetitionInput {
  goal: number;
  milestones: number[];
  texts: Partial<Record<Locale, PetitionText>>;
}

/** The petition a campaign's count, map and default form stand for: its first open one, else its first. */
export function mainPetition(petitions: Petition[]): Petition | undefined {
  return petitions.find((p) => p.status === 'open') ?? petitions[0];
}

export function petitionTextFor(petition: Petition, locale: Locale, fallback: readonly Locale[]): { text: PetitionText; locale: Locale } {
  const own = petition.texts[locale];
  if (own) return { text: own, locale };
  const other = [...fallback, ...(Object.keys(petition.texts) as Locale[])].find((l) => petition.texts[l]);
  return { text: petition.texts[other!]!, locale: other! };
}

/** What a supporter submits, after validation. Name, email and postcode are sealed; the rest is stored as is. */
export interface Signing {
  petitionId: number;
  name: string;
  email: string;
  postcode: string;
  country: string;
  wantsUpdates: boolean;
  /** The signer agreed to have their first name shown among recent signers. */
  showName: boolean;
  ref: string | null;
  locale: Locale;
  /** Set silently by anti-abuse checks: the signature is kept but not counted until reviewed. */
  suspectReason: string | null;
}
