/**
 * Leak checks. The security model says logs never hold IP addresses, email addresses, names, request bodies,
 * query strings or tokens, and the database never holds a session token in the clear. Unique markers are planted
 * through every door a person's data comes in by (forms, query strings, headers, cookies, broken bodies, every
 * kind of refusal), then the captured log lines and the database are searched for them.
 *
 * Pages may show data to the person it belongs to (the login page shows the email typed, the audit page the
 * organiser's email): these checks are about logs and storage, not pages.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, scrubMessage, serializeError } from '../src/log.ts';
import { CSRF_COOKIE, CSRF_FIELD } from '../src/web/csrf.ts';
import { SESSION_COOKIE } from '../src/web/session.ts';
import { availableDialects, describeEachDialect, startTestApp, type TestContext } from './helpers/app.ts';
import { dumpStorage } from './helpers/database-dump.ts';
import { campaignFormFields, campaignInput, makeUser } from './helpers/factories.ts';
import { Browser } from './helpers/http.ts';

/** Fields a log line may have at all (src/log.ts); `err` is itself an object of type, code, message and stack. */
const LOG_FIELDS = new Set([
  'level',
  'time',
  'msg',
  'reqId',
  'method',
  'route',
  'status',
  'ms',
  'err',
  'event',
  'count',
  'dialect',
  'migration',
  'job',
  'port',
  'role',
  'version',
  'durationMs',
]);
const IP_ADDRESSES = ['203.0.113.77', '198.51.100.23', '2001:db8::77', '2001:db8:0:0:0:0:0:77'];
const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const IPV4_PATTERN = /\b\d{1,3}(?:\.\d{1,3}){3}\b/;

class Markers {
  readonly all: string[] = [];
  /** A unique marker; `style` fits it to a field's pattern (slug: lower-case and hyphens; tag: letters, digits, _). */
  make(label: string, style: 'text' | 'slug' | 'tag' = 'text'): string {
    const hex = randomBytes(6).toString('hex');
    const value = style === 'slug' ? `marker-${label}-${hex}` : style === 'tag' ? `MARKER_${label}_${hex}` : `MARKER-${label}-${hex}`;
    this.all.push(value);
    return value;
  }
  email(label: string): string {
    const value = `marker.${label}.${randomBytes(6).toString('hex')}@example.org`;
    this.all.push(value);
    return value;
  }
  /** Something planted that is not marker-shaped (a real password, a session token). */
  add(value: string): string {
    this.all.push(value);
    return value;
  }
}

/** Every way `text` could show up: as is, any case, percent-encoded, or its random part alone. */
function traces(text: string): string[] {
  const forms = [text, encodeURIComponent(text), new URLSearchParams({ x: text }).toString().slice(2)];
  const random = /[0-9a-f]{12}/.exec(text)?.[0];
  if (random) forms.push(random);
  return forms.map((form) => form.toLowerCase());
}

function leaksIn(haystack: string, planted: readonly string[]): string[] {
  const lower = haystack.toLowerCase();
  return planted.filter((value) => traces(value).some((form) => lower.includes(form)));
}

function parseLogLines(logs: readonly string[]): Record<string, unknown>[] {
  return logs
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** What every log line must look like, whatever was planted. */
function expectCleanLogs(logs: readonly string[], planted: readonly string[]): Record<string, unknown>[] {
  const text = logs.join('');
  const lines = parseLogLines(logs);
  expect(lines.length).toBeGreaterThan(0);
  expect(leaksIn(text, planted)).toEqual([]);
  for (const ip of IP_ADDRESSES) expect(text).not.toContain(ip);
  expect(text).not.toMatch(IPV4_PATTERN);
  expect(text).not.toMatch(EMAIL_PATTERN);
  expect(text).not.toContain('127.0.0.1');
  for (const line of lines) {
    for (const key of Object.keys(line)) expect(LOG_FIELDS.has(key), `log field ${key}`).toBe(true);
    if (line['route'] !== undefined) expect(String(line['route'])).toMatch(/^(\/[^?#\s]*|\(unmatched\))$/);
  }
  return lines;
}

function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
}

function formBody(fields: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

describeEachDialect('no personal data in logs or in the clear in the database', (ctx) => {
  const markers = new Markers();
  const statuses: number[] = [];
  let sessionToken = '';
  let successfulPassword = '';
  let failedEmail = '';
  let failedPassword = '';
  /** Planted in requests only: never meant to be stored anywhere. */
  const requestOnly: string[] = [];

  /** Headers a visitor controls, each carrying a fresh marker or a documentation IP address. */
  function hostileHeaders(extraCookies: Record<string, string> = {}): Record<string, string> {
    const only = (value: string) => {
      requestOnly.push(value);
      return value;
    };
    return {
      'x-forwarded-for': `${IP_ADDRESSES[0]}, ${IP_ADDRESSES[2]}`,
      'x-real-ip': IP_ADDRESSES[1]!,
      forwarded: `for=${IP_ADDRESSES[0]};proto=https`,
      'user-agent': only(markers.make('ua')),
      referer: `https://elsewhere.example/?q=${only(markers.make('referer'))}`,
      'accept-language': `${only(markers.make('al'))}, en;q=0.5`,
      authorization: `Bearer ${only(markers.make('auth'))}`,
      'x-request-id': only(markers.make('reqid')),
      cookie: cookieHeader({
        [SESSION_COOKIE]: only(markers.make('sessioncookie')),
        [CSRF_COOKIE]: only(markers.make('csrfcookie')),
        outcry_lang: only(markers.make('langcookie')),
        tracker: only(markers.make('cookie')),
        ...extraCookies,
      }),
    };
  }

  async function send(app: FastifyInstance, options: InjectOptions): Promise<LightMyRequestResponse> {
    const response = await app.inject(options);
    statuses.push(response.statusCode);
    return response;
  }

  it('plants markers through every door: forms, query strings, headers, cookies, broken bodies, refusals', async () => {
    const { app, db } = ctx();
    const q = () => {
      const value = markers.make('query');
      requestOnly.push(value);
      return value;
    };

    // Public pages, with data in query strings, paths and headers.
    expect((await send(app, { method: 'GET', url: `/?q=${q()}&lang=${q()}`, headers: hostileHeaders() })).statusCode).toBe(200);
    expect((await send(app, { method: 'GET', url: `/c/${markers.make('slug', 'slug')}?q=${q()}`, headers: hostileHeaders() })).statusCode).toBe(404);
    expect((await send(app, { method: 'GET', url: `/${q()}/${q()}?q=${q()}`, headers: hostileHeaders() })).statusCode).toBe(404);
    expect((await send(app, { method: 'GET', url: `/c/%ff${q()}?q=${q()}`, headers: hostileHeaders() })).statusCode).toBe(400);
    expect((await send(app, { method: 'GET', url: `/c/${'a'.repeat(200)}${q()}`, headers: hostileHeaders() })).statusCode).toBe(400);
    expect((await send(app, { method: 'GET', url: `/share/mastodon?instance=${q()}&text=${q()}`, headers: hostileHeaders() })).statusCode).toBe(400);
    expect((await send(app, { method: 'GET', url: `/share/mastodon?instance=mastodon.social&text=${q()}`, headers: hostileHeaders() })).statusCode).toBe(200);
    expect(
      (await send(app, { method: 'GET', url: `/admin/login?next=${encodeURIComponent(`/admin/${q()}`)}&lang=${q()}`, headers: hostileHeaders() })).statusCode,
    ).toBe(200);
    expect((await send(app, { method: 'GET', url: `/admin?done=${q()}&q=${q()}`, headers: hostileHeaders() })).statusCode).toBe(303);
    expect((await send(app, { method: 'GET', url: `/healthz?q=${q()}`, headers: hostileHeaders() })).statusCode).toBe(200);

    // A failed login: the email and password typed, and where to go next.
    const anonymous = new Browser(app);
    const csrfCookie = { [CSRF_COOKIE]: anonymous.cookies.get(CSRF_COOKIE)! };
    failedEmail = markers.email('failed');
    failedPassword = markers.make('wrongpassword');
    const failed = await send(app, {
      method: 'POST',
      url: `/admin/login?q=${q()}`,
      headers: { ...hostileHeaders(csrfCookie), 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ [CSRF_FIELD]: anonymous.csrfToken, email: failedEmail, password: failedPassword, next: `/admin/${q()}` }),
    });
    expect(failed.statusCode).toBe(401);
    // A refused one (no password): 400.
    const refused = await send(app, {
      method: 'POST',
      url: '/admin/login',
      headers: { ...hostileHeaders(csrfCookie), 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ [CSRF_FIELD]: anonymous.csrfToken, email: markers.email('refused'), password: '' }),
    });
    expect(refused.statusCode).toBe(400);

    // A successful login: its email and password, and the session token it hands out.
    const user = await makeUser(db);
    markers.add(user.email);
    successfulPassword = markers.add(user.password);
    const success = await send(app, {
      method: 'POST',
      url: '/admin/login',
      headers: { ...hostileHeaders(csrfCookie), 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ [CSRF_FIELD]: anonymous.csrfToken, email: user.email, password: user.password, next: '/admin' }),
    });
    expect(success.statusCode).toBe(303);
    sessionToken = markers.add((success.cookies as { name: string; value: string }[]).find((c) => c.name === SESSION_COOKIE)!.value);
    const organiser = { ...csrfCookie, [SESSION_COOKIE]: sessionToken };
    const asOrganiser = (extra: Record<string, string> = {}) => ({ ...hostileHeaders(organiser), ...extra });
    const csrf = anonymous.csrfToken;

    // Every campaign field, accepted (303) and refused (400).
    const input = campaignInput({
      slug: markers.make('slug', 'slug'),
      hashtag: markers.make('tag', 'tag'),
      goal: 918_273_645,
      startDate: '1987-06-05',
      locales: ['en', 'ru'],
      featured: true,
      startDateApproximate: true,
      texts: {
        en: { title: markers.make('title'), summary: markers.make('summary'), storyMd: markers.make('story'), counterLabel: markers.make('counter') },
        ru: { title: markers.make('titleru'), summary: markers.make('summaryru'), storyMd: markers.make('storyru'), counterLabel: markers.make('counterru') },
      },
    });
    // The goal and start date cannot carry a marker, but these values appear nowhere else.
    markers.add(String(input.goal));
    markers.add(input.startDate);
    const form = (fields: Record<string, string | string[] | undefined>) => formBody({ [CSRF_FIELD]: csrf, ...fields });
    const created = await send(app, {
      method: 'POST',
      url: `/admin/campaigns?q=${q()}`,
      headers: asOrganiser({ 'content-type': 'application/x-www-form-urlencoded' }),
      payload: form(campaignFormFields(input)),
    });
    expect(created.statusCode).toBe(303);
    const id = Number(/\/admin\/campaigns\/(\d+)/.exec(String(created.headers.location))![1]);
    const invalid = {
      ...campaignFormFields(input),
      slug: `${markers.make('BADSLUG')} !`,
      hashtag: `${markers.make('badtag')} #`,
      goal: markers.make('goal'),
      start_date: markers.make('date'),
      locales: markers.make('locale'),
      title_en: `${markers.make('ctl')}\u0000`,
    };
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/campaigns',
          headers: asOrganiser({ 'content-type': 'application/x-www-form-urlencoded' }),
          payload: form(invalid),
        })
      ).statusCode,
    ).toBe(400);
    const edited = { ...campaignFormFields(input), title_en: markers.make('edited'), story_en: markers.make('editedstory') };
    expect(
      (
        await send(app, {
          method: 'POST',
          url: `/admin/campaigns/${id}`,
          headers: asOrganiser({ 'content-type': 'application/x-www-form-urlencoded' }),
          payload: form(edited),
        })
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await send(app, {
          method: 'POST',
          url: `/admin/campaigns/${id}`,
          headers: asOrganiser({ 'content-type': 'application/x-www-form-urlencoded' }),
          payload: form(invalid),
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await send(app, {
          method: 'POST',
          url: `/admin/campaigns/${id}/status`,
          headers: asOrganiser({ 'content-type': 'application/x-www-form-urlencoded' }),
          payload: form({ status: markers.make('status') }),
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await send(app, {
          method: 'POST',
          url: `/admin/campaigns/${id}/status`,
          headers: asOrganiser({ 'content-type': 'application/x-www-form-urlencoded' }),
          payload: form({ status: 'published' }),
        })
      ).statusCode,
    ).toBe(303);
    expect((await send(app, { method: 'GET', url: `/admin/campaigns/${q()}`, headers: asOrganiser() })).statusCode).toBe(404);
    expect((await send(app, { method: 'GET', url: `/admin/campaigns/${id}?done=${q()}`, headers: asOrganiser() })).statusCode).toBe(200);
    expect((await send(app, { method: 'GET', url: `/admin/audit?before=${q()}`, headers: asOrganiser() })).statusCode).toBe(200);
    expect((await send(app, { method: 'GET', url: `/c/${input.slug}?lang=${q()}`, headers: hostileHeaders() })).statusCode).toBe(200);

    // Refusals of every kind, each carrying data.
    const fields = form(campaignFormFields(campaignInput({ slug: markers.make('slug', 'slug') })));
    // 403: no CSRF token (and a forged one).
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/campaigns',
          headers: asOrganiser({ 'content-type': 'application/x-www-form-urlencoded' }),
          payload: fields.replace(`${CSRF_FIELD}=${csrf}`, `${CSRF_FIELD}=${markers.make('forged')}`),
        })
      ).statusCode,
    ).toBe(403);
    // 401: no session.
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/campaigns',
          headers: { ...hostileHeaders(csrfCookie), 'content-type': 'application/x-www-form-urlencoded' },
          payload: fields,
        })
      ).statusCode,
    ).toBe(401);
    // 400: JSON that does not parse, with data in it.
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/login',
          headers: { ...hostileHeaders(csrfCookie), 'content-type': 'application/json' },
          payload: `{"email":"${markers.email('json')}","password":"${markers.make('jsonpw')}`,
        })
      ).statusCode,
    ).toBe(400);
    // 403: JSON that parses but carries no token.
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/login',
          headers: { ...hostileHeaders(csrfCookie), 'content-type': 'application/json', accept: 'application/json' },
          payload: JSON.stringify({ email: markers.email('json2'), password: markers.make('jsonpw2') }),
        })
      ).statusCode,
    ).toBe(403);
    // 413: too large, with data at both ends.
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/login',
          headers: { ...hostileHeaders(csrfCookie), 'content-type': 'application/x-www-form-urlencoded' },
          payload: `email=${encodeURIComponent(markers.email('big'))}&story=${'x'.repeat(1024 * 1024)}${markers.make('bigtail')}`,
        })
      ).statusCode,
    ).toBe(413);
    // 415: a type no route reads.
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/login',
          headers: { ...hostileHeaders(csrfCookie), 'content-type': 'text/plain' },
          payload: `email=${markers.email('plain')}`,
        })
      ).statusCode,
    ).toBe(415);
    expect(
      (
        await send(app, {
          method: 'POST',
          url: '/admin/campaigns',
          headers: asOrganiser({ 'content-type': 'application/xml' }),
          payload: `<campaign>${markers.make('xml')}</campaign>`,
        })
      ).statusCode,
    ).toBe(415);
    // A method no route has: a plain 404 (the CSRF check only guards routes that exist).
    expect((await send(app, { method: 'DELETE', url: `/c/${input.slug}?q=${q()}`, headers: asOrganiser() })).statusCode).toBe(404);

    const seen = new Set(statuses);
    for (const status of [200, 303, 400, 401, 403, 404, 413, 415]) expect(seen, `a ${status} was provoked`).toContain(status);
  });

  it('keeps every marker, email address, IP address and token out of the logs, which were live', () => {
    const lines = expectCleanLogs(ctx().logs, markers.all);
    // The pipeline was live: every refusal above left a line with its route pattern and status.
    const logged = new Set(lines.filter((line) => line['msg'] === 'request').map((line) => line['status']));
    for (const status of [400, 401, 403, 404, 413, 415]) expect(logged, `a ${status} line`).toContain(status);
    expect(lines.some((line) => line['route'] === '/admin/campaigns/:id/status' && line['status'] === 400)).toBe(true);
    expect(lines.some((line) => line['route'] === '(unmatched)' && line['status'] === 404)).toBe(true);
  });

  it('stores only the hash of a session token, no password, and nothing of refused requests', async () => {
    const { dialect } = ctx();
    const tokenHash = createHash('sha256').update(sessionToken).digest('hex');
    const { rows, files } = await dumpStorage(ctx());
    expect(rows).toContain(tokenHash);
    expect(leaksIn(rows, [sessionToken, successfulPassword, failedEmail, failedPassword, ...requestOnly])).toEqual([]);
    for (const ip of IP_ADDRESSES) expect(rows).not.toContain(ip);
    expect(rows).not.toMatch(IPV4_PATTERN);
    if (dialect === 'sqlite') {
      // The files themselves, WAL included: what a seized disk holds.
      const bytes = files!;
      expect(bytes.includes(tokenHash), 'the token hash is in the files (the search reads the right ones)').toBe(true);
      for (const secret of [sessionToken, successfulPassword, failedEmail, failedPassword, ...IP_ADDRESSES.slice(0, 2)]) {
        expect(bytes.includes(secret), `${secret.slice(0, 12)}… in the SQLite files`).toBe(false);
      }
    }
  });

  it('logs nothing of a logout with data-laden cookies either', async () => {
    const { app } = ctx();
    const response = await app.inject({
      method: 'POST',
      url: `/admin/logout?q=${markers.make('logout')}`,
      headers: { ...hostileHeaders(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `${CSRF_FIELD}=${markers.make('logoutcsrf')}`,
    });
    expect(response.statusCode).toBe(403);
    expectCleanLogs(ctx().logs, markers.all);
  });
});

for (const dialect of availableDialects()) {
  describe(`behind a trusted proxy, the client address reaches the app but not the logs [${dialect}]`, () => {
    let context: (TestContext & { close(): Promise<void> }) | undefined;
    beforeAll(async () => {
      context = await startTestApp(dialect, { TRUST_PROXY: '127.0.0.1' });
    });
    afterAll(async () => {
      await context?.close();
    });

    it('limits logins per forwarded address, and never logs the address', async () => {
      const { app, logs } = context!;
      const browser = new Browser(app);
      const login = (forwardedFor: string, n: number) =>
        app.inject({
          method: 'POST',
          url: '/admin/login',
          headers: {
            'x-forwarded-for': forwardedFor,
            'content-type': 'application/x-www-form-urlencoded',
            cookie: `${CSRF_COOKIE}=${browser.cookies.get(CSRF_COOKIE)}`,
          },
          payload: formBody({ [CSRF_FIELD]: browser.csrfToken, email: `nobody-${n}@example.org`, password: 'not the password at all' }),
        });
      // Ten tries per client, then a wait: the eleventh from 203.0.113.77 is refused...
      for (let n = 0; n < 10; n++) expect((await login(IP_ADDRESSES[0]!, n)).statusCode).toBe(401);
      expect((await login(IP_ADDRESSES[0]!, 10)).statusCode).toBe(429);
      // ...while another forwarded client, on the same connection from the proxy, is not: request.ip is the forwarded one.
      expect((await login(IP_ADDRESSES[1]!, 11)).statusCode).toBe(401);
      expect((await login(IP_ADDRESSES[2]!, 12)).statusCode).toBe(401);
      // Forwarded chains and addresses in other places.
      expect((await app.inject({ method: 'GET', url: '/no-such-page', headers: { 'x-forwarded-for': `${IP_ADDRESSES[1]}, 10.0.0.1` } })).statusCode).toBe(404);
      const lines = expectCleanLogs(logs, []);
      expect(lines.some((line) => line['status'] === 429)).toBe(true);
      expect(logs.join('')).not.toContain('10.0.0.1');
      expect(logs.join('')).not.toContain('nobody-');
    });
  });
}

describe('an unexpected error inside a route', () => {
  // The error path does not touch the database: one dialect is enough.
  let context: (TestContext & { close(): Promise<void> }) | undefined;
  const secret = `MARKER-boom-${randomBytes(6).toString('hex')}`;
  const email = `victim.${randomBytes(4).toString('hex')}@example.org`;
  const token = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    context = await startTestApp('sqlite');
    // buildApp returns an instance that is not ready yet, so test routes can still be added.
    context.app.get('/boom', async () => {
      throw new TypeError(`Cannot read "${secret}" for ${email} from ${IP_ADDRESSES[0]} with ${token}\n    at ${secret} (evil.js:1:1)`);
    });
    context.app.get('/boom-string', async () => {
      // Something that is not an Error at all.
      throw `${secret} ${email}`;
    });
    // A route without CSRF (as a JSON API would be) whose error quotes the request body.
    context.app.post('/boom-body', { config: { csrf: false } }, async (request) => {
      throw new RangeError(`bad body ${JSON.stringify(request.body)}`);
    });
  });
  afterAll(async () => {
    await context?.close();
  });

  it('becomes a plain 500 that leaks nothing, logged with its type but not its data', async () => {
    const { app, logs } = context!;
    for (const url of ['/boom', '/boom-string']) {
      const page = await app.inject({ method: 'GET', url: `${url}?q=${secret}`, headers: { 'user-agent': secret, 'x-forwarded-for': IP_ADDRESSES[0]! } });
      expect(page.statusCode).toBe(500);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('Something went wrong on our side.');
      expect(page.headers['content-security-policy']).toBeDefined();
      const json = await app.inject({ method: 'GET', url, headers: { accept: 'application/json' } });
      expect(json.statusCode).toBe(500);
      expect(json.json()).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side.' } });
      for (const body of [page.body, json.body]) {
        for (const leaked of [secret, email, token, IP_ADDRESSES[0]!, 'TypeError', 'evil.js', 'node_modules', 'at ']) expect(body).not.toContain(leaked);
      }
    }
    const bodyResponse = await app.inject({
      method: 'POST',
      url: '/boom-body',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email, note: secret }),
    });
    expect(bodyResponse.statusCode).toBe(500);
    expect(bodyResponse.body).not.toContain(secret);

    const lines = expectCleanLogs(logs, [secret, email, token]);
    const failures = lines.filter((line) => line['msg'] === 'request failed');
    const types = failures.map((line) => (line['err'] as { type: string }).type);
    expect(types).toEqual(['TypeError', 'TypeError', 'string', 'string', 'RangeError']);
    for (const line of failures) {
      expect(line['level']).toBe('error');
      expect(['/boom', '/boom-string', '/boom-body']).toContain(line['route']);
    }
    const err = failures[0]!['err'] as { message: string; stack: string };
    expect(err.message).toContain('Cannot read');
    expect(err.stack).toMatch(/^at /);
    expect(err.stack).not.toContain('evil.js');
    expect(lines.filter((line) => line['status'] === 500)).toHaveLength(5);
  });
});

describe('scrubMessage and serializeError', () => {
  it('removes quoted values, emails, IP addresses, URLs and tokens from messages', () => {
    const cases: [string, string[]][] = [
      ['No account for alice.smith+tag@example.org', ['alice', 'example.org']],
      ['connect ECONNREFUSED 203.0.113.77:5432', ['203.0.113.77']],
      ['connect ECONNREFUSED 2001:db8::77', ['2001:db8::77', 'db8']],
      ['request from fe80::1ff:fe23:4567:890a', ['fe80', '890a']],
      ['request from ::ffff:203.0.113.77', ['203.0.113.77']],
      ['invalid input syntax for type integer: "MARKER-double"', ['MARKER']],
      ['Unexpected token \'M\', "MARKER-json..." is not valid JSON', ['MARKER']],
      ["values `MARKER-backtick` and «MARKER-guillemets» and 'MARKER-single'", ['MARKER']],
      ['lookup failed (email=MARKER-paren)', ['MARKER']],
      ['session 9mQ2x_4Kd8sZ0b1Yt7Vn3Rp6Lw5Jh2Gf8Ce4Ua0Ts1Oq rejected', ['9mQ2x']],
      [`hash ${'ab'.repeat(32)} mismatch`, ['abab']],
      ['GET https://outcry.test/c/x?q=MARKER-url failed', ['MARKER', 'outcry.test']],
      ['cannot reach postgres://outcry:s3cret@db.internal:5432/outcry', ['s3cret', 'db.internal']],
      [`${'x'.repeat(500)} MARKER-after-500`, ['MARKER']],
    ];
    for (const [message, gone] of cases) {
      const scrubbed = scrubMessage(message);
      for (const fragment of gone) expect(scrubbed, message).not.toContain(fragment);
    }
    // What is not data stays readable.
    expect(scrubMessage('Cannot read properties of undefined (reading "x")')).toBe('Cannot read properties of undefined (reading "…")');
    expect(scrubMessage('UNIQUE constraint failed: campaigns.slug')).toBe('UNIQUE constraint failed: campaigns.slug');
    expect(scrubMessage('connect ECONNREFUSED 203.0.113.77:5432')).toBe('connect ECONNREFUSED [ip]:5432');
  });

  it('keeps the type, code and frames of an error, and none of the data in its message', () => {
    const error = Object.assign(new TypeError('Cannot use "MARKER-q" for bob@example.org\n    at frame-lookalike (x.js:1:1)'), { code: 'ERR_SOMETHING' });
    const serialized = serializeError(error);
    expect(serialized['type']).toBe('TypeError');
    expect(serialized['code']).toBe('ERR_SOMETHING');
    expect(String(serialized['message'])).toMatch(/^Cannot use "…" for \[email\]/);
    expect(JSON.stringify(serialized)).not.toMatch(/MARKER|bob@/);
    // The stack is frames only: a line of the message that looks like a frame is not one.
    expect(String(serialized['stack'])).toMatch(/^at /);
    expect(String(serialized['stack'])).not.toMatch(/frame-lookalike|x\.js|Cannot use/);
    // Frames are kept (at most 12) and name only code.
    expect(String(serialized['stack']).split('\n').length).toBeLessThanOrEqual(12);
    // Not an Error: only its type.
    expect(serializeError('MARKER-string bob@example.org')).toEqual({ type: 'string' });
    expect(serializeError({ message: 'MARKER-object' })).toEqual({ type: 'object' });
    // A cause is not followed.
    expect(JSON.stringify(serializeError(new Error('outer', { cause: new Error('MARKER-cause') })))).not.toContain('MARKER');
  });

  it('lets only the allowed fields through the logger, whatever a caller passes', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'trace',
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    });
    logger.info(
      {
        event: 'test',
        email: 'carol@example.org',
        ip: IP_ADDRESSES[0],
        body: { password: 'MARKER-pw' },
        url: '/x?q=MARKER-url',
        headers: { cookie: 'MARKER-cookie' },
        req: { url: '/MARKER' },
        user: 'MARKER-user',
      },
      'something',
    );
    logger.child({ reqId: 'req-1' }).warn({ err: new Error('with "MARKER-err"'), route: '/c/:slug', query: 'MARKER-query' }, 'failed');
    const text = lines.join('');
    expect(text).not.toMatch(/MARKER|carol|203\.0\.113/);
    const [first, second] = parseLogLines(lines);
    expect(Object.keys(first!).sort()).toEqual(['event', 'level', 'msg', 'time']);
    expect(Object.keys(second!).sort()).toEqual(['err', 'level', 'msg', 'reqId', 'route', 'time']);
  });
});
