/**
 * The JSON shape of a verified endorsement, close to OSDI's field names (identifiers, origin_system, browser_url,
 * created_date, modified_date) so an OSDI client can map it without guesswork. Evidence stays with the organisers.
 */
import type { Endorsement } from './model.ts';

export interface OsdiEndorsement {
  identifiers: string[];
  name: string;
  description: string;
  quote: string;
  /** Where it was said: "Twitter", "TV interview" ('' when not recorded). */
  origin_system: string;
  /** The original post, or null. */
  browser_url: string | null;
  /** The language of name, description and quote. */
  lang: string;
  /** YYYY-MM-DD, or null when not known. */
  date: string | null;
  date_approximate: boolean;
  featured: boolean;
  verified: true;
  created_date: string;
  modified_date: string;
}

export function toOsdiEndorsement(endorsement: Endorsement): OsdiEndorsement {
  return {
    identifiers: [`outcry:endorsement-${endorsement.id}`],
    name: endorsement.name,
    description: endorsement.description,
    quote: endorsement.quote,
    origin_system: endorsement.platform,
    browser_url: endorsement.url || null,
    lang: endorsement.lang,
    date: endorsement.date,
    date_approximate: endorsement.dateApproximate,
    featured: endorsement.featured,
    verified: true,
    created_date: endorsement.createdAt,
    modified_date: endorsement.updatedAt,
  };
}
