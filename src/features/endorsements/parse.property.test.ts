/**
 * Property tests of the endorsement form readers, no database: whatever a form parser can hand them, they return a
 * valid input (links http(s) only, dates real and not in the future) or refuse naming real fields with messages that
 * exist in both languages; and a valid endorsement survives the trip through its own form.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../errors.ts';
import { LOCALES } from '../../web/i18n.ts';
import webEn from '../../web/locales/en.json' with { type: 'json' };
import webRu from '../../web/locales/ru.json' with { type: 'json' };
import { ENDORSEMENT_FIELDS, endorsementFormValues } from './admin-views.tsx';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import type { Endorsement, EndorsementInput } from './model.ts';
import { latestAllowedDate, parseEndorsementForm, parseSuggestionForm } from './parse.ts';
import { SUGGESTION_FIELDS } from './views.tsx';

const NOW = new Date('2026-12-02T12:00:00Z');

function hasMessage(key: string): boolean {
  return [
    [webEn, en],
    [webRu, ru],
  ].every((catalogues) =>
    catalogues.some((catalogue) => {
      let node: unknown = catalogue;
      for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
      return typeof node === 'string';
    }),
  );
}

/** What a form parser may hand over for a field: nothing, a string, a list, or (JSON) anything. */
const fieldValue = fc.oneof(
  fc.constant(undefined),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', ' ', 'en', 'ru', 'verified', 'unverified', '1', 'https://example.org/x', 'javascript:alert(1)', '2017-07-14', '2999-01-01'),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.integer(),
  fc.constant(null),
);

function bodyOf(names: readonly string[]) {
  return fc.record(Object.fromEntries(names.map((n) => [n, fieldValue])) as Record<string, typeof fieldValue>, { requiredKeys: [] });
}

function expectRefusal(error: unknown, names: readonly string[]): void {
  expect(isAppError(error) && error.code === 'validation_failed').toBe(true);
  for (const [field, key] of Object.entries((error as AppError).fields ?? {})) {
    expect(names).toContain(field);
    expect(hasMessage(key), key).toBe(true);
  }
}

function expectSafeUrl(value: string, optional: boolean): void {
  if (optional && value === '') return;
  expect(new URL(value).protocol).toMatch(/^https?:$/);
}

describe('parseEndorsementForm', () => {
  it('returns a valid endorsement or refuses naming real fields', () => {
    fc.assert(
      fc.property(bodyOf(ENDORSEMENT_FIELDS), (body) => {
        let input: EndorsementInput;
        try {
          input = parseEndorsementForm(body, NOW);
        } catch (error) {
          expectRefusal(error, ENDORSEMENT_FIELDS);
          return;
        }
        expect(input.name).not.toBe('');
        expectSafeUrl(input.url, true);
        expectSafeUrl(input.evidenceUrl, true);
        expect(LOCALES).toContain(input.lang);
        if (input.date !== null) expect(input.date <= latestAllowedDate(NOW) && input.date >= '1900-01-01').toBe(true);
        if (input.status === 'verified') expect(input.evidenceUrl !== '' || input.evidenceNote !== '').toBe(true);
        expect(input.dateApproximate && input.date === null).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back a valid endorsement from its own form', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\u0000-\u001F\u007F-\u009F]/g, '').trim());
    const endorsement = fc.record({
      name: text.filter((s) => s !== ''),
      description: text,
      quote: text,
      platform: text,
      url: fc.webUrl({ validSchemes: ['http', 'https'] }).map((u) => new URL(u).href),
      lang: fc.constantFrom(...LOCALES),
      date: fc.option(fc.date({ min: new Date('1900-01-01'), max: NOW, noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
      dateApproximate: fc.boolean(),
      status: fc.constant('verified' as const),
      evidenceUrl: fc.constant(''),
      evidenceNote: text.filter((s) => s !== ''),
      featured: fc.boolean(),
    });
    fc.assert(
      fc.property(endorsement, (input) => {
        const expected = { ...input, dateApproximate: input.date !== null && input.dateApproximate };
        expect(parseEndorsementForm(endorsementFormValues(expected as Endorsement), NOW)).toEqual(expected);
      }),
    );
  });

  it('refuses a date after today anywhere on Earth, and before 1900', () => {
    const body = { name: 'A', lang: 'en', status: 'unverified' };
    expect(parseEndorsementForm({ ...body, date: '2026-12-03' }, NOW).date).toBe('2026-12-03');
    for (const date of ['2026-12-04', '1899-12-31', '0000-01-01', '2017-02-30', '2017-7-14']) {
      expect(() => parseEndorsementForm({ ...body, date }, NOW), date).toThrow();
    }
  });
});

describe('parseSuggestionForm', () => {
  it('returns a valid suggestion or refuses naming real fields', () => {
    fc.assert(
      fc.property(bodyOf(SUGGESTION_FIELDS), (body) => {
        try {
          const input = parseSuggestionForm(body);
          expect(input.name !== '' && input.description !== '').toBe(true);
          expectSafeUrl(input.url, false);
        } catch (error) {
          expectRefusal(error, SUGGESTION_FIELDS);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every link that is not http or https', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,x',
      'ftp://example.org',
      '//example.org',
      'example.org',
      'http://user:pw@example.org',
      'https://',
    ]) {
      expect(() => parseSuggestionForm({ name: 'A', description: 'B', url }), url).toThrow();
    }
  });
});
