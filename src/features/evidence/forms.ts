/**
 * Checking facts, sources and incidents, whether they come from an organiser's form or from code (the demo, a later
 * API). One checker per kind works on the typed input and is what the service runs before anything is written; the
 * form readers only turn fields into that input (a number field into a number) and then run the same checker, so the
 * pages and the service refuse exactly the same things. Errors are keyed by the form's field names, as i18n keys.
 */
import { AppError, type FieldErrors } from '../../errors.ts';
import type { FactStatus, FigureQualifier, StatementRelation } from '../../db/schema.ts';
import { isIsoDate, readCheckbox, readText, type FormBody, type TextRule } from '../../web/form.ts';
import { translator } from '../../web/i18n.ts';
import { isWebAddress } from '../accountability/index.ts';
import {
  COUNT_KINDS,
  FACT_STATUSES,
  FIGURE_QUALIFIERS,
  STATEMENT_RELATIONS,
  type Counts,
  type FactInput,
  type IncidentInput,
  type SourceInput,
} from './model.ts';

export const LIMITS = {
  claim: 2000,
  unit: 60,
  publisher: 200,
  title: 300,
  url: 2000,
  quote: 4000,
  /** A coarse region ("Chechnya", "Grozny and its suburbs"): short on purpose, no room for an address. */
  region: 100,
  description: 4000,
  lang: 20,
  figure: 1_000_000_000_000,
  count: 10_000_000,
} as const;

const MIN_YEAR = 1900;
// Somewhere on Earth it is already tomorrow (UTC+14): a date that is today there has happened.
const EARLIEST_TIME_ZONE_MS = 14 * 60 * 60 * 1000;

export type Parsed<T> = { input: T; errors: FieldErrors };

/** The latest date that has happened somewhere on Earth at `now` (ms), as YYYY-MM-DD. */
export function latestPastDate(now: number): string {
  return new Date(now + EARLIEST_TIME_ZONE_MS).toISOString().slice(0, 10);
}

/** Records the first problem of each field; every method returns the value as stored (trimmed), or a placeholder. */
class FieldChecker {
  readonly errors: FieldErrors = {};

  constructor(private readonly now: number) {}

  text(name: string, value: unknown, rule: TextRule): string {
    // The same reader the forms use: control characters, broken Unicode, length, required.
    return readText({ [name]: value }, name, rule, this.errors);
  }

  lang(name: string, value: unknown): string {
    const text = this.text(name, value, { required: true, max: LIMITS.lang });
    if (!this.errors[name] && !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(text)) this.errors[name] = 'evidence.errors.lang';
    return text;
  }

  choice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    this.errors[name] = 'evidence.errors.choose';
    return choices[0]!;
  }

  date(name: string, value: unknown, required: boolean): string | null {
    const text = this.text(name, value ?? '', { required, max: 10 });
    if (this.errors[name] || text === '') return null;
    if (!isIsoDate(text) || Number(text.slice(0, 4)) < MIN_YEAR) this.errors[name] = 'validation.date';
    else if (text > latestPastDate(this.now)) this.errors[name] = 'evidence.errors.future';
    return this.errors[name] ? null : text;
  }

  url(name: string, value: unknown): string {
    const text = this.text(name, value, { required: true, max: LIMITS.url });
    if (!this.errors[name] && !isWebAddress(text)) this.errors[name] = 'evidence.errors.url';
    return text;
  }

  wholeNumber(name: string, value: unknown, max: number, message: string): number {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max) return value;
    this.errors[name] = message;
    return 0;
  }

  flag(value: unknown): boolean {
    return value === true;
  }
}

export function checkFactInput(input: FactInput, now: number): Parsed<FactInput> {
  const check = new FieldChecker(now);
  const claim = check.text('claim', input.claim, { required: true, max: LIMITS.claim, multiline: true });
  const lang = check.lang('lang', input.lang);
  const figure =
    input.figure === null
      ? null
      : {
          value: check.wholeNumber('figure_value', input.figure.value, LIMITS.figure, 'evidence.errors.figure'),
          unit: check.text('figure_unit', input.figure.unit, { required: true, max: LIMITS.unit }),
          qualifier: check.choice<FigureQualifier>('figure_qualifier', input.figure.qualifier, FIGURE_QUALIFIERS),
        };
  const status = check.choice<FactStatus>('status', input.status, FACT_STATUSES);
  const firstReportedOn = check.date('first_reported_on', input.firstReportedOn, true) ?? '';
  return {
    input: {
      lang,
      claim,
      figure,
      status,
      firstReportedOn,
      firstReportedApproximate: check.flag(input.firstReportedApproximate),
      public: check.flag(input.public),
    },
    errors: check.errors,
  };
}

export function checkSourceInput(input: SourceInput, now: number): Parsed<SourceInput> {
  const check = new FieldChecker(now);
  const publisher = check.text('publisher', input.publisher, { required: true, max: LIMITS.publisher });
  const title = check.text('title', input.title, { required: true, max: LIMITS.title });
  const url = check.url('url', input.url);
  const publishedOn = check.date('published_on', input.publishedOn, false);
  const quote = check.text('quote', input.quote, { max: LIMITS.quote, multiline: true });
  const lang = check.lang('lang', input.lang);
  return {
    input: {
      publisher,
      title,
      url,
      publishedOn,
      // "Approximate" says something only about a date that is there.
      publishedApproximate: publishedOn !== null && check.flag(input.publishedApproximate),
      quote,
      lang,
      public: check.flag(input.public),
    },
    errors: check.errors,
  };
}

export function checkIncidentInput(input: IncidentInput, now: number): Parsed<IncidentInput> {
  const check = new FieldChecker(now);
  const startsOn = check.date('starts_on', input.startsOn, true) ?? '';
  const endsOn = check.date('ends_on', input.endsOn, false);
  if (endsOn !== null && startsOn !== '' && endsOn < startsOn) check.errors['ends_on'] = 'evidence.errors.endsBeforeStart';
  const region = check.text('region', input.region, { required: true, max: LIMITS.region });
  const counts = Object.fromEntries(
    COUNT_KINDS.map((kind) => {
      const value = input.counts[kind];
      return [kind, value === null ? null : check.wholeNumber(kind, value, LIMITS.count, 'evidence.errors.count')];
    }),
  ) as Counts;
  const description = check.text('description', input.description, { max: LIMITS.description, multiline: true });
  const lang = check.lang('lang', input.lang);
  return {
    input: { startsOn, endsOn, approximate: check.flag(input.approximate), region, counts, description, lang, public: check.flag(input.public) },
    errors: check.errors,
  };
}

export function checkRelation(value: unknown): Parsed<StatementRelation> {
  const check = new FieldChecker(0);
  return { input: check.choice<StatementRelation>('relation', value, STATEMENT_RELATIONS), errors: check.errors };
}

/** One validation error naming every bad field, with a message a person can act on. */
export function invalidFields(errors: FieldErrors, what: string): AppError {
  const t = translator('en');
  const details = Object.entries(errors)
    .map(([field, key]) => `${field.replaceAll('_', ' ')}: ${t(key)}`)
    .join(' ');
  return new AppError('validation_failed', `The ${what} was not saved. ${details}`, { fields: { ...errors } });
}

export function throwIfInvalid(errors: FieldErrors, what: string): void {
  if (Object.keys(errors).length > 0) throw invalidFields(errors, what);
}

// ---- Forms: fields into typed input, then the same checks ---------------------------------------------------------

/** A field as the form sent it: '' when absent; a field sent twice or not as text is an error, not coerced. */
function fieldText(body: FormBody, name: string, errors: FieldErrors): string {
  const value = body[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  errors[name] = 'validation.required';
  return '';
}

/** A whole number as people write it ("1,000", "1 000"); NaN when it is not one, which the checker refuses. */
function fieldNumber(body: FormBody, name: string, errors: FieldErrors): number | null {
  const text = fieldText(body, name, errors).replace(/[\s,_]/g, '');
  if (text === '') return null;
  return /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
}

function merged<T>(checked: Parsed<T>, shape: FieldErrors): Parsed<T> {
  return { input: checked.input, errors: { ...checked.errors, ...shape } };
}

/** The form's fields as typed input, unchecked; only a field of the wrong shape (sent twice) is an error yet. */
export function readFactForm(body: FormBody): Parsed<FactInput> {
  const shape: FieldErrors = {};
  const value = fieldNumber(body, 'figure_value', shape);
  const unit = fieldText(body, 'figure_unit', shape);
  const input: FactInput = {
    claim: fieldText(body, 'claim', shape),
    lang: fieldText(body, 'lang', shape),
    // No number and no unit: the fact has no figure. Either one alone is a figure missing its other half.
    figure:
      value === null && unit.trim() === ''
        ? null
        : { value: value ?? Number.NaN, unit, qualifier: fieldText(body, 'figure_qualifier', shape) as FigureQualifier },
    status: fieldText(body, 'status', shape) as FactStatus,
    firstReportedOn: fieldText(body, 'first_reported_on', shape),
    firstReportedApproximate: readCheckbox(body, 'first_reported_approximate'),
    public: readCheckbox(body, 'public'),
  };
  return { input, errors: shape };
}

export function parseFactForm(body: FormBody, now: number): Parsed<FactInput> {
  const read = readFactForm(body);
  return merged(checkFactInput(read.input, now), read.errors);
}

export function readSourceForm(body: FormBody): Parsed<SourceInput> {
  const shape: FieldErrors = {};
  const publishedOn = fieldText(body, 'published_on', shape);
  const input: SourceInput = {
    publisher: fieldText(body, 'publisher', shape),
    title: fieldText(body, 'title', shape),
    url: fieldText(body, 'url', shape),
    publishedOn: publishedOn.trim() === '' ? null : publishedOn,
    publishedApproximate: readCheckbox(body, 'published_approximate'),
    quote: fieldText(body, 'quote', shape),
    lang: fieldText(body, 'lang', shape),
    public: readCheckbox(body, 'public'),
  };
  return { input, errors: shape };
}

export function parseSourceForm(body: FormBody, now: number): Parsed<SourceInput> {
  const read = readSourceForm(body);
  return merged(checkSourceInput(read.input, now), read.errors);
}

export function readIncidentForm(body: FormBody): Parsed<IncidentInput> {
  const shape: FieldErrors = {};
  const endsOn = fieldText(body, 'ends_on', shape);
  const input: IncidentInput = {
    startsOn: fieldText(body, 'starts_on', shape),
    endsOn: endsOn.trim() === '' ? null : endsOn,
    approximate: readCheckbox(body, 'date_approximate'),
    region: fieldText(body, 'region', shape),
    counts: Object.fromEntries(COUNT_KINDS.map((kind) => [kind, fieldNumber(body, kind, shape)])) as Counts,
    description: fieldText(body, 'description', shape),
    lang: fieldText(body, 'lang', shape),
    public: readCheckbox(body, 'public'),
  };
  return { input, errors: shape };
}

export function parseIncidentForm(body: FormBody, now: number): Parsed<IncidentInput> {
  const read = readIncidentForm(body);
  return merged(checkIncidentInput(read.input, now), read.errors);
}
