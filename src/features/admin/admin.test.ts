import { expect, it, vi } from 'vitest';
import { describeEachDialect, startTestApp } from '../../../test/helpers/app.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { campaignFormFields, campaignInput, loggedIn, makeCampaign, makeUser } from '../../../test/helpers/factories.ts';
import { findCampaignBySlug } from '../campaigns/queries.ts';
import { listAuditEntries } from '../audit/queries.ts';
import { SESSION_COOKIE } from '../../web/session.ts';
import { addOrResetUser, disableUser, enableUser, listUsers } from '../users/service.ts';

describeEachDialect('organisers: login and sessions', (ctx) => {
  it('sends a visitor without a session to the login page, and back after logging in', async () => {
    const browser = new Browser(ctx().app);
    const redirect = await browser.get('/admin/campaigns/new');
    expect(redirect.statusCode).toBe(303);
    expect(redirect.headers.location).toBe('/admin/login?next=%2Fadmin%2Fcampaigns%2Fnew');
    const user = await makeUser(ctx().db, 'editor');
    const login = await browser.post('/admin/login', { email: user.email.toUpperCase(), password: user.password, next: '/admin/campaigns/new' });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/admin/campaigns/new');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`${SESSION_COOKIE}=[A-Za-z0-9_-]{43}`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const form = await browser.get('/admin/campaigns/new');
    expect(form.statusCode).toBe(200);
    expect(form.headers['cache-control']).toBe('no-store');
  });

  it('refuses a wrong password with the same message as an unknown account, and never redirects off-site', async () => {
    const user = await makeUser(ctx().db);
    const wrong = await new Browser(ctx().app).post('/admin/login', { email: user.email, password: 'not the password' });
    const unknown = await new Browser(ctx().app).post('/admin/login', { email: 'nobody@example.org', password: 'whatever' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toContain('The email address or password is not right.');
    expect(unknown.body).toContain('The email address or password is not right.');
    const offsite = await new Browser(ctx().app).post('/admin/login', { email: user.email, password: user.password, next: '//evil.example/admin' });
    expect(offsite.headers.location).toBe('/admin');
  });

  it('rate-limits login attempts per account from each client, without locking the organiser out elsewhere', async () => {
    const user = await makeUser(ctx().db);
    const attacker = new Browser(ctx().app);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await attacker.post('/admin/login', { email: user.email, password: `guess ${i}` })).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Even the right password waits at that address until the bucket refills…
    const blocked = await attacker.post('/admin/login', { email: user.email, password: user.password });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    // …but the organiser, at their own address, logs in.
    expect((await new Browser(ctx().app).post('/admin/login', { email: user.email, password: user.password })).statusCode).toBe(303);
  });

  it('holds a distributed guesser at a per-account ceiling, which does not hold an address the organiser used before', async () => {
    const { browser: organiser, user } = await loggedIn(ctx().app, ctx().db);
    // Time stands still, so no bucket refills while the guessers spend the ceiling.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      let refused = 0;
      for (let client = 0; client < 12 && refused === 0; client += 1) {
        const guesser = new Browser(ctx().app);
        for (let i = 0; i < 10; i += 1) {
          const status = (await guesser.post('/admin/login', { email: user.email, password: `guess ${client}.${i}` })).statusCode;
          if (status === 429) refused += 1;
          else expect(status).toBe(401);
        }
      }
      expect(refused).toBeGreaterThan(0);
      expect((await new Browser(ctx().app).post('/admin/login', { email: user.email, password: user.password })).statusCode).toBe(429);
      expect((await organiser.post('/admin/login', { email: user.email, password: user.password })).statusCode).toBe(303);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends the session on logout', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db);
    expect((await browser.get('/admin')).statusCode).toBe(200);
    const token = browser.cookies.get(SESSION_COOKIE)!;
    expect((await browser.post('/admin/logout', {})).statusCode).toBe(303);
    const replay = new Browser(ctx().app);
    replay.cookies.set(SESSION_COOKIE, token);
    expect((await replay.get('/admin')).statusCode).toBe(303);
  });

  const sessionsOf = async (userId: number) => ctx().db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute();

  it('ends the session a browser held when it logs in again, but not those of other devices', async () => {
    const { browser: laptop, user } = await loggedIn(ctx().app, ctx().db);
    const phone = new Browser(ctx().app);
    expect((await phone.post('/admin/login', { email: user.email, password: user.password })).statusCode).toBe(303);
    const before = laptop.cookies.get(SESSION_COOKIE)!;
    expect(await sessionsOf(user.id)).toHaveLength(2);

    expect((await laptop.post('/admin/login', { email: user.email, password: user.password })).statusCode).toBe(303);
    expect(laptop.cookies.get(SESSION_COOKIE)).not.toBe(before);
    expect(await sessionsOf(user.id)).toHaveLength(2);
    const replay = new Browser(ctx().app);
    replay.cookies.set(SESSION_COOKIE, before);
    expect((await replay.get('/admin')).statusCode).toBe(303);
    expect((await laptop.get('/admin')).statusCode).toBe(200);
    expect((await phone.get('/admin')).statusCode).toBe(200);
  });

  it('resetting a password ends every session of the account, and leaves a disabled account disabled', async () => {
    const { browser, user } = await loggedIn(ctx().app, ctx().db);
    const reset = await addOrResetUser(ctx().db, { email: user.email, password: 'a brand new passphrase', role: 'editor' });
    expect(reset).toEqual({ id: user.id, created: false, disabled: false, sessionsEnded: 1 });
    expect((await browser.get('/admin')).statusCode).toBe(303);
    expect(await sessionsOf(user.id)).toHaveLength(0);

    await disableUser(ctx().db, { email: user.email });
    const again = await addOrResetUser(ctx().db, { email: user.email, password: 'yet another passphrase', role: 'editor' });
    expect(again.disabled).toBe(true);
    expect((await new Browser(ctx().app).post('/admin/login', { email: user.email, password: 'yet another passphrase' })).statusCode).toBe(401);
    expect(await enableUser(ctx().db, { email: user.email })).toEqual({ id: user.id, wasDisabled: true });
    expect((await new Browser(ctx().app).post('/admin/login', { email: user.email, password: 'yet another passphrase' })).statusCode).toBe(303);
  });

  it('disabling an account ends its sessions at once and refuses its logins, in the audit log', async () => {
    const { browser, user } = await loggedIn(ctx().app, ctx().db);
    const other = await loggedIn(ctx().app, ctx().db);
    expect(await disableUser(ctx().db, { email: user.email.toUpperCase() })).toEqual({ id: user.id, wasDisabled: false, sessionsEnded: 1 });
    expect(await sessionsOf(user.id)).toHaveLength(0);
    expect((await browser.get('/admin')).statusCode).toBe(303);
    expect((await new Browser(ctx().app).post('/admin/login', { email: user.email, password: user.password })).statusCode).toBe(401);
    expect((await other.browser.get('/admin')).statusCode).toBe(200);
    const audit = (await listAuditEntries(ctx().db, { limit: 500 })).filter((e) => e.entityType === 'user' && e.entityId === String(user.id));
    expect(audit[0]).toMatchObject({ action: 'user.disable', changes: { disabled: [false, true], sessions: [1, 0] } });
    await expect(disableUser(ctx().db, { email: 'nobody@example.org' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses to disable the only active owner, who alone can manage the site', async () => {
    const fresh = await startTestApp(ctx().dialect);
    try {
      const owner = await makeUser(fresh.db, 'owner');
      await expect(disableUser(fresh.db, { email: owner.email })).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('only active owner'),
      });
      expect((await listUsers(fresh.db))[0]!.disabledAt).toBeNull();
      const second = await makeUser(fresh.db, 'owner');
      expect((await disableUser(fresh.db, { email: owner.email })).wasDisabled).toBe(false);
      await expect(disableUser(fresh.db, { email: second.email })).rejects.toMatchObject({ code: 'validation_failed' });
    } finally {
      await fresh.close();
    }
  });

  it('lists accounts with their role, state and last login, and never a password hash', async () => {
    const { user } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const never = await makeUser(ctx().db, 'editor');
    await disableUser(ctx().db, { email: never.email });
    const listed = await listUsers(ctx().db);
    const mine = listed.find((u) => u.id === user.id)!;
    expect(mine).toMatchObject({ email: user.email, role: 'moderator', disabledAt: null });
    expect(Number.isNaN(Date.parse(mine.lastLoginAt ?? ''))).toBe(false);
    expect(listed.find((u) => u.id === never.id)).toMatchObject({ role: 'editor', lastLoginAt: null, disabledAt: expect.any(String) });
    expect(JSON.stringify(listed)).not.toContain('argon2');
  });

  it('refuses a form without a valid CSRF token and changes nothing', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db);
    const input = campaignInput();
    const missing = await browser.post('/admin/campaigns', campaignFormFields(input), { csrf: false });
    expect(missing.statusCode).toBe(403);
    const forged = await browser.post('/admin/campaigns', { ...campaignFormFields(input), _csrf: 'forged' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(await findCampaignBySlug(ctx().db, input.slug)).toBeUndefined();
  });
});

describeEachDialect('organisers: campaigns', (ctx) => {
  it('creates, edits, publishes and archives a campaign, recording each change in the audit log', async () => {
    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'editor');
    const input = campaignInput({
      locales: ['en', 'ru'],
      texts: {
        en: { title: 'Free them', summary: 'Now.', storyMd: '# Heading\n\nText', counterLabel: 'since the arrests' },
        ru: { title: 'Освободите их', summary: 'Сейчас.', storyMd: 'Текст', counterLabel: 'с арестов' },
      },
    });
    const created = await browser.post('/admin/campaigns', { ...campaignFormFields(input), hashtag: `#${input.hashtag}` });
    expect(created.statusCode).toBe(303);
    const id = Number(/\/admin\/campaigns\/(\d+)\?done=created/.exec(String(created.headers.location))?.[1]);
    expect(id).toBeGreaterThan(0);

    const stored = await findCampaignBySlug(ctx().db, input.slug);
    expect(stored).toMatchObject({ status: 'draft', hashtag: input.hashtag, locales: ['en', 'ru'] });
    expect(stored?.texts.ru?.title).toBe('Освободите их');
    expect((await new Browser(ctx().app).get(`/c/${input.slug}`)).statusCode).toBe(404);

    const edited = await browser.post(`/admin/campaigns/${id}`, { ...campaignFormFields(input), goal: '7,500', title_en: 'Free them all' });
    expect(edited.statusCode).toBe(303);
    const page = await browser.get(`/admin/campaigns/${id}?done=saved`);
    expect(page.body).toContain('Saved.');
    expect(page.body).toContain('value="Free them all"');

    expect((await browser.post(`/admin/campaigns/${id}/status`, { status: 'published' })).statusCode).toBe(303);
    const published = await new Browser(ctx().app).get(`/c/${input.slug}`);
    expect(published.statusCode).toBe(200);
    expect(published.body).toContain('Free them all');
    expect(published.body).toContain('Our goal: 7,500 supporters');
    expect(published.body).toContain('<h2>Heading</h2>');

    expect((await browser.post(`/admin/campaigns/${id}/status`, { status: 'archived' })).statusCode).toBe(303);
    expect((await new Browser(ctx().app).get(`/c/${input.slug}`)).body).toContain('This campaign has been archived');

    const audit = (await listAuditEntries(ctx().db, { limit: 50 })).filter((e) => e.entityType === 'campaign' && e.entityId === String(id));
    expect(audit.map((e) => e.action)).toEqual(['campaign.archive', 'campaign.publish', 'campaign.update', 'campaign.create']);
    expect(audit.every((e) => e.userEmail === user.email)).toBe(true);
    expect(audit[2]!.changes).toEqual({ goal: [input.goal, 7500], title_en: ['Free them', 'Free them all'] });
    const auditPage = await browser.get('/admin/audit');
    expect(auditPage.body).toContain('campaign.publish');
    expect(auditPage.body).toContain('title_en: Free them → Free them all');
  });

  it('re-renders the form with field errors and the typed values, storing nothing', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db);
    const input = campaignInput();
    const response = await browser.post('/admin/campaigns', { ...campaignFormFields(input), goal: 'lots', start_date: '2021-02-30', title_en: '' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('error-summary');
    expect(response.body).toContain('Enter a whole number from 1 to 1,000,000,000.');
    expect(response.body).toContain('Enter a real date as YYYY-MM-DD');
    expect(response.body).toContain(`value="${input.slug}"`);
    expect(response.body).toContain('aria-invalid="true"');
    expect(await findCampaignBySlug(ctx().db, input.slug)).toBeUndefined();
  });

  it('refuses a slug another campaign already uses', async () => {
    const existing = await makeCampaign(ctx().db);
    const { browser } = await loggedIn(ctx().app, ctx().db);
    const response = await browser.post('/admin/campaigns', campaignFormFields(campaignInput({ slug: existing.input.slug })));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Another campaign already uses this address.');
  });

  it('keeps only one campaign featured', async () => {
    const first = await makeCampaign(ctx().db, { status: 'published', input: { featured: true } });
    const { browser } = await loggedIn(ctx().app, ctx().db);
    const second = campaignInput({ featured: true });
    expect((await browser.post('/admin/campaigns', campaignFormFields(second))).statusCode).toBe(303);
    expect((await findCampaignBySlug(ctx().db, first.input.slug))?.featured).toBe(false);
    expect((await findCampaignBySlug(ctx().db, second.slug))?.featured).toBe(true);
  });

  it('lets a moderator look but not change anything', async () => {
    const campaign = await makeCampaign(ctx().db);
    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const dashboard = await browser.get('/admin');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Your role can view campaigns but not change them.');
    expect((await browser.get(`/admin/campaigns/${campaign.id}`)).body).toContain('<fieldset disabled');
    expect((await browser.get('/admin/campaigns/new')).statusCode).toBe(403);
    expect((await browser.post(`/admin/campaigns/${campaign.id}/status`, { status: 'published' })).statusCode).toBe(403);
    expect((await browser.post(`/admin/campaigns/${campaign.id}`, campaignFormFields(campaign.input))).statusCode).toBe(403);
    expect((await browser.get('/admin/audit')).statusCode).toBe(403);
  });

  it('previews a draft for organisers only', async () => {
    const draft = await makeCampaign(ctx().db);
    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const preview = await browser.get(`/admin/campaigns/${draft.id}/preview`);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain(draft.input.texts.en!.title);
    expect((await new Browser(ctx().app).get(`/admin/campaigns/${draft.id}/preview`)).statusCode).toBe(303);
  });
});
