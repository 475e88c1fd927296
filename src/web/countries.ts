/** ISO 3166-1 alpha-2 codes (from i18n-iso-countries) with names in the reader's language (from Intl). */
import countries from 'i18n-iso-countries';
import type { Locale } from './i18n.ts';

export const COUNTRY_CODES: ReadonlySet<string> = new Set(Object.keys(countries.getAlpha2Codes()));

const displayNames = new Map<Locale, Intl.DisplayNames>();
const sortedLists = new Map<Locale, { code: string; name: string }[]>();

export function countryName(locale: Locale, code: string): string {
  let names = displayNames.get(locale);
  if (!names) displayNames.set(locale, (names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' })));
  return names.of(code) ?? code;
}

export function countryOptions(locale: Locale): { code: string; name: string }[] {
  let list = sortedLists.get(locale);
  if (!list) {
    const collator = new Intl.Collator(locale);
    list = [...COUNTRY_CODES].map((code) => ({ code, name: countryName(locale, code) })).sort((a, b) => collator.compare(a.name, b.name));
    sortedLists.set(locale, list);
  }
  return list;
}

/** ISO 3166-1 numeric code (as world-atlas uses) for an alpha-2 code. */
export function numericCountryCode(alpha2: string): string | undefined {
  return countries.alpha2ToNumeric(alpha2) ?? undefined;
}
