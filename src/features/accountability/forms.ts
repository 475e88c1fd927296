/**
 * Reading the organisers' forms for targets, asks and statements. Each returns the input and the field errors; with
 * any error nothing is written. URLs are http(s) only; dates are real dates, and never later than today anywhere.
 */
import type { FieldErrors } from '../../errors.ts';
import type { AskChannel, Stance, TargetKind } from '../../db/schema.ts';
import { COUNTRY_CODES } from '../../web/countries.ts';
import { isIsoDate, readCheckbox, readText, type FormBody } from '../../web/form.ts';
import { LOCALES, type Locale } from '../../web/i18n.ts';
import { CHANNELS, STANCES, TARGET_KINDS, todayIn, type AskInput, type Source, type StatementInput, type TargetInput } from './model.ts';

export const MAX_LINKS = 5;
export const MAX_SOURCES = 3;
const MAX_URL = 500;

export type Parsed<T> = { input: T; errors: FieldErrors };

/** An absolute http(s) address without credentials; anything else (javascript:, data:, a relative path) is refused. */
export function isWebAddress(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.hostname.includes('.');
}

/** The latest date it is anywhere on Earth (UTC+14): a date after it has not happened yet. */
function latestToday(now: Date): string {
  return todayIn('Etc/GMT-14', now);
}

function readPastDate(body: FormBody, name: string, errors: FieldErrors, now: Date, required: boolean): string | null {
  const value = readText(body, name, { required, max: 10 }, errors);
  if (errors[name] || value === '') return null;
  if (!isIsoDate(value)) errors[name] = 'validation.date';
  else if (value > latestToday(now)) errors[name] = 'accountability.errors.future';
  return errors[name] ? null : value;
}

function readChoice<T extends string>(body: FormBody, name: string, choices: readonly T[], errors: FieldErrors): T {
  const value = body[name];
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  errors[name] = 'accountability.errors.choose';
  return choices[0]!;
}

/** A language tag for quoted words (en, ru, de, pt-BR…): the page marks them up in their own language. */
export function readLang(body: FormBody, name: string, errors: FieldErrors): string {
  const value = readText(body, name, { required: true, max: 20 }, errors);
  if (!errors[name] && !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(value)) errors[name] = 'accountability.errors.lang';
  return value;
}

export function parseTargetForm(body: FormBody): Parsed<TargetInput> {
  const errors: FieldErrors = {};
  const kind = readChoice<TargetKind>(body, 'kind', TARGET_KINDS, errors);
  const countryText = readText(body, 'country', { max: 2 }, errors);
  if (countryText !== '' && !COUNTRY_CODES.has(countryText)) errors['country'] = 'accountability.errors.country';
  const linkText = readText(body, 'links', { max: MAX_LINKS * (MAX_URL + 1), multiline: true }, errors);
  const links = linkText
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (!errors['links'] && (links.length > MAX_LINKS || links.some((link) => link.length > MAX_URL || !isWebAddress(link)))) {
    errors['links'] = 'accountability.errors.links';
  }
  const texts: TargetInput['texts'] = {};
  for (const locale of LOCALES) {
    const name = readText(body, `name_${locale}`, { max: 200 }, errors);
    const office = readText(body, `office_${locale}`, { max: 200 }, errors);
    if (office !== '' && name === '' && !errors[`name_${locale}`]) errors[`name_${locale}`] = 'validation.required';
    if (name !== '') texts[locale as Locale] = { name, office };
  }
  if (Object.keys(texts).length === 0 && !errors[`name_${LOCALES[0]}`]) errors[`name_${LOCALES[0]}`] = 'accountability.errors.name';
  return { input: { kind, country: countryText === '' ? null : countryText, links, texts }, errors };
}

export function parseAskForm(body: FormBody, now = new Date()): Parsed<AskInput> {
  const errors: FieldErrors = {};
  const askedOn = readPastDate(body, 'asked_on', errors, now, true) ?? '';
  const channel = readChoice<AskChannel>(body, 'channel', CHANNELS, errors);
  const summary = readText(body, 'summary', { required: true, max: 2000, multiline: true }, errors);
  const lang = readLang(body, 'summary_lang', errors);
  return { input: { askedOn, dateApproximate: readCheckbox(body, 'date_approximate'), channel, summary, lang }, errors };
}

export function parseStatementForm(body: FormBody, now = new Date()): Parsed<StatementInput> {
  const errors: FieldErrors = {};
  const statedOn = readPastDate(body, 'stated_on', errors, now, true) ?? '';
  const stance = readChoice<Stance>(body, 'stance', STANCES, errors);
  const quote = readText(body, 'quote', { required: true, max: 4000, multiline: true }, errors);
  const lang = readLang(body, 'quote_lang', errors);
  const sources: Source[] = [];
  for (let i = 1; i <= MAX_SOURCES; i += 1) {
    const publisher = readText(body, `source_publisher_${i}`, { max: 200 }, errors);
    const url = readText(body, `source_url_${i}`, { max: MAX_URL }, errors);
    const publishedOn = readPastDate(body, `source_date_${i}`, errors, now, false);
    if (publisher === '' && url === '' && publishedOn === null) continue;
    if (publisher === '' && !errors[`source_publisher_${i}`]) errors[`source_publisher_${i}`] = 'validation.required';
    if (!errors[`source_url_${i}`] && !isWebAddress(url)) errors[`source_url_${i}`] = 'accountability.errors.url';
    sources.push({ publisher, url, publishedOn });
  }
  if (sources.length === 0 && !errors['source_publisher_1'] && !errors['source_url_1']) errors['source_url_1'] = 'accountability.errors.source';
  return {
    input: {
      statedOn,
      dateApproximate: readCheckbox(body, 'date_approximate'),
      stance,
      answersAsk: readCheckbox(body, 'answers_ask'),
      quote,
      verbatim: readCheckbox(body, 'verbatim'),
      lang,
      sources,
    },
    errors,
  };
}
