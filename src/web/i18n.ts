/**
 * Interface languages. i18next carries the plural rules (Russian has one/few/many), Intl does the numbers
 * and dates. The locale comes from `?lang=`, then the `lang` cookie, then Accept-Language. Strings are shared
 * (web/locales) or a feature's own (features/<name>/locales, declared in its module).
 */
import i18next, { type TFunction } from 'i18next';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export type Strings = { [key: string]: string | Strings };

const instance = i18next.createInstance();
void instance.init({
  // The shared strings (site, errors, validation); each feature adds its own under its own top-level keys.
  resources: { en: { translation: en }, ru: { translation: ru } },
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  initAsync: false,
  // Output is escaped by the TSX renderer; escaping here too would show &amp; to people.
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** A feature's strings, merged into the shared ones (features/index.ts adds every feature's once, at start). */
export function addStrings(strings: Readonly<Record<Locale, Strings>>): void {
  for (const locale of LOCALES) instance.addResourceBundle(locale, 'translation', strings[locale], true, true);
}

const translators = new Map<Locale, TFunction>(LOCALES.map((locale) => [locale, instance.getFixedT(locale)]));

export type Translate = TFunction;

export function translator(locale: Locale): Translate {
  return translators.get(locale)!;
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Picks the best supported locale from an Accept-Language header, honouring q-values. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.lang).find(isLocale);
}

// Building an Intl formatter costs far more than using one, and pages format on every request: keep them.
const numberFormats = new Map<Locale, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatNumber(locale: Locale, value: number): string {
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale)));
  return format.format(value);
}

export function formatDate(locale: Locale, isoDate: string, options: Intl.DateTimeFormatOptions = { dateStyle: 'long' }): string {
  const date = new Date(isoDate.length === 10 ? `${isoDate}T00:00:00Z` : isoDate);
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options })));
  return format.format(date);
}
