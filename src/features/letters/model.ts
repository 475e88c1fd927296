/** Open letters and their signatories as the pages, the forms and the API see them. */
import type { LetterState, SignatoryCategory, SignatorySource, SignatoryStatus } from '../../db/schema.ts';

export const LETTER_STATES: readonly LetterState[] = ['draft', 'collecting', 'published', 'delivered'];
export const CATEGORIES: readonly SignatoryCategory[] = ['official', 'organisation', 'public-figure', 'individual'];

/** How many signed as a source reports it: shown apart from the signatories the campaign verified itself. */
export interface ReportedCount {
  count: number;
  publisher: string;
  url: string;
}

export interface LetterInput {
  title: string;
  bodyMd: string;
  lang: string;
  state: LetterState;
  datedOn: string | null;
  dateApproximate: boolean;
  deliveredOn: string | null;
  deliveredApproximate: boolean;
  reported: ReportedCount | null;
  responseText: string;
  responseUrl: string;
  targetIds: number[];
}

export interface Letter extends LetterInput {
  id: number;
  campaignId: number;
  createdAt: string;
  updatedAt: string;
}

export interface SignatoryInput {
  name: string;
  title: string;
  affiliation: string;
  category: SignatoryCategory;
  signedOn: string;
}

export interface Evidence {
  url: string;
  note: string;
}

export interface Signatory extends SignatoryInput {
  id: number;
  letterId: number;
  status: SignatoryStatus;
  source: SignatorySource;
  evidence: Evidence;
  confirmedAt: string | null;
  verifiedAt: string | null;
}

/** A letter and the signatories the public may see (verified ones only). */
export interface PublicLetter {
  letter: Letter;
  signatories: Signatory[];
}

export function isPublicLetter(letter: Pick<Letter, 'state'>): boolean {
  return letter.state !== 'draft';
}

/** Verified signatories by category, in the order of CATEGORIES, leaving out empty categories. */
export function groupByCategory(signatories: readonly Signatory[]): [SignatoryCategory, Signatory[]][] {
  return CATEGORIES.map((category) => [category, signatories.filter((s) => s.category === category)] as [SignatoryCategory, Signatory[]]).filter(
    ([, group]) => group.length > 0,
  );
}
