/**
 * Moderators and suspect signatures, on both databases: the review pages show no names or addresses; restoring and
 * setting aside are audited, and the count follows.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/helpers/app.ts';
import { loggedIn, makeCampaign, makeOrganisationKey, makePetition, queuedConfirmations, signFields } from '../../../test/helpers/factories.ts';
import { Browser } from '../../../test/helpers/http.ts';
import { listAuditEntries } from '../audit/index.ts';
import { foldCountEvents } from '../petitions/counting/counters.ts';
import { confirmSignature } from '../petitions/signing/confirm.ts';

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

  it('groups suspects by reason, country and hour, and restores or keeps aside a whole group at once, audited', async () => {
    const campaign = await makeCampaign(ctx().db, { status: 'published' });
    const petition = await makePetition(ctx().db, campaign.id);
    const slug = campaign.input.slug;
    for (const confirm of [true, true, false]) await sign(slug, petition.id, { suspect: true, confirm, country: 'RU' });
    for (const confirm of [true, false]) await sign(slug, petition.id, { suspect: true, confirm, country: 'DE' });
    await sign(slug, petition.id, { suspect: false, confirm: true, country: 'DE' });
    expect(await settledCount(petition.id)).toBe(1);

    const { browser, user } = await loggedIn(ctx().app, ctx().db, 'moderator');
    const page = await browser.get(`/admin/petitions/${petition.id}/suspects`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Suspects by reason, country and hour');
    expect(page.body).toContain('Restore all 3');
    expect(page.body).toContain('Keep all 2 aside');
    const hour = new Date().toISOString().slice(0, 13);
    const group = (country: string, decision: string) => ({ reason: 'stamp:missing', country, hour, decision });

    const restored = await browser.post(`/admin/petitions/${petition.id}/suspects/groups`, group('RU', 'restore'));
    expect(restored.statusCode).toBe(303);
    expect(restored.headers.location).toBe(`/admin/petitions/${petition.id}/suspects?done=group-restored`);
    // The two confirmed Russian signatures count now; the unconfirmed one will when it is confirmed.
    expect(await settledCount(petition.id)).toBe(3);
    const kept = await browser.post(`/admin/petitions/${petition.id}/suspects/groups`, group('DE', 'keep-aside'));
    expect(kept.headers.location).toBe(`/admin/petitions/${petition.id}/suspects?done=group-kept`);
    expect(await settledCount(petition.id)).toBe(3);
    const after = await browser.get(`/admin/petitions/${petition.id}/suspects?done=group-kept`);
    expect(after.body).toContain('The group is kept aside');
    expect(after.body).not.toContain('Suspects by reason, country and hour');
    const rows = await ctx().db.selectFrom('signatures').select(['country', 'suspect', 'suspect_reason']).where('petition_id', '=', petition.id).execute();
    expect(rows.filter((r) => r.country === 'RU').every((r) => r.suspect === 0 && r.suspect_reason === null)).toBe(true);
    expect(rows.filter((r) => r.country === 'DE' && r.suspect === 1).map((r) => r.suspect_reason)).toEqual(['moderator', 'moderator']);

    // Deciding again changes nothing; a group the page could not have sent is refused; both audited once.
    const again = await browser.post(`/admin/petitions/${petition.id}/suspects/groups`, group('RU', 'restore'));
    expect(again.headers.location).toBe(`/admin/petitions/${petition.id}/suspects?done=unchanged`);
    for (const bad of [
      group('XX', 'restore'),
      group('RU', 'delete'),
      { ...group('RU', 'restore'), hour: '2026' },
      { ...group('RU', 'restore'), reason: 'rate,x' },
    ]) {
      expect((await browser.post(`/admin/petitions/${petition.id}/suspects/groups`, bad)).statusCode).toBe(400);
    }
    const audit = (await listAuditEntries(ctx().db, { limit: 10 })).filter((e) => e.userEmail === user.email && e.action.endsWith('-group'));
    expect(audit.map((e) => e.action)).toEqual(['signatures.keep-aside-group', 'signatures.restore-group']);
    expect(audit[1]!.changes).toMatchObject({ signatures: [null, 3], counted: [0, 2] });
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
