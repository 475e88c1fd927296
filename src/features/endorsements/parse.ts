/**
 * Reading the endorsement forms (the organisers' and the public suggestion): every field through the readers of
 * web/form.ts, links http(s) only, dates real and not in the future. Bad fields throw one validation error naming them.
 */
import { AppError, type FieldErrors } from '../../errors.ts';
import { isIsoDate, readCheckbox, readText, type FormBody } from '../../web/form.ts';
import { isLocale } from '../../web/i18n.ts';
import { type EndorsementInput, LIMITS, type SuggestionInput } from './model.ts';

// Somewhere on Earth it is already tomorrow (UTC+14): a date that is today there is not in the future.
const EARLIEST_TIME_ZONE_MS = 14 * 60 * 60 * 1000;
const MIN_YEAR = 1900;

/** The latest date an endorsement may carry, as YYYY-MM-DD. */
export function latestAllowedDate(now: Date): string {
  return new Date(now.getTime() + EARLIEST_TIME_ZONE_MS).toISOString().slice(0, 10);
}

/** An absolute http(s) URL without credentials, normalised as a browser would; undefined for anything else. */
export function parseHttpUrl(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return url.href.length <= LIMITS.url ? url.href : undefined;
}

function readUrl(body: FormBody, name: string, required: boolean, errors: FieldErrors): string {
  const text = readText(body, name, { required, max: LIMITS.url }, errors);
  if (errors[name] || text === '') return '';
  const url = parseHttpUrl(text);
  if (url === undefined) errors[name] = 'endorsements.validation.url';
  return url ?? '';
}

function readDate(body: FormBody, name: string, now: Date, errors: FieldErrors): string | null {
  const text = readText(body, name, { max: 10 }, errors);
  if (errors[name] || text === '') return null;
  if (!isIsoDate(text) || Number(text.slice(0, 4)) < MIN_YEAR) {
    errors[name] = 'validation.date';
    return null;
  }
  if (text > latestAllowedDate(now)) {
    errors[name] = 'endorsements.validation.future';
    return null;
  }
  return text;
}

function throwIfAny(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw new AppError('validation_failed', 'Some endorsement fields are not valid', { fields: errors });
}

/** The organisers' form. A verified endorsement needs the evidence it was verified with: a link or a note. */
export function parseEndorsementForm(body: FormBody, now = new Date()): EndorsementInput {
  const errors: FieldErrors = {};
  const name = readText(body, 'name', { required: true, max: LIMITS.name }, errors);
  const description = readText(body, 'description', { max: LIMITS.description }, errors);
  const quote = readText(body, 'quote', { max: LIMITS.quote, multiline: true }, errors);
  const platform = readText(body, 'platform', { max: LIMITS.platform }, errors);
  const url = readUrl(body, 'url', false, errors);
  const lang = readText(body, 'lang', { required: true, max: 5 }, errors);
  if (!errors['lang'] && !isLocale(lang)) errors['lang'] = 'endorsements.validation.lang';
  const date = readDate(body, 'date', now, errors);
  const status = readText(body, 'status', { required: true, max: 20 }, errors);
  if (!errors['status'] && status !== 'verified' && status !== 'unverified') errors['status'] = 'endorsements.validation.status';
  const evidenceUrl = readUrl(body, 'evidence_url', false, errors);
  const evidenceNote = readText(body, 'evidence_note', { max: LIMITS.evidenceNote, multiline: true }, errors);
  if (status === 'verified' && !errors['evidence_url'] && !errors['evidence_note'] && evidenceUrl === '' && evidenceNote === '') {
    errors['evidence_url'] = 'endorsements.validation.evidence';
  }
  throwIfAny(errors);
  return {
    name,
    description,
    quote,
    platform,
    url,
    lang: lang as EndorsementInput['lang'],
    date,
    // "Approximate" says something only about a date that is there.
    dateApproximate: date !== null && readCheckbox(body, 'date_approximate'),
    status: status as EndorsementInput['status'],
    evidenceUrl,
    evidenceNote,
    featured: readCheckbox(body, 'featured'),
  };
}

/** The public suggestion form: name, description and link required, the quote optional. */
export function parseSuggestionForm(body: FormBody): SuggestionInput {
  const errors: FieldErrors = {};
  const name = readText(body, 'name', { required: true, max: LIMITS.name }, errors);
  const description = readText(body, 'description', { required: true, max: LIMITS.description }, errors);
  const url = readUrl(body, 'url', true, errors);
  const quote = readText(body, 'quote', { max: LIMITS.quote, multiline: true }, errors);
  throwIfAny(errors);
  return { name, description, url, quote };
}
