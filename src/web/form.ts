/**
 * Reading and checking submitted form fields. Every form goes through these, so hostile input (control characters,
 * broken Unicode, arrays where a string belongs, absurd lengths) is refused the same way everywhere.
 */
import type { FieldErrors } from '../errors.ts';

export type FormBody = Record<string, unknown>;

export function asFormBody(body: unknown): FormBody {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as FormBody) : {};
}

// C0 controls other than tab, newline and carriage return; DEL; C1 controls. PostgreSQL refuses NUL outright.
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/;

export interface TextRule {
  required?: boolean;
  max: number;
  multiline?: boolean;
}

/**
 * Reads one text field. Returns the trimmed value, or records an error for the field and returns ''.
 * A field sent twice (an array) or as a non-string is an error, not silently coerced.
 */
export function readText(body: FormBody, name: string, rule: TextRule, errors: FieldErrors): string {
  const raw = body[name];
  if (raw === undefined || raw === null) {
    if (rule.required) errors[name] = 'validation.required';
    return '';
  }
  if (typeof raw !== 'string') {
    errors[name] = 'validation.required';
    return '';
  }
  const value = rule.multiline ? raw.replace(/\r\n?/g, '\n').trim() : raw.trim();
  if (!value.isWellFormed() || (rule.multiline ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE).test(value)) {
    errors[name] = 'validation.controlCharacters';
    return '';
  }
  if (value.length > rule.max) {
    errors[name] = 'validation.tooLong';
    return '';
  }
  if (rule.required && value === '') errors[name] = 'validation.required';
  return value;
}

/** A checkbox is on when its field is present with any value. */
export function readCheckbox(body: FormBody, name: string): boolean {
  const raw = body[name];
  return raw !== undefined && raw !== null && raw !== '';
}

/** Values of a group of checkboxes sharing one name, whether the parser gave a string or an array. */
export function readCheckboxGroup(body: FormBody, name: string): string[] {
  const raw = body[name];
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Rejects anything but a real calendar date written as YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const ID_PATTERN = /^\d{1,15}$/;

/** A record's number as it comes in a path, a query or a hidden field: a positive whole number, else undefined. */
export function parseId(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Reads a whole number that people may write with separators ("1,000,000", "1 000 000"), from 1 to `max`. Records
 * `message` for the field when it is anything else.
 */
export function readWholeNumber(body: FormBody, name: string, rule: { required?: boolean; max: number; message: string }, errors: FieldErrors): number {
  const text = readText(body, name, { required: rule.required ?? false, max: 13 }, errors).replace(/[\s,_]/g, '');
  const value = Number(text);
  if (errors[name] || (text === '' && !rule.required)) return 0;
  if (!/^\d+$/.test(text) || value < 1 || value > rule.max) {
    errors[name] = rule.message;
    return 0;
  }
  return value;
}
