/**
 * Organisers and petitions, on both databases: creating, editing, closing and reopening a campaign's petitions with
 * validation and audit, and who may do what.
 */
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { loggedIn, makeCampaign, makePetition } from '../../../test/helpers/factories.ts';
import { listAuditEntries } from '../audit/queries.ts';
import { findPetitionById } from './queries.ts';

function petitionFields(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    goal: '2,500',
    milestones: '100, 1000',
    title_en: 'Release the detained',
    target_en: 'The Prosecutor General',
    body_en: 'We ask you to **release** them.',
    ...overrides,
  };
}

describeEachDialect('organisers: petitions', (ctx) => {
  it('creates, edits, closes and reopens a petition, auditing each change and clearing the public page cache', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'editor');
    // The public page is read (and cached) before the petition exists.
    expect((await new Browser(ctx().app).get(`/c/${campaign.input.slug}`)).body).not.toContain('Release the detained');

    const form = await browser.get(`/admin/campaigns/${campaign.id}/petitions/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="5000"');

    const created = await browser.post(`/admin/campaigns/${campaign.id}/petitions/new`, petitionFields());
    expect(created.statusCode).toBe(303);
    const id = Number(/^\/admin\/petitions\/(\d+)\?done=created$/.exec(String(created.headers.location))?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(await findPetitionById(ctx().db, id)).toMatchObject({
      goal: 2500,
      milestones: [100, 1000],
      status: 'open',
      texts: { en: { title: 'Release the detained' } },
    });
    expect((await browser.get(`/admin/petitions/${id}?done=created`)).body).toContain('The petition is created and open for signatures.');
    // At once, not after the cache's two seconds.
    expect((await new Browser(ctx().app).get(`/c/${campaign.input.slug}`)).body).toContain('Release the detained');

    const campaignPage = await browser.get(`/admin/campaigns/${campaign.id}`);
    expect(campaignPage.body).toContain(`href="/admin/petitions/${id}"`);
    expect(campaignPage.body).toContain('Release the detained');
    expect(campaignPage.body).toContain(`href="/admin/campaigns/${campaign.id}/petitions/new"`);

    const edited = await browser.post(`/admin/petitions/${id}`, petitionFields({ goal: '3000', milestones: '500,1000, 2000', title_en: 'Release them now' }));
    expect(edited.statusCode).toBe(303);
    expect(edited.headers.location).toBe(`/admin/petitions/${id}?done=saved`);
    const page = await browser.get(`/admin/petitions/${id}?done=saved`);
    expect(page.body).toContain('Saved.');
    expect(page.body).toContain('value="500, 1000, 2000"');
    expect((await new Browser(ctx().app).get(`/c/${campaign.input.slug}`)).body).toContain('Release them now');

    // A signature with a dedup key, to see closing delete it.
    await ctx()
      .db.insertInto('sealing_windows')
      .values({ id: `w-${id}`, key_id: 'k', enc: 'e', created_at: new Date().toISOString() })
      .execute();
    await ctx()
      .db.insertInto('signatures')
      .values({
        petition_id: id,
        dedup_key: 'dedup',
        window_id: `w-${id}`,
        sealed: Buffer.from('sealed'),
        country: 'GB',
        status: 'pending',
        suspect: 0,
        suspect_reason: null,
        public_name: null,
        wants_updates: 0,
        ref: null,
        confirm_token_hash: null,
        withdraw_token_hash: 'h',
        token_expires_at: new Date().toISOString(),
        last_mailed_at: new Date().toISOString(),
        created_at: new Date().toISOString(),
        confirmed_at: null,
        withdrawn_at: null,
      })
      .execute();

    // Closing needs the box ticked: the page says the dedup keys go for good.
    expect(page.body).toContain("deletes the petition's duplicate-detection keys");
    const unconfirmed = await browser.post(`/admin/petitions/${id}/status`, { status: 'closed' });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Tick this box to confirm: closing deletes the duplicate-detection keys.');
    expect(unconfirmed.body).toContain('href="#confirm_close"');
    expect((await findPetitionById(ctx().db, id))?.status).toBe('open');

    const closed = await browser.post(`/admin/petitions/${id}/status`, { status: 'closed', confirm: '1' });
    expect(closed.headers.location).toBe(`/admin/petitions/${id}?done=closed`);
    expect((await findPetitionById(ctx().db, id))?.status).toBe('closed');
    const keys = await ctx().db.selectFrom('signatures').select('dedup_key').where('petition_id', '=', id).execute();
    expect(keys.map((k) => k.dedup_key)).toEqual([null]);
    expect((await new Browser(ctx().app).get(`/c/${campaign.input.slug}`)).body).toContain('This petition is closed.');

    // Closing a closed petition changes and records nothing.
    expect((await browser.post(`/admin/petitions/${id}/status`, { status: 'closed', confirm: '1' })).headers.location).toBe(
      `/admin/petitions/${id}?done=unchanged`,
    );

    // Reopening needs the box ticked too: the page says that earlier signers can now be counted twice.
    const closedPage = await browser.get(`/admin/petitions/${id}`);
    expect(closedPage.body).toContain('Anyone who signed before it was closed can sign again and be counted twice');
    expect(closedPage.body).toContain('aria-describedby="reopen-explain"');
    expect((await browser.get(`/admin/petitions/${id}?lang=ru`)).body).toContain('сможет подписать ещё раз и будет учтён дважды');
    await browser.get(`/admin/petitions/${id}?lang=en`);
    const unconfirmedReopen = await browser.post(`/admin/petitions/${id}/status`, { status: 'open' });
    expect(unconfirmedReopen.statusCode).toBe(400);
    expect(unconfirmedReopen.body).toContain('Tick this box to confirm: people who signed before can be counted twice.');
    expect(unconfirmedReopen.body).toContain('href="#confirm_reopen"');
    expect(unconfirmedReopen.body).toContain('id="confirm_reopen-error"');
    expect((await findPetitionById(ctx().db, id))?.status).toBe('closed');

    const reopened = await browser.post(`/admin/petitions/${id}/status`, { status: 'open', confirm: '1' });
    expect(reopened.headers.location).toBe(`/admin/petitions/${id}?done=reopened`);
    expect((await findPetitionById(ctx().db, id))?.status).toBe('open');
    // Asking for the state it is already in changes nothing, so it needs no confirmation.
    expect((await browser.post(`/admin/petitions/${id}/status`, { status: 'open' })).headers.location).toBe(`/admin/petitions/${id}?done=unchanged`);

    const audit = (await listAuditEntries(ctx().db, { limit: 100 })).filter((e) => e.entityType === 'petition' && e.entityId === String(id));
    expect(audit.map((e) => e.action)).toEqual(['petition.reopen', 'petition.close', 'petition.update', 'petition.create']);
    expect(audit.every((e) => e.userEmail === user.email)).toBe(true);
    expect(audit[1]!.changes).toEqual({ status: ['open', 'closed'] });
    expect(audit[2]!.changes).toMatchObject({ goal: [2500, 3000], milestones: ['100,1000', '500,1000,2000'] });
  });

  it('re-renders the form with each error and the typed values, storing nothing', async () => {
    const campaign = await makeCampaign(ctx().db, {
      input: {
        locales: ['en', 'ru'],
        texts: {
          en: { title: 'Campaign', summary: '', storyMd: 'Story', counterLabel: '' },
          ru: { title: 'Кампания', summary: '', storyMd: 'История', counterLabel: '' },
        },
      },
    });
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    const response = await browser.post(
      `/admin/campaigns/${campaign.id}/petitions/new`,
      petitionFields({ goal: 'lots', milestones: '1000, 500', target_en: '', title_ru: 'Освободите' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('class="error-summary"');
    expect(response.body).toContain('Enter a whole number from 1 to 1,000,000,000.');
    expect(response.body).toContain('each larger than the one before');
    expect(response.body).toContain('href="#target_en"');
    // Russian is one of the campaign's languages, so its text is required in full.
    expect(response.body).toContain('href="#body_ru"');
    expect(response.body).toContain('value="Release the detained"');
    expect(response.body).toContain('value="Освободите"');
    expect(response.body).toContain('aria-invalid="true"');
    expect(await ctx().db.selectFrom('petitions').select('id').where('campaign_id', '=', campaign.id).execute()).toEqual([]);

    for (const milestones of ['0', '-5', '10,,20', '1e3', '5, 5', '9999999999']) {
      const bad = await browser.post(
        `/admin/campaigns/${campaign.id}/petitions/new`,
        petitionFields({ milestones, title_ru: 'Т', target_ru: 'Ц', body_ru: 'Б' }),
      );
      expect(bad.statusCode, milestones).toBe(400);
    }
    // A language the campaign is not published in is optional, but a text begun in it must be complete.
    const english = await makeCampaign(ctx().db);
    const partial = await browser.post(`/admin/campaigns/${english.id}/petitions/new`, petitionFields({ title_ru: 'Только заголовок' }));
    expect(partial.statusCode).toBe(400);
    expect(partial.body).toContain('href="#target_ru"');
    expect((await browser.post(`/admin/campaigns/${english.id}/petitions/new`, petitionFields({ milestones: '' }))).statusCode).toBe(303);
  });

  it('answers 404 for a petition or campaign that does not exist', async () => {
    const { browser } = await loggedIn(ctx().app, ctx().db, 'owner');
    expect((await browser.get('/admin/petitions/999999')).statusCode).toBe(404);
    expect((await browser.get('/admin/petitions/abc')).statusCode).toBe(404);
    expect((await browser.get('/admin/campaigns/999999/petitions/new')).statusCode).toBe(404);
    expect((await browser.post('/admin/petitions/999999/status', { status: 'open' })).statusCode).toBe(404);
    const campaign = await makeCampaign(ctx().db);
    const petition = await makePetition(ctx().db, campaign.id);
    expect((await browser.post(`/admin/petitions/${petition.id}/status`, { status: 'deleted' })).statusCode).toBe(400);
  });

  it('lets a moderator look at petitions but not change them', async () => {
    const campaign = await makeCampaign(ctx().db);
    const petition = await makePetition(ctx().db, campaign.id);
    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const page = await browser.get(`/admin/petitions/${petition.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<fieldset disabled');
    expect(page.body).not.toContain(`action="/admin/petitions/${petition.id}/status"`);
    expect(page.body).toContain(`href="/admin/petitions/${petition.id}/suspects"`);
    const campaignPage = await browser.get(`/admin/campaigns/${campaign.id}`);
    expect(campaignPage.body).toContain(petition.input.texts.en!.title);
    expect(campaignPage.body).not.toContain('/petitions/new');
    expect((await browser.get(`/admin/campaigns/${campaign.id}/petitions/new`)).statusCode).toBe(403);
    expect((await browser.post(`/admin/campaigns/${campaign.id}/petitions/new`, petitionFields())).statusCode).toBe(403);
    expect((await browser.post(`/admin/petitions/${petition.id}`, petitionFields())).statusCode).toBe(403);
    expect((await browser.post(`/admin/petitions/${petition.id}/status`, { status: 'closed', confirm: '1' })).statusCode).toBe(403);
    expect((await findPetitionById(ctx().db, petition.id))?.status).toBe('open');
    // Without a session: to the login page, or refused.
    expect((await new Browser(ctx().app).get(`/admin/petitions/${petition.id}`)).statusCode).toBe(303);
    expect((await new Browser(ctx().app).post(`/admin/petitions/${petition.id}/suspects/1/restore`, {})).statusCode).toBe(401);
  });
});
