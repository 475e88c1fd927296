/**
 * Organisers and petitions, on both databases: creating, editing, closing and reopening a campaign's petitions with
 * validation and audit; who may do what; and reviewing suspect signatures, with counts that follow.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { loggedIn, makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from '../../../test/helpers/factories.ts';
import { listAuditEntries } from '../audit/queries.ts';
import { foldCountEvents } from './counting/counters.ts';
import { findPetitionById } from './queries.ts';
import { confirmSignature } from './signing/confirm.ts';

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

    const reopened = await browser.post(`/admin/petitions/${id}/status`, { status: 'open' });
    expect(reopened.headers.location).toBe(`/admin/petitions/${id}?done=reopened`);
    expect((await findPetitionById(ctx().db, id))?.status).toBe('open');

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

describeEachDialect('moderators: suspect signatures', (ctx) => {
  beforeAll(async () => {
    await makeOrganisationKey(ctx().db, ctx().app.signing.sealer);
  });

  /** Signs through the public form; without a form stamp the signature is marked suspect, silently. */
  async function sign(slug: string, petitionId: number, options: { suspect: boolean; confirm: boolean; country?: string }): Promise<number> {
    const fields = signFields(ctx().app, {
      country: options.country ?? 'GB',
      name: 'Anna Secretname',
      show_name: '1',
      ...(options.suspect ? { ts: undefined } : {}),
    });
    const response = await new Browser(ctx().app).post(`/c/${slug}/sign`, fields);
    expect(response.statusCode).toBe(303);
    const mail = (await queuedConfirmations(ctx().app, { petitionId })).find((m) => m.to === fields['email']);
    if (options.confirm) await confirmSignature(ctx().db, mail!.confirmToken);
    const row = await ctx()
      .db.selectFrom('signatures')
      .select(['id', 'suspect'])
      .where('petition_id', '=', petitionId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.suspect).toBe(options.suspect ? 1 : 0);
    return Number(row.id);
  }

  async function settledCount(petitionId: number): Promise<number> {
    await foldCountEvents(ctx().database);
    await ctx().app.countBoard.refresh();
    return ctx().app.countBoard.count(petitionId).total;
  }

  it('lists suspects without names or addresses, restores and sets aside signatures with the count following, audited', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const petition = await makePetition(ctx().db, campaign.id);
    const slug = campaign.input.slug;
    await sign(slug, petition.id, { suspect: false, confirm: true });
    const counted = await sign(slug, petition.id, { suspect: false, confirm: true });
    const suspectConfirmed = await sign(slug, petition.id, { suspect: true, confirm: true, country: 'FR' });
    const suspectPending = await sign(slug, petition.id, { suspect: true, confirm: false, country: 'DE' });
    expect(await settledCount(petition.id)).toBe(2);

    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const campaignPage = await browser.get(`/admin/campaigns/${campaign.id}`);
    expect(campaignPage.body).toMatch(/<td class="number">2<\/td><td class="number">2<\/td>/);

    const list = await browser.get(`/admin/petitions/${petition.id}/suspects`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`signature ${suspectConfirmed}`);
    expect(list.body).toContain(`signature ${suspectPending}`);
    expect(list.body).not.toContain(`signature ${counted}<`);
    expect(list.body).toContain('France (FR)');
    expect(list.body).toContain('Form sent without its timestamp');
    expect(list.body).toContain('Waiting for confirmation');
    expect(list.body).not.toContain('Anna');
    expect(list.body).not.toContain('Secretname');
    expect(list.body).not.toContain('signer-');

    const restored = await browser.post(`/admin/petitions/${petition.id}/suspects/${suspectConfirmed}/restore`, { back: 'suspects' });
    expect(restored.statusCode).toBe(303);
    expect(restored.headers.location).toBe(`/admin/petitions/${petition.id}/suspects?done=restored`);
    // The restore adds a +1 event in its own transaction; the route already refreshed the board.
    expect(ctx().app.countBoard.count(petition.id).total).toBe(3);
    expect(await settledCount(petition.id)).toBe(3);
    expect((await browser.get(String(restored.headers.location))).body).toContain('The signature is restored');

    // A pending suspect restored counts only once it is confirmed.
    expect((await browser.post(`/admin/petitions/${petition.id}/suspects/${suspectPending}/restore`, {})).headers.location).toContain('done=restored');
    expect(await settledCount(petition.id)).toBe(3);
    // Restoring twice changes nothing.
    expect((await browser.post(`/admin/petitions/${petition.id}/suspects/${suspectConfirmed}/restore`, {})).headers.location).toContain('done=unchanged');
    expect(await settledCount(petition.id)).toBe(3);
    expect((await browser.get(`/admin/petitions/${petition.id}/suspects`)).body).toContain('There are no suspect signatures.');

    // Setting a counted signature aside takes it out of the count.
    const all = await browser.get(`/admin/petitions/${petition.id}/signatures`);
    expect(all.body).toContain(`action="/admin/petitions/${petition.id}/signatures/${counted}/suspect"`);
    const marked = await browser.post(`/admin/petitions/${petition.id}/signatures/${counted}/suspect`, { back: 'signatures' });
    expect(marked.headers.location).toBe(`/admin/petitions/${petition.id}/signatures?done=marked`);
    expect(await settledCount(petition.id)).toBe(2);
    const again = await browser.get(`/admin/petitions/${petition.id}/suspects`);
    expect(again.body).toContain('Set aside by a moderator');
    expect((await browser.post(`/admin/petitions/${petition.id}/signatures/${counted}/suspect`, {})).headers.location).toContain('done=unchanged');
    expect(await settledCount(petition.id)).toBe(2);

    const audit = (await listAuditEntries(ctx().db, { limit: 100 })).filter((e) => e.entityType === 'signature');
    const mine = audit.filter((e) => [String(counted), String(suspectConfirmed), String(suspectPending)].includes(e.entityId ?? ''));
    expect(mine.map((e) => `${e.action} ${e.entityId}`)).toEqual([
      `signature.suspect ${counted}`,
      `signature.restore ${suspectPending}`,
      `signature.restore ${suspectConfirmed}`,
    ]);
    expect(mine.every((e) => e.userEmail === user.email)).toBe(true);
    expect(mine[2]!.changes).toMatchObject({ suspect: [true, false], reason: ['stamp:missing', null], counted: [false, true] });
    expect(mine[0]!.changes).toMatchObject({ suspect: [false, true], counted: [true, false] });
  });

  it('refuses a signature of another petition, a withdrawn one, and people without the permission', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const petition = await makePetition(ctx().db, campaign.id);
    const other = await makePetition(ctx().db, campaign.id);
    const suspect = await sign(campaign.input.slug, petition.id, { suspect: true, confirm: false });
    const { browser } = await loggedIn(ctx().app, ctx().db, 'editor');
    expect((await browser.post(`/admin/petitions/${other.id}/suspects/${suspect}/restore`, {})).statusCode).toBe(404);
    expect((await browser.post(`/admin/petitions/${petition.id}/suspects/99999999/restore`, {})).statusCode).toBe(404);
    expect((await browser.post(`/admin/petitions/${petition.id}/suspects/x/restore`, {})).statusCode).toBe(404);
    await ctx().db.updateTable('signatures').set({ status: 'withdrawn' }).where('id', '=', suspect).execute();
    expect((await browser.post(`/admin/petitions/${petition.id}/suspects/${suspect}/restore`, {})).statusCode).toBe(409);
    expect((await browser.get(`/admin/petitions/${petition.id}/suspects`)).body).not.toContain(`signature ${suspect}<`);
    // Editors moderate too; a forged form is refused.
    expect((await browser.post(`/admin/petitions/${petition.id}/suspects/${suspect}/restore`, {}, { csrf: false })).statusCode).toBe(403);
  });

  it('pages through a long list of suspects', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const petition = await makePetition(ctx().db, campaign.id);
    const now = new Date().toISOString();
    await ctx()
      .db.insertInto('sealing_windows')
      .values({ id: `page-${petition.id}`, key_id: 'k', enc: 'e', created_at: now })
      .execute();
    await ctx()
      .db.insertInto('signatures')
      .values(
        Array.from({ length: 55 }, (_, i) => ({
          petition_id: petition.id,
          dedup_key: `d${i}`,
          window_id: `page-${petition.id}`,
          sealed: Buffer.from('x'),
          country: 'GB',
          status: 'pending' as const,
          suspect: 1 as const,
          suspect_reason: 'rate',
          public_name: null,
          wants_updates: 0 as const,
          ref: null,
          confirm_token_hash: null,
          withdraw_token_hash: `h${i}`,
          token_expires_at: now,
          last_mailed_at: now,
          created_at: now,
          confirmed_at: null,
          withdrawn_at: null,
        })),
      )
      .execute();
    const { browser } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const first = await browser.get(`/admin/petitions/${petition.id}/suspects`);
    expect(first.body.match(/>Restore</g)?.length).toBe(50);
    const older = /href="(\/admin\/petitions\/\d+\/suspects\?before=\d+)"/.exec(first.body)?.[1];
    expect(older).toBeDefined();
    const second = await browser.get(older!);
    expect(second.body.match(/>Restore</g)?.length).toBe(5);
    expect(second.body).toContain('name="before"');
    expect(second.body).toContain('Many signatures from one connection');
    const id = Number(/suspects\/(\d+)\/restore/.exec(second.body)?.[1]);
    const before = /before=(\d+)/.exec(older!)?.[1];
    const restored = await browser.post(`/admin/petitions/${petition.id}/suspects/${id}/restore`, { back: 'suspects', before });
    expect(restored.headers.location).toBe(`/admin/petitions/${petition.id}/suspects?done=restored&before=${before}`);
  });
});
