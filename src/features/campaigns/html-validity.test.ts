/**
 * Every page Outcry renders is valid HTML: checked with html-validate's recommended rules on both dialects, for
 * the public pages (campaign in English and Russian, home, 404, Mastodon share) and the organisers' pages (login,
 * dashboard, campaign form empty, with errors and for an existing campaign, audit log).
 */
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { campaignFormFields, campaignInput, loggedIn, makeCampaign } from '../../../test/helpers/factories.ts';
import { loadDemo } from '../demo/load.ts';
import { FEATURES } from '../index.ts';
import { findCampaignBySlug } from './queries.ts';
import { expectValidHtml } from '../../../test/helpers/html.ts';

/** The demo campaign is loaded once per dialect; loadDemo is idempotent. */
async function withDemo(ctx: TestContext): Promise<number> {
  await loadDemo(ctx.database, { dataDir: ctx.dataDir, features: FEATURES });
  const demo = await findCampaignBySlug(ctx.db, 'eyes-on-chechnya');
  if (!demo) throw new Error('the demo campaign did not load');
  return demo.id;
}

describeEachDialect('HTML validity', (ctx) => {
  // Runs first, while the database is still empty.
  it('home page with no campaigns yet', async () => {
    const response = await new Browser(ctx().app).get('/', { 'accept-language': 'en' });
    expect(response.body).toContain('No campaigns have been published yet.');
    await expectValidHtml('home (empty)', response);
  });

  it('home page listing campaigns when none is featured', async () => {
    await makeCampaign(ctx().db, { status: 'published' });
    await makeCampaign(ctx().db, {
      status: 'published',
      input: { locales: ['ru'], texts: { ru: { title: 'Только по-русски', summary: 'Кратко.', storyMd: 'История.', counterLabel: '' } } },
    });
    const response = await new Browser(ctx().app).get('/', { 'accept-language': 'en' });
    expect(response.body).toContain('class="campaign-list"');
    await expectValidHtml('home (list)', response);
  });

  it('campaign page in English', async () => {
    await withDemo(ctx());
    const response = await new Browser(ctx().app).get('/c/eyes-on-chechnya', { 'accept-language': 'en' });
    expect(response.body).toContain('#EyesOnChechnya');
    await expectValidHtml('campaign (en)', response);
  });

  it('campaign page in Russian', async () => {
    await withDemo(ctx());
    const response = await new Browser(ctx().app).get('/c/eyes-on-chechnya?lang=ru');
    expect(response.body).toContain('<html lang="ru"');
    await expectValidHtml('campaign (ru)', response);
  });

  it('campaign page in Russian for a campaign with no Russian text', async () => {
    const { input } = await makeCampaign(ctx().db, { status: 'published' });
    const response = await new Browser(ctx().app).get(`/c/${input.slug}?lang=ru`);
    expect(response.body).toContain('<div lang="en">');
    await expectValidHtml('campaign (ru, untranslated)', response);
  });

  it('home page showing the featured campaign', async () => {
    await withDemo(ctx());
    const response = await new Browser(ctx().app).get('/', { 'accept-language': 'en' });
    expect(response.body).toContain('#EyesOnChechnya');
    await expectValidHtml('home (featured)', response);
  });

  it('404 page', async () => {
    await expectValidHtml('404', await new Browser(ctx().app).get('/c/no-such-campaign', { 'accept-language': 'en' }), 404);
  });

  it('Mastodon share page, and its re-ask after a bad server name', async () => {
    const text = encodeURIComponent('#EyesOnChechnya http://outcry.test/c/eyes-on-chechnya');
    await expectValidHtml('mastodon share', await new Browser(ctx().app).get(`/share/mastodon?text=${text}`));
    await expectValidHtml('mastodon share (ready)', await new Browser(ctx().app).get(`/share/mastodon?text=${text}&instance=mastodon.social`));
    await expectValidHtml('mastodon share (bad server)', await new Browser(ctx().app).get(`/share/mastodon?text=${text}&instance=not%20a%20host`), 400);
  });

  it('login page, and after a failed login', async () => {
    const browser = new Browser(ctx().app);
    await expectValidHtml('login', await browser.get('/admin/login?next=%2Fadmin%2Faudit'));
    await expectValidHtml('login (missing fields)', await browser.post('/admin/login', { email: '', password: '' }), 400);
    await expectValidHtml('login (wrong password)', await browser.post('/admin/login', { email: 'nobody@example.org', password: 'wrong' }), 401);
  });

  it('admin dashboard, with a flash message', async () => {
    await withDemo(ctx());
    await makeCampaign(ctx().db, { status: 'archived' });
    await makeCampaign(ctx().db);
    const { browser } = await loggedIn(ctx().app, ctx().db);
    const response = await browser.get('/admin?done=published');
    expect(response.body).toContain('End the purge in Chechnya');
    await expectValidHtml('dashboard', response);
  });

  it('admin dashboard for a read-only moderator', async () => {
    await withDemo(ctx());
    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    await expectValidHtml('dashboard (moderator)', await browser.get('/admin'));
  });

  it('new-campaign form', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db);
    await expectValidHtml('new campaign', await browser.get('/admin/campaigns/new'));
  });

  it('new-campaign form re-rendered with errors', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db);
    const fields = campaignFormFields(campaignInput());
    const response = await browser.post('/admin/campaigns', { ...fields, slug: 'Not A Slug!', goal: 'lots', title_en: '', locales: undefined });
    expect(response.body).toContain('class="error-summary"');
    await expectValidHtml('new campaign (errors)', response, 400);
  });

  it('edit form of an existing campaign, and its preview', async () => {
    const id = await withDemo(ctx());
    const { browser } = await loggedIn(ctx().app, ctx().db);
    await expectValidHtml('edit campaign', await browser.get(`/admin/campaigns/${id}?done=saved`));
    const { id: draftId } = await makeCampaign(ctx().db);
    await expectValidHtml('preview', await browser.get(`/admin/campaigns/${draftId}/preview`));
  });

  it('audit log page', async () => {
    await withDemo(ctx());
    const { browser } = await loggedIn(ctx().app, ctx().db);
    const response = await browser.get('/admin/audit');
    expect(response.body).toContain('<pre class="changes">');
    await expectValidHtml('audit log', response);
  });
});
