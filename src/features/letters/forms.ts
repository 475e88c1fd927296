/**
 * Reading the organisers' forms (a letter, a signatory, the evidence that verifies one) and the public sign-on form.
 * Each returns the input and the field errors; with any error nothing is written. URLs are http(s) only; dates are
 * real dates, never later than today anywhere.
 */
import type { LetterState, SignatoryCategory } from '../../db/schema.ts';
import type { FieldErrors } from '../../errors.ts';
import { isIsoDate, parseId, readCheckbox, readCheckboxGroup, readText, readWholeNumber, type FormBody } from '../../web/form.ts';
import { isWebAddress, todayIn } from '../accountability/index.ts';
import { isValidEmail } from '../petitions/index.ts';
import { CATEGORIES, type Evidence, LETTER_STATES, type LetterInput, type SignatoryInput } from './model.ts';

export type Parsed<T> = { input: T; errors: FieldErrors };

export const LIMITS = { title: 200, body: 20_000, name: 200, office: 200, affiliation: 200, url: 500, note: 2000, response: 4000, publisher: 200 };
/** More than the largest legislature on Earth: a bigger number is a typing mistake. */
const MAX_REPORTED = 1_000_000;

/** The latest date it is anywhere on Earth (UTC+14): a date after it has not happened yet. */
export function latestToday(now: Date): string {
  return todayIn('Etc/GMT-14', now);
}

function readPastDate(body: FormBody, name: string, errors: FieldErrors, now: Date, required: boolean): string | null {
  const value = readText(body, name, { required, max: 10 }, errors);
  if (errors[name] || value === '') return null;
  if (!isIsoDate(value)) errors[name] = 'validation.date';
  else if (value > latestToday(now)) errors[name] = 'letters.errors.future';
  return errors[name] ? null : value;
}

function readChoice<T extends string>(body: FormBody, name: string, choices: readonly T[], errors: FieldErrors): T {
  const value = body[name];
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  errors[name] = 'letters.errors.choose';
  return choices[0]!;
}

/** An optional web address: '' or an absolute http(s) address. */
function readWebAddress(body: FormBody, name: string, errors: FieldErrors, required = false): string {
  const value = readText(body, name, { required, max: LIMITS.url }, errors);
  if (!errors[name] && value !== '' && !isWebAddress(value)) errors[name] = 'letters.errors.url';
  return errors[name] ? '' : value;
}

function readLang(body: FormBody, errors: FieldErrors): string {
  const value = readText(body, 'lang', { required: true, max: 20 }, errors);
  if (!errors['lang'] && !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(value)) errors['lang'] = 'letters.errors.lang';
  return value;
}

/** The addressed targets: each one of this campaign's targets, named by its id. */
function readTargetIds(body: FormBody, allowed: ReadonlySet<number>, errors: FieldErrors): number[] {
  const raw = body['targets'];
  if (raw !== undefined && typeof raw !== 'string' && !Array.isArray(raw)) errors['targets'] = 'letters.errors.target';
  const ids = readCheckboxGroup(body, 'targets').map(parseId);
  if (ids.some((id) => id === undefined || !allowed.has(id))) errors['targets'] = 'letters.errors.target';
  return errors['targets'] ? [] : [...new Set(ids as number[])].sort((a, b) => a - b);
}

function readReported(body: FormBody, errors: FieldErrors): LetterInput['reported'] {
  const count = readWholeNumber(body, 'reported_count', { max: MAX_REPORTED, message: 'letters.errors.count' }, errors);
  const publisher = readText(body, 'reported_publisher', { max: LIMITS.publisher }, errors);
  const url = readWebAddress(body, 'reported_url', errors);
  if (count === 0 && publisher === '' && url === '') return null;
  // A number without its source is a rumour: the public page always says who reported it.
  if (count === 0 && !errors['reported_count']) errors['reported_count'] = 'letters.errors.count';
  if (publisher === '' && !errors['reported_publisher']) errors['reported_publisher'] = 'letters.errors.reportedSource';
  if (url === '' && !errors['reported_url']) errors['reported_url'] = 'letters.errors.reportedSource';
  return { count, publisher, url };
}

export function parseLetterForm(body: FormBody, options: { targetIds: ReadonlySet<number>; now?: Date }): Parsed<LetterInput> {
  const errors: FieldErrors = {};
  const now = options.now ?? new Date();
  const title = readText(body, 'title', { required: true, max: LIMITS.title }, errors);
  const bodyMd = readText(body, 'body', { required: true, max: LIMITS.body, multiline: true }, errors);
  const lang = readLang(body, errors);
  const state = readChoice<LetterState>(body, 'state', LETTER_STATES, errors);
  const datedOn = readPastDate(body, 'dated_on', errors, now, false);
  const deliveredOn = readPastDate(body, 'delivered_on', errors, now, false);
  if (state === 'delivered' && deliveredOn === null && !errors['delivered_on']) errors['delivered_on'] = 'letters.errors.deliveredOn';
  const reported = readReported(body, errors);
  const responseText = readText(body, 'response_text', { max: LIMITS.response, multiline: true }, errors);
  const responseUrl = readWebAddress(body, 'response_url', errors);
  const targetIds = readTargetIds(body, options.targetIds, errors);
  return {
    input: {
      title,
      bodyMd,
      lang,
      state,
      datedOn,
      dateApproximate: readCheckbox(body, 'date_approximate'),
      deliveredOn,
      deliveredApproximate: readCheckbox(body, 'delivered_approximate'),
      reported,
      responseText,
      responseUrl,
      targetIds,
    },
    errors,
  };
}

function readSignatoryFields(body: FormBody, errors: FieldErrors): Omit<SignatoryInput, 'signedOn'> {
  return {
    name: readText(body, 'name', { required: true, max: LIMITS.name }, errors),
    title: readText(body, 'office', { max: LIMITS.office }, errors),
    affiliation: readText(body, 'affiliation', { max: LIMITS.affiliation }, errors),
    category: readChoice<SignatoryCategory>(body, 'category', CATEGORIES, errors),
  };
}

/** Evidence of a check an organiser made: a web address, a note of an out-of-band check, or both — never neither. */
export function parseEvidenceForm(body: FormBody): Parsed<Evidence> {
  const errors: FieldErrors = {};
  const url = readWebAddress(body, 'evidence_url', errors);
  const note = readText(body, 'evidence_note', { max: LIMITS.note, multiline: true }, errors);
  if (url === '' && note === '' && !errors['evidence_url'] && !errors['evidence_note']) errors['evidence_note'] = 'letters.errors.evidence';
  return { input: { url, note }, errors };
}

/** A signatory an organiser adds (one who signed on paper, say); with "verified" ticked, its evidence comes too. */
export function parseSignatoryForm(body: FormBody, now = new Date()): Parsed<{ signatory: SignatoryInput; evidence: Evidence | null }> {
  const errors: FieldErrors = {};
  const fields = readSignatoryFields(body, errors);
  const signedOn = readPastDate(body, 'signed_on', errors, now, true) ?? '';
  const verified = readCheckbox(body, 'verified');
  const evidence = parseEvidenceForm(body);
  // Without "verified", evidence fields are still read (hostile input in them is refused) but need not be filled in.
  for (const [field, key] of Object.entries(evidence.errors)) if (verified || key !== 'letters.errors.evidence') errors[field] = key;
  return { input: { signatory: { ...fields, signedOn }, evidence: verified ? evidence.input : null }, errors };
}

export interface SignOnForm {
  signatory: Omit<SignatoryInput, 'signedOn'>;
  email: string;
  /** The hidden field only bots fill in. */
  honeypotFilled: boolean;
  stamp: unknown;
}

export function parseSignOnForm(body: FormBody): Parsed<SignOnForm> {
  const errors: FieldErrors = {};
  const signatory = readSignatoryFields(body, errors);
  const email = readText(body, 'email', { required: true, max: 254 }, errors);
  if (!errors['email'] && !isValidEmail(email)) errors['email'] = 'letters.errors.email';
  const honeypot = body['website'];
  return {
    input: { signatory, email, honeypotFilled: honeypot !== undefined && honeypot !== null && honeypot !== '', stamp: body['ts'] },
    errors,
  };
}
