import type { EndorsementSource, EndorsementStatus } from '../../db/schema.ts';
import type { Locale } from '../../web/i18n.ts';

/** What an organiser submits, after validation. */
export interface EndorsementInput {
  name: string;
  /** Who they are, in a few words: "host of Catfish". */
  description: string;
  quote: string;
  /** Where they said it: "Twitter", "TV interview". */
  platform: string;
  /** The original post (http or https), or ''. */
  url: string;
  /** The language of name, description and quote. */
  lang: Locale;
  /** YYYY-MM-DD, or null when not known. */
  date: string | null;
  dateApproximate: boolean;
  status: EndorsementStatus;
  evidenceUrl: string;
  evidenceNote: string;
  featured: boolean;
}

/** A public figure's backing of a campaign, as organisers record it. */
export interface Endorsement extends EndorsementInput {
  id: number;
  campaignId: number;
  source: EndorsementSource;
  verifiedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the public suggests, after validation: nothing about the person suggesting. */
export interface SuggestionInput {
  name: string;
  description: string;
  url: string;
  quote: string;
}

/** Field limits, shared by the readers and the forms' maxlength. */
export const LIMITS = {
  name: 120,
  description: 200,
  quote: 2000,
  platform: 60,
  url: 2000,
  evidenceNote: 1000,
} as const;
