/**
 * Property tests of parseCampaignForm, no database: whatever a form parser can hand it, it either returns a valid
 * campaign or refuses with a validation error naming real fields; and a valid campaign survives the trip through
 * its own form, whatever harmless variations a browser or an organiser adds (case, '#', spaces, CRLF, separators).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { campaignFormFields } from '../../../test/helpers/factories.ts';
import { type AppError, isAppError } from '../../errors.ts';
import { asFormBody } from '../../web/form.ts';
import { LOCALES, type Locale } from '../../web/i18n.ts';
import en from '../../web/locales/en.json' with { type: 'json' };
import ru from '../../web/locales/ru.json' with { type: 'json' };
import type { CampaignInput, CampaignText } from './model.ts';
import { parseCampaignForm, SLUG_PATTERN } from './service.ts';

const TEXT_PREFIXES = ['title', 'summary', 'story', 'counter_label'] as const;
const CHECKBOXES = ['start_date_approximate', 'featured'];
const FIELD_NAMES = [
  'slug',
  'hashtag',
  'goal',
  'start_date',
  'locales',
  ...CHECKBOXES,
  ...LOCALES.flatMap((locale) => TEXT_PREFIXES.map((prefix) => `${prefix}_${locale}`)),
];
/** Fields that can be in error: all but the checkboxes, which are on with any value and off without one. */
const FIELDS_WITH_ERRORS = new Set(FIELD_NAMES.filter((name) => !CHECKBOXES.includes(name)));

const HASHTAG_PATTERN = /^[\p{L}\p{N}_]{1,100}$/u;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/g;

function hasMessage(key: string): boolean {
  for (const catalogue of [en, ru] as Record<string, unknown>[]) {
    let node: unknown = catalogue;
    for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    if (typeof node !== 'string') return false;
  }
  return true;
}

/** What a successful parse must always look like, whatever went in. */
function expectValidInput(input: CampaignInput): void {
  expect(input.slug.length).toBeGreaterThanOrEqual(3);
  expect(input.slug.length).toBeLessThanOrEqual(80);
  expect(input.slug).toMatch(SLUG_PATTERN);
  expect(input.hashtag).toMatch(HASHTAG_PATTERN);
  expect(Number.isSafeInteger(input.goal) && input.goal >= 1 && input.goal <= 1_000_000_000).toBe(true);
  expect(input.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(new Date(`${input.startDate}T00:00:00Z`).toISOString().slice(0, 10)).toBe(input.startDate);
  expect(typeof input.startDateApproximate).toBe('boolean');
  expect(typeof input.featured).toBe('boolean');
  expect(input.locales.length).toBeGreaterThan(0);
  expect(input.locales).toEqual(LOCALES.filter((l) => input.locales.includes(l)));
  for (const [locale, text] of Object.entries(input.texts) as [Locale, CampaignText][]) {
    expect(LOCALES).toContain(locale);
    for (const value of Object.values(text)) {
      expect(typeof value).toBe('string');
      expect(value.isWellFormed()).toBe(true);
      expect(value).toBe(value.trim());
      expect(value).not.toMatch(/\r/);
    }
    expect(text.title).not.toMatch(CONTROL_SINGLE_LINE);
    expect(text.counterLabel).not.toMatch(CONTROL_SINGLE_LINE);
    expect(text.summary).not.toMatch(CONTROL_MULTILINE);
    expect(text.storyMd).not.toMatch(CONTROL_MULTILINE);
    if (input.locales.includes(locale)) {
      expect(text.title).not.toBe('');
      expect(text.storyMd).not.toBe('');
    }
  }
  for (const locale of input.locales) expect(input.texts[locale]).toBeDefined();
}

/** Parses, and checks the outcome is one of the two allowed ones. Returns the input when accepted. */
function parseChecked(body: Record<string, unknown>): CampaignInput | undefined {
  let input: CampaignInput;
  try {
    input = parseCampaignForm(body);
  } catch (error) {
    expect(isAppError(error), `threw ${String(error)}`).toBe(true);
    const appError = error as AppError;
    expect(appError.code).toBe('validation_failed');
    expect(appError.status).toBe(400);
    const fields = Object.entries(appError.fields ?? {});
    expect(fields.length).toBeGreaterThan(0);
    for (const [field, key] of fields) {
      expect(FIELDS_WITH_ERRORS.has(field), `error for unknown field ${JSON.stringify(field)}`).toBe(true);
      expect(hasMessage(key), `no message for ${key}`).toBe(true);
    }
    return undefined;
  }
  expectValidInput(input);
  // What was accepted is accepted again, unchanged, when sent back through its own form.
  expect(parseCampaignForm(campaignFormFields(input))).toEqual(input);
  return input;
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary, mostly hostile, form bodies
// ---------------------------------------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const awkwardPiece = fc.constantFrom(
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\u00a0',
  '#',
  '-',
  '_',
  ',',
  ' ',
  '<',
  '"',
  'en',
  'ru',
  'a',
  'Я',
  '1',
  '٣',
);
const anyString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.oneof(awkwardPiece, loneSurrogate, fc.string({ unit: 'grapheme-ascii', maxLength: 1 })) }),
  fc.constantFrom('', ' ', 'en', 'ru', 'EN', '1', '0', '-1', '1e3', '1,000', '2020-02-30', '2020-02-29', '2021-02-29', 'campaign-slug', '#Tag'),
  fc.nat({ max: 60_000 }).map((n) => 'x'.repeat(n)),
);
const anyValue = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 2, arbitrary: fc.array(anyString, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.object() },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 0, 1, true, false, Number.NaN) },
);
const anyKey = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: fc.string() });

// ---------------------------------------------------------------------------------------------------------------
// Valid campaigns, in their normal form (what parseCampaignForm returns)
// ---------------------------------------------------------------------------------------------------------------

const SLUG_CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const slugArb = fc
  .array(fc.string({ unit: fc.constantFrom(...SLUG_CHARS), minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join('-'))
  .filter((slug) => slug.length >= 3 && slug.length <= 80);
const HASHTAG_CHARS = [...'abcXYZ019_', 'é', 'ß', 'Я', 'ж', 'ع', '中', '٣', 'Ⅻ', '𝒜'];
const hashtagArb = fc
  .array(fc.constantFrom(...HASHTAG_CHARS), { minLength: 1, maxLength: 100 })
  .map((chars) => chars.join(''))
  .filter((tag) => HASHTAG_PATTERN.test(tag));
const dateArb = fc
  .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

/** Normal-form text: well-formed, no control characters (but \t and \n where multi-line), no CR, trimmed, within `max`. */
function textArb(options: { max: number; multiline: boolean; required: boolean }) {
  const unit = fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom(' ', '\n', '\t', '\u00a0', '<', '>', '&', '"', "'", '*', '#') },
  );
  const control = options.multiline ? CONTROL_MULTILINE : CONTROL_SINGLE_LINE;
  return (
    fc
      .string({ unit, maxLength: Math.min(options.max, 300) })
      // A CR is not a control character in multi-line text, but in normal form every line break is a lone LF.
      .map((s) => s.replace(control, '').replace(/\r/g, '').trim())
      .filter((s) => s.length <= options.max && (!options.required || s !== ''))
  );
}

function localeTextArb(required: boolean) {
  return fc.record({
    title: textArb({ max: 200, multiline: false, required }),
    summary: textArb({ max: 500, multiline: true, required: false }),
    storyMd: textArb({ max: 50_000, multiline: true, required }),
    counterLabel: textArb({ max: 100, multiline: false, required: false }),
  });
}

const validInputArb: fc.Arbitrary<CampaignInput> = fc.subarray([...LOCALES], { minLength: 1 }).chain((locales) =>
  fc.record({
    slug: slugArb,
    hashtag: hashtagArb,
    goal: fc.integer({ min: 1, max: 1_000_000_000 }),
    startDate: dateArb,
    startDateApproximate: fc.boolean(),
    locales: fc.constant(locales as Locale[]),
    featured: fc.boolean(),
    // A language not published keeps its text only when some of it is written.
    texts: fc
      .record(
        Object.fromEntries(
          LOCALES.map((locale) => [
            locale,
            locales.includes(locale)
              ? localeTextArb(true)
              : fc.option(
                  localeTextArb(false).filter((t) => Object.values(t).some((v) => v !== '')),
                  { nil: undefined },
                ),
          ]),
        ) as Record<Locale, fc.Arbitrary<CampaignText | undefined>>,
      )
      .map((texts) => Object.fromEntries(Object.entries(texts).filter(([, t]) => t !== undefined)) as Partial<Record<Locale, CampaignText>>),
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// The documented normalisation, run backwards: ways to type the same campaign
// ---------------------------------------------------------------------------------------------------------------

/** Whitespace String.prototype.trim removes (line breaks included: the value is trimmed before it is checked). */
const padding = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\ufeff', '\u2028'), maxLength: 3 });
const pad = (value: string) => fc.tuple(padding, padding).map(([before, after]) => `${before}${value}${after}`);

/** A multi-line value as a browser may send it: CRLF (what browsers do send) or lone CR line breaks. */
const lineBreaks = (value: string) => fc.constantFrom('\n', '\r\n', '\r').chain((br) => pad(value.replace(/\n/g, br)));

function variantForm(input: CampaignInput): fc.Arbitrary<Record<string, string | string[] | undefined>> {
  const goalTexts = [
    String(input.goal),
    input.goal.toLocaleString('en-US'),
    input.goal.toLocaleString('en-US').replace(/,/g, '_'),
    input.goal.toLocaleString('en-US').replace(/,/g, ' '),
  ];
  const texts: Record<string, fc.Arbitrary<string>> = {};
  for (const [locale, text] of Object.entries(input.texts)) {
    texts[`title_${locale}`] = pad(text.title);
    texts[`summary_${locale}`] = lineBreaks(text.summary);
    texts[`story_${locale}`] = lineBreaks(text.storyMd);
    texts[`counter_label_${locale}`] = pad(text.counterLabel);
  }
  return fc.record({
    slug: fc
      .array(fc.boolean(), { minLength: input.slug.length, maxLength: input.slug.length })
      .map((upper) => [...input.slug].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''))
      .chain(pad),
    hashtag: fc.constantFrom(input.hashtag, `#${input.hashtag}`).chain(pad),
    goal: fc
      .constantFrom(...goalTexts)
      .filter((g) => g.length <= 13)
      .chain(pad),
    start_date: pad(input.startDate),
    start_date_approximate: input.startDateApproximate ? fc.constantFrom('1', 'on', 'yes', ' ') : fc.constantFrom(undefined, ''),
    featured: input.featured ? fc.constantFrom('1', 'on', 'true') : fc.constantFrom(undefined, ''),
    // Any order, repeats allowed: the stored order is always LOCALES order.
    locales: fc
      .shuffledSubarray([...input.locales, ...input.locales], { minLength: input.locales.length })
      .filter((chosen) => input.locales.every((l) => chosen.includes(l))),
    ...texts,
  });
}

describe('parseCampaignForm (properties)', () => {
  it('never throws anything but a validation error naming real fields, for any record of any values', () => {
    fc.assert(
      fc.property(fc.dictionary(anyKey, anyValue, { maxKeys: 20 }), (body) => {
        parseChecked(body);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything else either when a valid form has a few fields replaced by anything', () => {
    fc.assert(
      fc.property(validInputArb, fc.dictionary(fc.constantFrom(...FIELD_NAMES), anyValue, { minKeys: 1, maxKeys: 4 }), (input, overrides) => {
        const body = { ...campaignFormFields(input), ...overrides };
        const result = parseChecked(body);
        // Only a replaced field can be in error (or a text newly required by a replaced `locales`).
        if (result === undefined) {
          try {
            parseCampaignForm(body);
          } catch (error) {
            for (const field of Object.keys((error as AppError).fields ?? {})) {
              const newlyRequired = 'locales' in overrides && /^(title|story)_/.test(field);
              expect(field in overrides || newlyRequired, `${field} in error, but only ${Object.keys(overrides).join(', ')} changed`).toBe(true);
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does not care what the body is: non-records read as an empty form', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        parseChecked(asFormBody(body));
      }),
    );
  });

  it('round-trips every valid campaign through its own form', () => {
    fc.assert(
      fc.property(validInputArb, (input) => {
        expect(parseCampaignForm(campaignFormFields(input))).toEqual(input);
      }),
      { numRuns: 500 },
    );
  });

  it('reads the same campaign however it is typed: case, #, padding, CRLF, digit separators, locale order', () => {
    fc.assert(
      fc.property(
        validInputArb.chain((input) => fc.tuple(fc.constant(input), variantForm(input))),
        ([input, form]) => {
          expect(parseCampaignForm(form)).toEqual(input);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('draws the length limits after normalisation, at exactly the documented sizes', () => {
    const base = campaignFormFields({
      slug: 'abc',
      hashtag: 'Tag',
      goal: 1,
      startDate: '2020-01-01',
      startDateApproximate: false,
      locales: ['en'],
      featured: false,
      texts: { en: { title: 'T', summary: '', storyMd: 'S', counterLabel: '' } },
    });
    const accepts = (field: string, value: string) => {
      try {
        parseCampaignForm({ ...base, [field]: value });
        return true;
      } catch (error) {
        expect((error as AppError).fields?.[field]).toBeDefined();
        return false;
      }
    };
    const limits: [string, number, string][] = [
      ['slug', 80, 'a'],
      ['hashtag', 100, 'a'],
      ['title_en', 200, 'a'],
      ['summary_en', 500, 'a'],
      ['story_en', 50_000, 'a'],
      ['counter_label_en', 100, 'a'],
    ];
    for (const [field, max, char] of limits) {
      expect(accepts(field, char.repeat(max)), `${field} at ${max}`).toBe(true);
      expect(accepts(field, char.repeat(max + 1)), `${field} at ${max + 1}`).toBe(false);
      expect(accepts(field, `  ${char.repeat(max)}\n`), `${field} padded`).toBe(true);
    }
    // CRLF counts as one character, as it is stored.
    expect(accepts('story_en', 'a\r\n'.repeat(25_000).trim())).toBe(true);
    expect(accepts('hashtag', `#${'a'.repeat(100)}`)).toBe(true);
    expect(accepts('goal', '1,000,000,000')).toBe(true);
    expect(accepts('goal', '1,000,000,001')).toBe(false);
    expect(accepts('goal', '0')).toBe(false);
  });
});
