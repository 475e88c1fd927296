/**
 * Endorsements end to end, on both databases: organisers add, edit, verify, feature and delete them (each change
 * audited); the public sees verified ones only, on the campaign page, their own page and the JSON feed; a public
 * suggestion waits hidden until verified, and rejecting it deletes it.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect, it } from 'vitest';
import { describeEachDialect, type TestContext } from '../../../test/helpers/app.ts';
import { loggedIn, makeCampaign, uniqueSuffix } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { issueFormStamp } from '../../web/form-stamp.ts';
import { listAuditEntries } from '../audit/index.ts';
import { DEMO_ENDORSEMENTS, addDemoEndorsements } from './demo.ts';
import { listEndorsementsOfCampaign } from './queries.ts';
import { createEndorsement } from './service.ts';
import { endorsementFields, endorsementInput, suggestionFields as suggestionFieldsFor } from './test-fixtures.ts';

const suggestionFields = (ctx: TestContext, overrides: Record<string, string | undefined> = {}) => suggestionFieldsFor(ctx.app.deps.keys.formStamp, overrides);

async function publicViews(ctx: TestContext, slug: string): Promise<{ campaign: string; list: string; json: string }> {
  const browser = new Browser(ctx.app);
  const campaign = await browser.get(`/c/${slug}`, { 'accept-language': 'en' });
  const list = await browser.get(`/c/${slug}/endorsements`, { 'accept-language': 'en' });
  const json = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${slug}/endorsements` });
  for (const response of [campaign, list, json]) expect(response.statusCode).toBe(200);
  return { campaign: campaign.body, list: list.body, json: json.body };
}

function idFrom(response: LightMyRequestResponse): number {
  const match = /^\/admin\/endorsements\/(\d+)\?done=created$/.exec(String(response.headers.location));
  if (!match) throw new Error(`not a created redirect: ${response.statusCode} ${response.headers.location}`);
  return Number(match[1]);
}

describeEachDialect('endorsements', (ctx) => {
  it('lets an editor add, edit, verify, feature and delete an endorsement, auditing each change', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'editor');
    const name = `Lena ${uniqueSuffix()}`;

    expect((await browser.get(`/admin/campaigns/${campaignId}/endorsements/new`)).statusCode).toBe(200);
    const created = await browser.post(`/admin/campaigns/${campaignId}/endorsements/new`, endorsementFields({ name, status: 'unverified', evidence_note: '' }));
    expect(created.statusCode).toBe(303);
    const id = idFrom(created);
    expect((await browser.get(String(created.headers.location))).body).toContain('The endorsement is added.');
    expect((await publicViews(ctx(), input.slug)).list).not.toContain(name);

    const verified = await browser.post(`/admin/endorsements/${id}`, endorsementFields({ name, featured: '1', date_approximate: '1' }));
    expect(verified.headers.location).toBe(`/admin/endorsements/${id}?done=saved`);
    const shown = await publicViews(ctx(), input.slug);
    expect(shown.campaign).toContain(name);
    expect(shown.list).toContain(name);
    expect(shown.list).toContain('around July 2017');
    expect(shown.list).toContain('<blockquote cite="https://example.org/post/1"><p>We stand with them.</p></blockquote>');
    expect(JSON.parse(shown.json).endorsements[0]).toMatchObject({
      identifiers: [`outcry:endorsement-${id}`],
      name,
      origin_system: 'Twitter',
      browser_url: 'https://example.org/post/1',
      date: '2017-07-14',
      date_approximate: true,
      featured: true,
    });
    // Evidence is for organisers only.
    expect(shown.json).not.toContain('Reported in a newspaper.');
    expect(shown.list).not.toContain('Reported in a newspaper.');

    const unchanged = await browser.post(`/admin/endorsements/${id}`, endorsementFields({ name, featured: '1', date_approximate: '1' }));
    expect(unchanged.headers.location).toBe(`/admin/endorsements/${id}?done=unchanged`);

    const deleted = await browser.post(`/admin/endorsements/${id}/delete`, {});
    expect(deleted.headers.location).toBe(`/admin/campaigns/${campaignId}/endorsements?done=deleted`);
    expect((await publicViews(ctx(), input.slug)).list).not.toContain(name);
    expect((await browser.get(`/admin/endorsements/${id}`)).statusCode).toBe(404);

    const audit = (await listAuditEntries(ctx().db, { limit: 50 })).filter((e) => e.entityType === 'endorsement' && e.entityId === String(id));
    expect(audit.map((e) => [e.action, e.userEmail])).toEqual([
      ['endorsement.delete', user.email],
      ['endorsement.verify', user.email],
      ['endorsement.create', user.email],
    ]);
    expect(audit[1]!.changes).toMatchObject({ status: ['unverified', 'verified'], featured: [false, true], evidenceNote: [null, 'Reported in a newspaper.'] });
    expect(audit[0]!.changes).toMatchObject({ name: [name, null], status: ['verified', null] });
    expect(audit[2]!.changes).toMatchObject({ campaignId: [null, campaignId], name: [null, name] });
  });

  it('shows the campaign admin page a summary, and lets moderators look but not change', async () => {
    const { id: campaignId } = await makeCampaign(ctx().db, { status: 'published' });
    const endorsementId = await createEndorsement(ctx().db, { userId: null, campaignId, input: endorsementInput() });
    const { browser: owner } = await loggedIn(ctx().app, ctx().db, 'owner');
    const page = await owner.get(`/admin/campaigns/${campaignId}`);
    expect(page.body).toContain('Verified and public: 1. Waiting for review: 0.');
    expect(page.body).toContain(`href="/admin/campaigns/${campaignId}/endorsements"`);

    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const list = await browser.get(`/admin/campaigns/${campaignId}/endorsements`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Your role can see endorsements but not change them.');
    expect(list.body).not.toContain('/delete"');
    expect((await browser.get(`/admin/endorsements/${endorsementId}`)).statusCode).toBe(200);
    expect((await browser.post(`/admin/endorsements/${endorsementId}`, endorsementFields())).statusCode).toBe(403);
    expect((await browser.post(`/admin/endorsements/${endorsementId}/delete`, {})).statusCode).toBe(403);
    expect((await browser.post(`/admin/campaigns/${campaignId}/endorsements/new`, endorsementFields())).statusCode).toBe(403);
    expect((await new Browser(ctx().app).get(`/admin/campaigns/${campaignId}/endorsements`)).statusCode).toBe(303);
    expect(await listEndorsementsOfCampaign(ctx().db, campaignId, { verifiedOnly: false })).toHaveLength(1);
  });

  it('shows only verified endorsements, featured first, and nothing of a draft campaign', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    const hidden = endorsementInput({ name: 'Hidden Person', status: 'unverified', evidenceNote: '' });
    await createEndorsement(ctx().db, { userId: null, campaignId, input: hidden });
    await createEndorsement(ctx().db, { userId: null, campaignId, input: endorsementInput({ name: 'Plain Person', date: '2020-01-01' }) });
    await createEndorsement(ctx().db, { userId: null, campaignId, input: endorsementInput({ name: 'Featured Person', featured: true, date: '2019-01-01' }) });
    const views = await publicViews(ctx(), input.slug);
    for (const body of Object.values(views)) {
      expect(body).not.toContain('Hidden Person');
      expect(body.indexOf('Featured Person')).toBeLessThan(body.indexOf('Plain Person'));
    }
    expect(JSON.parse(views.json).total_records).toBe(2);
    expect(views.campaign).toContain('See all 2 endorsements');

    const draft = await makeCampaign(ctx().db);
    await createEndorsement(ctx().db, { userId: null, campaignId: draft.id, input: endorsementInput() });
    for (const url of [
      `/c/${draft.input.slug}/endorsements`,
      `/c/${draft.input.slug}/endorsements/suggest`,
      `/api/v1/campaigns/${draft.input.slug}/endorsements`,
    ]) {
      expect((await ctx().app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });

  it('keeps a public suggestion hidden until an organiser verifies it, storing nothing about the suggester', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    const visitor = new Browser(ctx().app);
    const form = await visitor.get(`/c/${input.slug}/endorsements/suggest`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('__outcry_');
    const fields = suggestionFields(ctx(), { name: 'Nev Suggested' });
    const sent = await visitor.post(`/c/${input.slug}/endorsements/suggest`, fields, { headers: { 'accept-language': 'ru' } });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/c/${input.slug}/endorsements/suggested`);
    expect((await visitor.get(String(sent.headers.location))).statusCode).toBe(200);

    const [stored] = await listEndorsementsOfCampaign(ctx().db, campaignId, { verifiedOnly: false });
    expect(stored).toMatchObject({ name: 'Nev Suggested', status: 'unverified', source: 'suggestion', featured: false, date: null, lang: 'ru' });
    // The time is kept to the minute only.
    expect(stored!.createdAt).toMatch(/:00\.000Z$/);
    const row = await ctx().db.selectFrom('endorsements').selectAll().where('id', '=', stored!.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(visitor.remoteAddress);
    expect(Object.values(await publicViews(ctx(), input.slug)).join('')).not.toContain('Nev Suggested');

    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'editor');
    const queue = await browser.get(`/admin/campaigns/${campaignId}/endorsements`);
    expect(queue.body).toContain('Waiting for review (1)');
    expect(queue.body).toContain('Suggested by the public');
    const withoutEvidence = await browser.post(`/admin/endorsements/${stored!.id}`, endorsementFields({ name: 'Nev Suggested', evidence_note: '' }));
    expect(withoutEvidence.statusCode).toBe(400);
    expect(withoutEvidence.body).toContain('To verify, record the evidence');
    const verify = await browser.post(
      `/admin/endorsements/${stored!.id}`,
      endorsementFields({ name: 'Nev Suggested', evidence_url: 'https://example.org/news' }),
    );
    expect(verify.statusCode).toBe(303);
    expect((await publicViews(ctx(), input.slug)).list).toContain('Nev Suggested');
    const audit = (await listAuditEntries(ctx().db, { limit: 20 })).find((e) => e.entityId === String(stored!.id));
    expect([audit?.action, audit?.userEmail]).toEqual(['endorsement.verify', user.email]);
  });

  it('deletes a rejected suggestion, auditing what it said', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    const sent = await new Browser(ctx().app).post(`/c/${input.slug}/endorsements/suggest`, suggestionFields(ctx(), { name: 'Spam Person' }));
    expect(sent.statusCode).toBe(303);
    const [stored] = await listEndorsementsOfCampaign(ctx().db, campaignId, { verifiedOnly: false });
    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'editor');
    const review = await browser.get(`/admin/endorsements/${stored!.id}`);
    expect(review.body).toContain('Reject this suggestion');
    expect((await browser.post(`/admin/endorsements/${stored!.id}/delete`, {})).statusCode).toBe(303);
    expect(await listEndorsementsOfCampaign(ctx().db, campaignId, { verifiedOnly: false })).toEqual([]);
    const audit = (await listAuditEntries(ctx().db, { limit: 20 })).find((e) => e.entityId === String(stored!.id));
    expect([audit?.action, audit?.userEmail, audit?.changes['name']]).toEqual(['endorsement.reject', user.email, ['Spam Person', null]]);
    expect((await browser.post(`/admin/endorsements/${stored!.id}/delete`, {})).statusCode).toBe(404);
  });

  it('thanks a bot that fills the honeypot or sends no genuine, fresh stamp, and stores nothing', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    const url = `/c/${input.slug}/endorsements/suggest`;
    const reused = issueFormStamp(ctx().app.deps.keys.formStamp, Date.now() - 5000);
    expect((await new Browser(ctx().app).post(url, suggestionFields(ctx(), { ts: reused }))).statusCode).toBe(303);
    const bots = [
      { website: 'http://spam.example' },
      { ts: undefined },
      { ts: 'forged.stamp.value' },
      { ts: issueFormStamp(ctx().app.deps.keys.formStamp) },
      { ts: reused },
    ];
    for (const overrides of bots) {
      const response = await new Browser(ctx().app).post(url, suggestionFields(ctx(), overrides));
      expect(response.statusCode, JSON.stringify(overrides)).toBe(303);
    }
    expect(await listEndorsementsOfCampaign(ctx().db, campaignId, { verifiedOnly: false })).toHaveLength(1);
  });

  it('refuses a client past its limit with 429', async () => {
    const { input } = await makeCampaign(ctx().db, { status: 'published' });
    const visitor = new Browser(ctx().app);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await visitor.post(`/c/${input.slug}/endorsements/suggest`, suggestionFields(ctx()))).statusCode);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429, 429]);
  });

  it('refuses bad input with a 400 naming each field, changing nothing', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const bad = await browser.post(
      `/admin/campaigns/${campaignId}/endorsements/new`,
      endorsementFields({ name: '', url: 'javascript:alert(1)', date: future, lang: 'fr', status: 'maybe', evidence_url: 'ftp://example.org' }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('class="error-summary"');
    for (const field of ['name', 'url', 'date', 'lang', 'status', 'evidence_url']) expect(bad.body).toContain(`href="#${field}"`);
    expect(bad.body).toContain('This date is in the future.');
    const old = await browser.post(`/admin/campaigns/${campaignId}/endorsements/new`, endorsementFields({ date: '0000-01-01' }));
    expect(old.statusCode).toBe(400);

    const suggestion = await new Browser(ctx().app).post(
      `/c/${input.slug}/endorsements/suggest`,
      suggestionFields(ctx(), { name: '', description: '', url: 'data:text/html,x' }),
    );
    expect(suggestion.statusCode).toBe(400);
    for (const field of ['name', 'description', 'url']) expect(suggestion.body).toContain(`href="#${field}"`);
    expect(await listEndorsementsOfCampaign(ctx().db, campaignId, { verifiedOnly: false })).toEqual([]);
  });

  it('escapes names, descriptions and quotes everywhere they are shown', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    const marker = '<script>alert("x")</script>';
    await createEndorsement(ctx().db, {
      userId: null,
      campaignId,
      input: endorsementInput({
        name: `N${marker}`,
        description: `D${marker}`,
        quote: `Q${marker}`,
        platform: `P${marker}`,
        url: 'https://example.org/?a="><script>',
      }),
    });
    const views = await publicViews(ctx(), input.slug);
    for (const html of [views.campaign, views.list]) {
      expect(html).not.toContain(marker);
      expect(html).toContain('N&lt;script>alert(&quot;x&quot;)&lt;/script>');
      expect(html.match(/<script\b/g)).toHaveLength(1);
    }
    expect(JSON.parse(views.json).endorsements[0].quote).toBe(`Q${marker}`);
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    const admin = await browser.get(`/admin/campaigns/${campaignId}/endorsements`);
    expect(admin.body).not.toContain(marker);
    expect(admin.body.match(/<script\b/g)).toHaveLength(2);
  });

  it('seeds the five endorsements of the article on the demo campaign, verified with an honest note', async () => {
    const { id: campaignId, input } = await makeCampaign(ctx().db, { status: 'published' });
    await addDemoEndorsements({ db: ctx().db, database: ctx().database, dataDir: ctx().dataDir, campaignId });
    const stored = await listEndorsementsOfCampaign(ctx().db, campaignId, { verifiedOnly: true });
    expect(stored.map((e) => e.name).sort()).toEqual(['Lena Dunham', 'Mara Wilson', 'Nev Schulman', 'Rita Ora', 'RuPaul']);
    expect(stored.every((e) => e.dateApproximate && e.evidenceNote.startsWith('Reported in'))).toBe(true);
    expect(stored.filter((e) => e.quote !== '').map((e) => e.name)).toEqual(['RuPaul']);
    expect(stored.find((e) => e.name === 'Nev Schulman')?.description).toBe('host of Catfish');
    expect(DEMO_ENDORSEMENTS).toHaveLength(5);
    const page = await new Browser(ctx().app).get(`/c/${input.slug}`, { 'accept-language': 'en' });
    expect(page.body).toContain('The White House remains silent.');
  });
});
